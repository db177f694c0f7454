#!/bin/sh
# A matrix made in Python, summarised in R with colMeans, with no copy.
#   examples/r/run.sh [ROWS COLS]
# Needs Debian's python3 with numpy and the npshm Python package (installed,
# or PYTHONPATH=build/bindings/python), and the npshm R package (installed,
# or R_LIBS pointing at the library that holds it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
rows=${1:-100000}
cols=${2:-50}
python=${NPSHM_PYTHON:-/usr/bin/python3}
name="npshm-example-r-$$"
means=$(mktemp)
trap 'rm -f "$means" "${NPSHM_DIR:-/dev/shm}/$name"' EXIT INT TERM

"$python" "$here/make_matrix.py" "$name" "$rows" "$cols" > "$means"
Rscript "$here/colmeans.R" "$name" "$means"

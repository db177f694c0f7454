#!/bin/sh
# Builds the npshm R source package (the tarball users install with
# R CMD INSTALL) from the repository, in a work folder:
#   build_tarball.sh <repository root> <work dir> <swig> <tarball out>
# stage_package.sh makes the self-contained copy in <work dir>/stage,
# R CMD build runs in <work dir>, and the tarball it makes
# (npshm_<version>.tar.gz) is copied to <tarball out>.  Nothing is written
# to the source tree.
set -eu
repo=$1 work=$2 swig=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
sh "$here/stage_package.sh" "$repo" "$work/stage" "$swig" >"$work/stage.log" 2>&1 ||
  { cat "$work/stage.log" >&2; exit 1; }
(cd "$work" && R CMD build --no-build-vignettes --no-manual stage/npshm) \
  >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
set -- "$work"/npshm_*.tar.gz
[ $# -eq 1 ] && [ -f "$1" ] || { echo "build_tarball.sh: R CMD build made no single tarball" >&2; exit 1; }
cp "$1" "$out"

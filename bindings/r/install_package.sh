#!/bin/sh
# Installs the npshm R source package into a fresh library, the way a user
# with only R and a compiler does (SWIG, meson, ninja and pkg-config hidden
# from PATH; no libnpshm anywhere):
#   install_package.sh <tarball> <library> <stamp>
set -eu
tarball=$1 lib=$2 stamp=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$lib"
mkdir -p "$lib"
log=$lib.install.log
start=$(date +%s)
if ! sh "$here/without_build_tools.sh" R CMD INSTALL --no-multiarch -l "$lib" "$tarball" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
echo "installed in $(( $(date +%s) - start )) s" >>"$log"
touch "$stamp"

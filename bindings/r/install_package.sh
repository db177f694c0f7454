#!/bin/sh
# Installs the R package into a library in the meson build directory,
# against the libnpshm.so of that build:
#   install_package.sh <package source> <build dir> <libnpshm dir> <include dir> <swig> <stamp>
# The package source is copied first, so configure's generated files
# (SWIG wrappers, Makevars) stay out of the source tree.
set -eu
src=$1 build=$2 libdir=$3 incdir=$4 swig=$5 stamp=$6

stage=$build/package-source
rm -rf "$stage"
mkdir -p "$stage" "$build/library"
cp -R "$src" "$stage/npshm"
(cd "$stage/npshm" && ./cleanup)

log=$build/install.log
if ! NPSHM_LIB_DIR=$libdir NPSHM_INCLUDE_DIR=$incdir SWIG=$swig \
     R CMD INSTALL -l "$build/library" "$stage/npshm" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
touch "$stamp"

#!/bin/sh
# meson install step: installs the R package into <prefix>/lib/R/site-library
# (under $DESTDIR if set), linked against this build's libnpshm.so with an
# rpath to the installed one in <libdir>.
#   install_to_prefix.sh <package source> <build dir> <libnpshm build dir> <include dir> <swig> <installed libdir> <R library>
set -eu
src=$1 build=$2 libdir=$3 incdir=$4 swig=$5 rpath=$6 rlib=${DESTDIR:-}$7

stage=$build/install-source
rm -rf "$stage"
mkdir -p "$stage" "$rlib"
cp -R "$src" "$stage/npshm"
(cd "$stage/npshm" && ./cleanup)
NPSHM_LIB_DIR=$libdir NPSHM_INCLUDE_DIR=$incdir NPSHM_RPATH_DIR=$rpath SWIG=$swig \
  R CMD INSTALL --no-test-load -l "$rlib" "$stage/npshm"

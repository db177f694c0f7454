#!/bin/sh
# R CMD build + R CMD check of the package against the meson build's
# libnpshm.so; fails if the check reports an ERROR or a WARNING.
#   check_package.sh <package source> <work dir> <libnpshm dir> <include dir> <swig>
set -eu
src=$1 work=$2 libdir=$3 incdir=$4 swig=$5
rm -rf "$work"
mkdir -p "$work"
cp -R "$src" "$work/npshm"
(cd "$work/npshm" && ./cleanup)
cd "$work"
export NPSHM_LIB_DIR="$libdir" NPSHM_INCLUDE_DIR="$incdir" SWIG="$swig"
R CMD build --no-build-vignettes --no-manual npshm >build.log 2>&1 || { cat build.log; exit 1; }
status=0
_R_CHECK_FORCE_SUGGESTS_=false R CMD check --no-manual npshm_*.tar.gz >check.log 2>&1 || status=$?
cat check.log
if [ $status -ne 0 ] || grep -q '^Status:.*\(ERROR\|WARNING\)' check.log; then
  echo "R CMD check reported an ERROR or a WARNING (log: $work/check.log)"
  exit 1
fi

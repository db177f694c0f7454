#!/bin/sh
# meson install step: installs the npshm R source package built by meson
# into <R library> (under $DESTDIR if set).  The package carries the core,
# so it needs no libnpshm at run time.
#   install_to_prefix.sh <tarball> <R library>
set -eu
tarball=$1 rlib=${DESTDIR:-}$2
mkdir -p "$rlib"
R CMD INSTALL --no-test-load -l "$rlib" "$tarball"

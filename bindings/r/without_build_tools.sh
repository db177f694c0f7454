#!/bin/sh
# Runs a command with SWIG, meson, ninja and pkg-config hidden from PATH and
# no LD_LIBRARY_PATH, as on a machine with only R and a compiler:
#   without_build_tools.sh COMMAND [ARG...]
# PATH becomes one temporary folder of links to every program on the old
# PATH except those; the folder is removed afterwards.
set -eu
shadow=$(mktemp -d "${TMPDIR:-/tmp}/npshm-r-path.XXXXXX")
trap 'rm -rf "$shadow"' EXIT INT TERM
old_ifs=$IFS
IFS=:
for dir in $PATH; do
  IFS=$old_ifs
  [ -d "$dir" ] || continue
  for prog in "$dir"/*; do
    name=${prog##*/}
    case $name in
      swig|swig[0-9]*|meson|ninja|pkg-config|pkgconf|*-pkg-config) continue ;;
    esac
    [ -x "$prog" ] && [ ! -d "$prog" ] && [ ! -e "$shadow/$name" ] &&
      ln -s "$prog" "$shadow/$name"
  done
done
IFS=$old_ifs
unset LD_LIBRARY_PATH
for tool in swig swig4.0 meson ninja pkg-config; do
  if PATH=$shadow command -v "$tool" >/dev/null 2>&1; then
    echo "without_build_tools.sh: $tool is still reachable" >&2
    exit 1
  fi
done
PATH=$shadow "$@"

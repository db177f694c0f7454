#!/bin/sh
# Generates the package's SWIG wrappers from tools/npshm.i:
#   generate_wrappers.sh <swig> <package dir>
# writes <package dir>/src/npshm_wrap.c and <package dir>/R/swig_wrappers.R
# (src/npshm.h must be there).  Used by ../configure (installing from a
# checkout) and by bindings/r/stage_package.sh (the release tarball).
set -eu
swig=$1 pkg=$2

fail() {
  echo "generate_wrappers.sh: $*" >&2
  exit 1
}

"$swig" -r -I"$pkg/src" -o "$pkg/src/npshm_wrap.c" -outdir "$pkg/R" \
  "$pkg/tools/npshm.i" || fail "swig failed on tools/npshm.i"
mv "$pkg/R/npshm.R" "$pkg/R/swig_wrappers.R"
# SWIG's run-time code carries pragmas that silence compiler warnings (for
# MSVC and GCC); R CMD check --as-cran warns about them.  Without them the
# code only gets compiler warnings R does not turn into errors.
sed -i -e '/^[[:space:]]*#[[:space:]]*pragma[[:space:]]\{1,\}\(warning\|GCC[[:space:]]\{1,\}diagnostic\|clang[[:space:]]\{1,\}diagnostic\)/d' \
  "$pkg/src/npshm_wrap.c"
if grep -n 'pragma.*\(warning\|diagnostic\)' "$pkg/src/npshm_wrap.c"; then
  fail "pragmas left in the generated wrapper (above)"
fi
# What R_init_npshm must do with its DllInfo (see the end of tools/npshm.i).
registration='R_registerRoutines(dll, NULL, CallEntries, NULL, NULL);'
[ "$(grep -c -F "$registration" "$pkg/src/npshm_wrap.c")" = 1 ] ||
  fail "SWIG's R_init_npshm has changed: '$registration' not found once"
sed -i -e "s/^\([[:space:]]*\)$registration\$/&\\
\\1R_useDynamicSymbols(dll, FALSE);\\
\\1npshm_r_register_classes(dll, \\&npshm_r_views_serialize_as_references);/" "$pkg/src/npshm_wrap.c"
grep -q 'npshm_r_register_classes(dll, &npshm_r_views_serialize_as_references);' "$pkg/src/npshm_wrap.c" ||
  fail "could not add the ALTREP classes' registration to R_init_npshm"

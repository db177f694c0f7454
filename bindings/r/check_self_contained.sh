#!/bin/sh
# Checks that the npshm R source package is self-contained:
#   check_self_contained.sh <tarball> <library it was installed in> <repository root>
# - the tarball carries the core's sources (identical to the repository's
#   core/), npshm.h, the generated SWIG wrappers and the licence;
# - the installed shared object needs no libnpshm, has no RPATH/RUNPATH
#   and exports none of the library's npshm_* functions;
# - building left nothing in the source tree (objects, generated files).
# Prints one line per check and "SUMMARY: N passed, M failed, K skipped".
set -u
tarball=$1 lib=$2 repo=$3
passed=0 failed=0 skipped=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
skip() { echo "skipped: $*"; skipped=$((skipped + 1)); }
bad() { echo "FAILED: $*"; failed=$((failed + 1)); }

work=$(mktemp -d "${TMPDIR:-/tmp}/npshm-r-contained.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
tar -xzf "$tarball" -C "$work" || bad "cannot unpack $tarball"
pkg=$work/npshm

for f in src/npshm.h src/npshm_wrap.c R/swig_wrappers.R LICENSE src/Makevars DESCRIPTION; do
  if [ -s "$pkg/$f" ]; then ok "the tarball has $f"; else bad "the tarball lacks $f"; fi
done
if [ ! -f "$repo/LICENSE" ]; then
  skip "the repository has no top-level LICENSE to carry"
elif cmp -s "$repo/LICENSE" "$pkg/inst/LICENSE"; then
  ok "the tarball carries the repository's LICENSE (inst/LICENSE)"
else
  bad "inst/LICENSE is missing or differs from the repository's LICENSE"
fi
if cmp -s "$pkg/src/npshm.h" "$repo/include/npshm.h"; then
  ok "src/npshm.h is the repository's include/npshm.h"
else
  bad "src/npshm.h differs from include/npshm.h"
fi
missing=""
for f in "$repo"/core/*/*.cpp "$repo"/core/*/*.hpp; do
  rel=${f#"$repo"/core/}
  cmp -s "$f" "$pkg/src/core/$rel" || missing="$missing $rel"
done
if [ -z "$missing" ]; then ok "every core/*/*.cpp and *.hpp is in the tarball, unchanged"
else bad "core files missing or different in the tarball:$missing"; fi
if grep -q 'CXX_STD *= *CXX17' "$pkg/src/Makevars"; then ok "CXX_STD = CXX17"; else bad "no CXX_STD = CXX17"; fi
if grep -n 'pragma.*\(warning\|diagnostic\)' "$pkg/src/npshm_wrap.c"; then
  bad "the wrapper still has pragmas that silence warnings"
else ok "no diagnostic pragmas in the wrapper"; fi
if grep -q 'R_useDynamicSymbols(dll, FALSE)' "$pkg/src/npshm_wrap.c"; then
  ok "R_init_npshm calls R_useDynamicSymbols(dll, FALSE)"
else bad "no R_useDynamicSymbols(dll, FALSE)"; fi
if grep -q 'example\.invalid' "$pkg/DESCRIPTION"; then bad "placeholder address in DESCRIPTION"
else ok "no placeholder address in DESCRIPTION"; fi
for field in Maintainer URL BugReports; do
  if grep -q "^$field:" "$pkg/DESCRIPTION" || { [ "$field" = Maintainer ] && grep -q '"cre"' "$pkg/DESCRIPTION"; }; then
    ok "DESCRIPTION has $field"
  else bad "DESCRIPTION lacks $field"; fi
done

so=$lib/npshm/libs/npshm.so
if [ -f "$so" ]; then
  dyn=$(readelf -d "$so")
  if printf '%s\n' "$dyn" | grep -q 'NEEDED.*libnpshm'; then bad "npshm.so needs libnpshm"
  else ok "npshm.so does not need libnpshm"; fi
  if printf '%s\n' "$dyn" | grep -q '(RPATH)\|(RUNPATH)'; then
    bad "npshm.so has an RPATH/RUNPATH: $(printf '%s\n' "$dyn" | grep 'PATH)')"
  else ok "npshm.so has no RPATH/RUNPATH"; fi
  exported=$(nm -D --defined-only "$so" | awk '{print $3}' | grep '^npshm_' || true)
  if [ -z "$exported" ]; then ok "npshm.so exports no npshm_* function"
  else bad "npshm.so exports:" $exported; fi
else
  bad "no installed $so"
fi

# Nothing generated in the source tree (src/core and src/npshm.h are the
# package's links to core/ and include/npshm.h, not copies).
stray=$(find "$repo/bindings/r/npshm" ! -type l \( -name '*.o' -o -name '*.so' -o -name 'npshm_wrap.c' \
          -o -name 'swig_wrappers.R' -o -name 'npshm.h' -o -name 'capi.cpp' -o -name Makevars \
          -o -name staged \) -print)
if [ -z "$stray" ]; then ok "no generated file or object in bindings/r/npshm"
else bad "generated files in the source tree: $stray"; fi

echo "SUMMARY: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]

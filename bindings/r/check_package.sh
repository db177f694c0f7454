#!/bin/sh
# R CMD check --as-cran of the npshm source package (the tarball users
# install), offline:
#   check_package.sh <tarball> <work dir> <allowed notes file>
# Fails on any ERROR or WARNING, and on any NOTE whose check is not listed
# in <allowed notes file> (the notes an offline machine cannot avoid, one
# check title per line).  Prints the log, the time taken and
#   SUMMARY: N passed, M failed, K skipped
# where each check R reports is one test: OK passes, ERROR and WARNING
# fail, and so does a NOTE that is not allowed.
set -eu
tarball=$1 work=$2 allowed=$3
rm -rf "$work"
mkdir -p "$work"
cp "$tarball" "$work/"
cd "$work"
start=$(date +%s)
status=0
# Offline: no CRAN incoming checks that need the network.  Installed
# libraries lose their debug information (_R_SHLIB_STRIP_ with
# strip --strip-debug): with what R's default -g adds, the package's library
# is about 6 MB and trips the "installed package size" NOTE; without, 0.4 MB.
# (R's default strip --strip-unneeded would also drop the symbol table that
# the check of registered routines reads.)
_R_CHECK_CRAN_INCOMING_REMOTE_=false _R_CHECK_FORCE_SUGGESTS_=false \
  _R_SHLIB_STRIP_=true R_STRIP_SHARED_LIB="strip --strip-debug" \
  R CMD check --as-cran --no-manual "${tarball##*/}" >check.log 2>&1 || status=$?
cat check.log
echo "R CMD check took $(( $(date +%s) - start )) s"

passed=$(grep -c '^\* .* \.\.\. OK$' check.log || true)
# R's closing line: "Status: OK" or "Status: 1 ERROR, 2 WARNINGs, 1 NOTE".
status_line=$(grep '^Status:' check.log | tail -n1)
errors=$(printf '%s\n' "$status_line" | sed -n 's/.* \([0-9][0-9]*\) ERROR.*/\1/p')
warnings=$(printf '%s\n' "$status_line" | sed -n 's/.* \([0-9][0-9]*\) WARNING.*/\1/p')
errors=${errors:-0} warnings=${warnings:-0}
[ -n "$status_line" ] || errors=1  # no closing line: the check did not finish
bad_notes=0
# A NOTE line looks like "* checking <title> ... NOTE"; the incoming
# feasibility check of --as-cran reports "Note_to_CRAN_maintainers".
grep '\.\.\. *\(NOTE\|Note_to_CRAN_maintainers\)$' check.log >notes.txt || true
while IFS= read -r line; do
  title=$(printf '%s\n' "$line" | sed -e 's/^\* checking //' -e 's/ *\.\.\. *[A-Za-z_]*$//')
  if grep -qxF "$title" "$allowed"; then
    echo "allowed NOTE (offline machine): $title"
    passed=$((passed + 1))
  else
    echo "NOTE not allowed: $title"
    bad_notes=$((bad_notes + 1))
  fi
done <notes.txt
failed=$((errors + warnings + bad_notes))
[ $status -eq 0 ] || [ $failed -gt 0 ] || failed=1
echo "R CMD check --as-cran: $errors ERROR(s), $warnings WARNING(s), $bad_notes NOTE(s) not allowed"
echo "SUMMARY: $passed passed, $failed failed, 0 skipped"
[ $failed -eq 0 ]

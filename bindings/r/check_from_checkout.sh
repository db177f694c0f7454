#!/bin/sh
# The R package installed straight from a git checkout, as R users do:
#   check_from_checkout.sh <repository root> <swig>
# 1. R CMD INSTALL bindings/r/npshm in a copy of the checkout's files (what
#    `git clone` gives, links kept), then `git status` there must be clean;
# 2. R CMD build bindings/r/npshm of a fresh copy, then R CMD INSTALL of
#    the tarball it made, as remotes::install_github(..., subdir =
#    "bindings/r/npshm") does (it builds the subdirectory of the GitHub
#    archive with R CMD build and installs the result).
# Each install must load and make an array.  Everything happens in a
# temporary folder, removed at the end.
# Prints one line per check and "SUMMARY: N passed, M failed, K skipped".
set -u
repo=$(cd "$1" && pwd) swig=$2
passed=0 failed=0 skipped=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAILED: $*"; failed=$((failed + 1)); }
summary() { echo "SUMMARY: $passed passed, $failed failed, $skipped skipped"; [ "$failed" -eq 0 ]; }

if ! git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "skipped: $repo is not a git checkout"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/npshm-test-r-checkout.XXXXXX")
shm=$(mktemp -d /dev/shm/npshm-test-r-checkout.XXXXXX)
trap 'rm -rf "$work" "$shm"' EXIT INT TERM
export MAKEFLAGS="${MAKEFLAGS:--j2}"
# swig found on PATH, as a user's configure finds it
mkdir "$work/bin"
ln -s "$(command -v "$swig")" "$work/bin/swig"
PATH=$work/bin:$PATH

# The checkout's files (tracked and new, not ignored), links kept.
checkout() {
  mkdir -p "$1"
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$repo" && xargs -0 sh -c 'for f do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh) |
    tar -C "$repo" --null -T - -cf - | tar -C "$1" -xf -
}

# Loads the package from library $1 and makes an unnamed array.
works() {
  NPSHM_DIR=$shm Rscript -e "library(npshm, lib.loc = '$1')" \
    -e 'x <- npshm_create(NULL, c(2, 3), init = as.double(1:6))' \
    -e 'stopifnot(sum(x) == 21, npshm_info(x)$lifetime == "owner")' >"$1.use.log" 2>&1
}

# 1. R CMD INSTALL of the package folder in a checkout.
checkout "$work/clone"
git -C "$work/clone" init -q && git -C "$work/clone" add -A &&
  git -C "$work/clone" -c user.name=t -c user.email=t@t commit -qm t
mkdir "$work/lib1"
if R CMD INSTALL --no-multiarch -l "$work/lib1" "$work/clone/bindings/r/npshm" >"$work/install1.log" 2>&1; then
  ok "R CMD INSTALL bindings/r/npshm from a checkout"
  if works "$work/lib1"; then ok "that install loads and makes an array"; else bad "that install does not work: $(cat "$work/lib1.use.log")"; fi
else
  bad "R CMD INSTALL bindings/r/npshm from a checkout failed:"; tail -20 "$work/install1.log"
fi
dirty=$(git -C "$work/clone" status --porcelain)
if [ -z "$dirty" ]; then ok "git status is clean after it"; else bad "git status after the install: $dirty"; fi

# 2. R CMD build of the package folder, then R CMD INSTALL of the tarball.
checkout "$work/fresh"
mkdir "$work/built" "$work/lib2"
if (cd "$work/built" && R CMD build --no-build-vignettes --no-manual "$work/fresh/bindings/r/npshm") >"$work/build.log" 2>&1; then
  ok "R CMD build bindings/r/npshm makes a tarball"
  set -- "$work"/built/npshm_*.tar.gz
  for f in src/core/store/segment.cpp src/npshm.h; do
    if tar -tzf "$1" | grep -qx "npshm/$f"; then ok "the tarball has $f"; else bad "the tarball lacks $f"; fi
  done
  if R CMD INSTALL --no-multiarch -l "$work/lib2" "$1" >"$work/install2.log" 2>&1; then
    ok "R CMD INSTALL of that tarball"
    if works "$work/lib2"; then ok "that install loads and makes an array"; else bad "that install does not work: $(cat "$work/lib2.use.log")"; fi
  else
    bad "R CMD INSTALL of the tarball R CMD build made failed:"; tail -20 "$work/install2.log"
  fi
else
  bad "R CMD build bindings/r/npshm failed:"; tail -20 "$work/build.log"
fi
if [ -z "$(ls -A "$shm")" ]; then ok "nothing left in the shm directory"; else bad "left in $shm: $(ls -A "$shm")"; fi
summary

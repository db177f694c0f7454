#!/usr/bin/python3
"""check_bindings.py catches what it is for: a new C function nobody
decided about, a Python %ignore dropped, a stale ignore entry.  Works on a
scratch copy of the files it reads."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
FILES = ["include/npshm.h", "tools/bindings-ignored.txt", "bindings/python/npshm.i",
         "bindings/python/npshm/_npshm.pyi.in", "bindings/r/npshm/tools/npshm.i",
         "bindings/julia/NPShm/src/LibNPShm.jl"]
GLOBS = [("bindings/r/npshm/src", ".c")]


def scratch(tmp):
    for f in FILES:
        os.makedirs(os.path.join(tmp, os.path.dirname(f)), exist_ok=True)
        shutil.copy(os.path.join(ROOT, f), os.path.join(tmp, f))
    for d, ext in GLOBS:
        os.makedirs(os.path.join(tmp, d), exist_ok=True)
        for name in os.listdir(os.path.join(ROOT, d)):
            if name.endswith(ext):
                shutil.copy(os.path.join(ROOT, d, name), os.path.join(tmp, d, name))


def edit(tmp, path, old, new):
    p = os.path.join(tmp, path)
    with open(p, encoding="utf-8") as f:
        text = f.read()
    assert old in text, (path, old)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, 1))


def run(tmp):
    r = subprocess.run([sys.executable, os.path.join(HERE, "check_bindings.py"), "--root", tmp],
                       capture_output=True, text=True)
    return r.returncode, r.stdout


CASES = [
    ("a new function nobody decided about",
     [("include/npshm.h", "NPSHM_API int npshm_version_number(void);",
       "NPSHM_API int npshm_version_number(void);\nNPSHM_API int npshm_brand_new(int x);")],
     ["python: SWIG wraps npshm_brand_new", "r: npshm_brand_new", "julia: LibNPShm.jl has no npshm_brand_new"]),
    ("a Python %ignore dropped",
     [("bindings/python/npshm.i", "%ignore npshm_ref_make;", "")],
     ["python: SWIG wraps npshm_ref_make"]),
    ("a stale ignore entry",
     [("tools/bindings-ignored.txt", "r npshm_mlock ", "r npshm_gone ")],
     ["lists npshm_gone, which the header does not declare", "r: npshm_mlock"]),
]


def main():
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="npshm-check-bindings-") as tmp:
        scratch(tmp)
        code, out = run(tmp)
        if code == 0:
            passed += 1
            print("ok    the unmodified copy passes")
        else:
            failed += 1
            print("FAIL  the unmodified copy fails:\n" + out)
    for title, edits, expected in CASES:
        with tempfile.TemporaryDirectory(prefix="npshm-check-bindings-") as tmp:
            scratch(tmp)
            for path, old, new in edits:
                edit(tmp, path, old, new)
            code, out = run(tmp)
            missing = [e for e in expected if e not in out]
            if code != 0 and not missing:
                passed += 1
                print(f"ok    caught: {title}")
            else:
                failed += 1
                print(f"FAIL  not caught: {title} (exit {code}; missing {missing})\n{out}")
    print(f"SUMMARY: {passed} passed, {failed} failed, 0 skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The shared library as a binary: exported symbols, soname, dlopen from a
plain ctypes program, the header compiling as C99 and C++, installation."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
HEADER = ROOT / "include" / "npshm.h"


def test_exports_only_npshm_symbols(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib.so_path], check=True,
                         capture_output=True, text=True).stdout
    symbols = [line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()]
    functions = [s for s in symbols if not s.startswith("NPSHM_")]  # version node
    assert functions, "no symbols found"
    assert all(s.startswith("npshm_") for s in functions), [s for s in functions if not s.startswith("npshm_")]
    # every function declared in the header is exported
    declared = set()
    for line in HEADER.read_text().splitlines():
        if line.startswith("NPSHM_API"):
            declared.add(line.split("(")[0].split()[-1].lstrip("*"))
    assert declared and declared <= set(functions), declared - set(functions)


def test_versioned_soname(lib):
    out = subprocess.run(["readelf", "-d", lib.so_path], check=True, capture_output=True, text=True).stdout
    assert "Library soname: [libnpshm.so.0]" in out


def test_dlopen_version_and_errors(lib):
    assert lib.version().decode().count(".") == 2
    assert lib.version_number() > 0
    assert not lib.attach(b"a/b", None)
    assert lib.last_error() == -1
    assert b"invalid name" in lib.last_message()


@pytest.mark.parametrize("compiler,std", [("gcc", "-std=c99"), ("g++", "-std=c++11"), ("g++", "-std=c++17")])
def test_header_compiles_strictly(tmp_path, compiler, std):
    src = tmp_path / ("t.c" if compiler == "gcc" else "t.cpp")
    src.write_text('#include "npshm.h"\nint main(void) { return npshm_version_number() > 0 ? 0 : 1; }\n')
    subprocess.run([compiler, std, "-Wall", "-Wextra", "-pedantic", "-Werror", "-I", str(ROOT / "include"),
                    "-c", str(src), "-o", str(tmp_path / "t.o")], check=True)


def test_meson_install_layout(tmp_path):
    build = os.environ.get("NPSHM_BUILD_DIR")
    if not build:
        pytest.skip("NPSHM_BUILD_DIR not set (run through meson test)")
    dest = tmp_path / "root"
    subprocess.run(["meson", "install", "-C", build, "--destdir", str(dest), "--quiet",
                    "--tags", "runtime,devel"], check=True, capture_output=True)
    files = {str(p.relative_to(dest)) for p in dest.rglob("*")}
    assert any(f.endswith("include/npshm.h") for f in files), files
    assert any(f.endswith("libnpshm.so.0") for f in files), files
    pc = [p for p in dest.rglob("npshm.pc")]
    assert pc, files
    text = pc[0].read_text()
    assert "Libs:" in text and "-lnpshm" in text

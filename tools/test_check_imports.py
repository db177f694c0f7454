#!/usr/bin/python3
"""check_imports.py catches what it is for: on a scratch tree it passes
without circles and fails, naming the modules, on a Python circle (also a
lazy import inside a function), a relative-import circle in a subpackage
and a C include circle; on an include against core's layers; and on an
include of the ABI header npshm.h from core/ outside core/abi/."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def write(root, path, text):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as f:
        f.write(text)


def check(root):
    r = subprocess.run([sys.executable, os.path.join(HERE, "check_imports.py"), "--root", root],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout


def main():
    failures = 0
    cases = {
        "no circle": ({"bindings/python/npshm/__init__.py": "from . import a\n",
                       "bindings/python/npshm/a.py": "from .b import x\n",
                       "bindings/python/npshm/b.py": "x = 1\n",
                       "core/a.cpp": '#include "a.hpp"\n#include "b.hpp"\n',
                       "core/a.hpp": "", "core/b.hpp": ""}, 0, []),
        "lazy Python circle": ({"bindings/python/npshm/__init__.py": "",
                                "bindings/python/npshm/a.py": "from .b import x\n",
                                "bindings/python/npshm/b.py": "def f():\n    from .a import y\n"},
                               1, ["npshm.a", "npshm.b"]),
        "subpackage circle": ({"bindings/python/npshm/__init__.py": "",
                               "bindings/python/npshm/sub/__init__.py": "",
                               "bindings/python/npshm/sub/a.py": "from ..c import z\n",
                               "bindings/python/npshm/c.py": "import npshm.sub.a\n"},
                              1, ["npshm.c", "npshm.sub.a"]),
        "C include circle": ({"bindings/r/npshm/src/x.c": '#include "y.h"\n',
                              "bindings/r/npshm/src/x.h": "",
                              "bindings/r/npshm/src/y.c": '#include "x.h"\n',
                              "bindings/r/npshm/src/y.h": ""},
                             1, ["src/x", "src/y"]),
        "core layers kept": ({"core/store/s.cpp": '#include "format/f.hpp"\n#include "platform/p.hpp"\n',
                              "core/format/f.hpp": '#include "common/c.hpp"\n',
                              "core/common/c.hpp": "", "core/platform/p.hpp": ""}, 0, []),
        "core include reaching up": ({"core/format/f.cpp": '#include "store/s.hpp"\n',
                                      "core/store/s.hpp": ""},
                                     1, ["core/format/f includes core/store/s"]),
        "core include sideways": ({"core/common/c.cpp": '#include "platform/p.hpp"\n',
                                   "core/platform/p.hpp": ""},
                                  1, ["core/common/c includes core/platform/p"]),
        "ABI header in core/abi/ only": ({"core/abi/capi.cpp": '#include "npshm.h"\n#include "common/c.hpp"\n',
                                          "core/common/c.hpp": "// the core's own codes; see npshm.h\n",
                                          "include/npshm.h": ""}, 0, []),
        "ABI header in a core header": ({"core/common/c.hpp": '#pragma once\n\n#include "npshm.h"\n',
                                         "include/npshm.h": ""},
                                        1, ["core/common/c.hpp:3 includes npshm.h"]),
        "ABI header by another spelling": ({"core/store/s.cpp": "#include <stdio.h>\n#  include <npshm.h>\n",
                                            "core/format/f.cpp": '#include "../../include/npshm.h"\n'},
                                           1, ["core/store/s.cpp:2 includes npshm.h",
                                               "core/format/f.cpp:1 includes npshm.h"]),
    }
    for title, (files, expected, names) in cases.items():
        with tempfile.TemporaryDirectory(prefix="npshm-test-imports-") as root:
            for path, text in files.items():
                write(root, path, text)
            code, out = check(root)
        ok = code == expected and all(n in out for n in names)
        print(f"{'ok  ' if ok else 'FAIL'} {title}: exit {code}")
        if not ok:
            print(out)
            failures += 1
    print(f"SUMMARY: {len(cases) - failures} passed, {failures} failed, 0 skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

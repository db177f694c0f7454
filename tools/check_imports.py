#!/usr/bin/python3
"""No import circles: the modules of each part of the tree import each
other only one way.

    check_imports.py [--root DIR] [--graph]

Reads the import graph of
  - each Python package (bindings/python/npshm and its subpackages):
    `import npshm.x`, `from npshm import x`, `from . import x`,
    `from .x import y`, `from ..x import y`, at any depth of the file
    (an import inside a function is still an edge: it is a circle too,
    only a lazy one);
  - each folder of C and C++ code (core/ and its subfolders, cli/,
    bindings/python/src, bindings/r/npshm/src): a module is a file's name
    without its extension (x.hpp and x.cpp are one module x), and
    `#include "y.h"` makes an edge from x to y;
and prints every circle (a strongly connected set of two or more modules,
or a module importing itself), with one of its cycles spelled out.  Also
checks the layers of core/ (CORE_LAYERS): a file includes from its own
folder and from folders of lower layers only, and prints every include
that reaches up or sideways; and that only core/abi/ includes the C ABI's
header (ABI_HEADER): the rest of the core has its own enumerations and
constants, which abi/capi.cpp maps to the ABI's.  Exits 1 if there is any
of these.  --graph prints every edge too.
"""

import argparse
import ast
import os
import re
import sys

PYTHON_PACKAGES = ["bindings/python/npshm"]
C_FOLDERS = ["core", "cli", "bindings/python/src", "bindings/r/npshm/src"]
C_EXTENSIONS = (".c", ".cpp", ".h", ".hpp")
# core/'s folders, top layer first; folders of one layer include nothing of
# each other.
CORE_LAYERS = [["abi"], ["sync"], ["store"], ["format"], ["common", "platform"]]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# The C ABI's public header, and the core/ folders that may include it.
ABI_HEADER = "npshm.h"
ABI_FOLDERS = ["abi"]
ANY_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*[<"]([^">]+)[">]', re.M)


def python_graph(root, package_dir):
    """Edges between the modules of one Python package (dotted names
    relative to the package's parent, e.g. npshm._api)."""
    base = os.path.join(root, package_dir)
    top = os.path.basename(package_dir)
    modules = {}
    for folder, _, files in os.walk(base):
        rel = os.path.relpath(folder, os.path.dirname(base)).replace(os.sep, ".")
        for f in files:
            if f.endswith(".py"):
                name = rel if f == "__init__.py" else f"{rel}.{f[:-3]}"
                modules[name] = (os.path.join(folder, f), f == "__init__.py")
    edges = {m: set() for m in modules}
    for name, (path, is_package) in modules.items():
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), filename=path)
        here = name if is_package else name.rsplit(".", 1)[0]
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = here.split(".")
                    anchor = anchor[:len(anchor) - (node.level - 1)]
                    mod = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
            for t in targets:
                # The longest known module the import names.
                while t and t not in modules:
                    t = t.rsplit(".", 1)[0] if "." in t else ""
                if t and t.split(".")[0] == top and t != name:
                    edges[name].add(t)
    # `from npshm import x` in a submodule names the package: every
    # submodule is imported after npshm/__init__ has started, so an edge to
    # the package itself says nothing about order.  Drop edges into a
    # package from its own submodules.
    for name in edges:
        edges[name] = {t for t in edges[name] if not name.startswith(t + ".")}
    return edges


def c_graph(root, folder):
    """Edges between the modules (file stems) of one C/C++ folder tree."""
    base = os.path.join(root, folder)
    stems = {}
    for d, _, files in os.walk(base):
        for f in files:
            if f.endswith(C_EXTENSIONS):
                rel = os.path.relpath(os.path.join(d, f), base)
                stems.setdefault(os.path.splitext(rel)[0], []).append(os.path.join(d, f))
    by_file = {os.path.basename(p): s for s, paths in stems.items() for p in paths}
    edges = {s: set() for s in stems}
    for stem, paths in stems.items():
        for p in paths:
            with open(p, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            for inc in INCLUDE.findall(text):
                target = by_file.get(os.path.basename(inc))
                if target is not None and target != stem:
                    edges[stem].add(target)
    return {f"{folder}/{s}": {f"{folder}/{t}" for t in ts} for s, ts in edges.items()}


def layer_violations(edges):
    """The edges between core/ folders that CORE_LAYERS does not allow."""
    rank = {folder: i for i, layer in enumerate(CORE_LAYERS) for folder in layer}
    bad = []
    for v, targets in edges.items():
        for w in targets:
            parts_v, parts_w = v.split("/"), w.split("/")
            if parts_v[0] != "core" or len(parts_v) < 3 or len(parts_w) < 3:
                continue
            fv, fw = parts_v[1], parts_w[1]
            if fv == fw:
                continue
            if fv not in rank or fw not in rank:
                bad.append((v, w, f"core/{fv if fv not in rank else fw}/ is in no layer of CORE_LAYERS"))
            elif rank[fw] <= rank[fv]:
                bad.append((v, w, f"core/{fv}/ may not include from core/{fw}/ (not a lower layer)"))
    return sorted(bad)


def abi_header_includes(root):
    """(file, line) of every include of ABI_HEADER in core/ outside
    ABI_FOLDERS, as "<...>" or "..." and by any path ending in it."""
    base = os.path.join(root, "core")
    found = []
    for d, _, files in os.walk(base):
        rel_dir = os.path.relpath(d, base).replace(os.sep, "/")
        if rel_dir.split("/")[0] in ABI_FOLDERS:
            continue
        for f in files:
            if not f.endswith(C_EXTENSIONS):
                continue
            path = os.path.join(d, f)
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            for m in ANY_INCLUDE.finditer(text):
                if os.path.basename(m.group(1)) == ABI_HEADER:
                    line = text.count("\n", 0, m.start(1)) + 1
                    found.append((os.path.relpath(path, root).replace(os.sep, "/"), line))
    return sorted(found)


def circles(edges):
    """Strongly connected components of two or more nodes (Tarjan)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def one_cycle(edges, component):
    """A cycle through the component's first module, as a list."""
    members = set(component)
    start = component[0]
    path, seen = [start], {start}

    def walk(v):
        for w in sorted(edges[v]):
            if w == start and len(path) > 1:
                return True
            if w in members and w not in seen:
                path.append(w)
                seen.add(w)
                if walk(w):
                    return True
                path.pop()
        return False

    walk(start)
    return path + [start]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    parser.add_argument("--graph", action="store_true", help="print every edge")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    graphs = [python_graph(root, p) for p in PYTHON_PACKAGES if os.path.isdir(os.path.join(root, p))]
    graphs += [c_graph(root, f) for f in C_FOLDERS if os.path.isdir(os.path.join(root, f))]
    bad = 0
    layers = 0
    modules = 0
    for edges in graphs:
        modules += len(edges)
        if args.graph:
            for v in sorted(edges):
                for w in sorted(edges[v]):
                    print(f"{v} -> {w}")
        for component in circles(edges):
            bad += 1
            print(f"import circle among {', '.join(component)}:\n    "
                  + " -> ".join(one_cycle(edges, component)))
        for v, w, why in layer_violations(edges):
            layers += 1
            print(f"layer: {v} includes {w}: {why}")
    abi = abi_header_includes(root) if os.path.isdir(os.path.join(root, "core")) else []
    for path, line in abi:
        print(f"abi header: {path}:{line} includes {ABI_HEADER}: only core/{', core/'.join(ABI_FOLDERS)}/ may "
              "(the core uses its own enumerations and constants; abi/capi.cpp maps them to the ABI's)")
    print(f"check_imports: {modules} modules, {bad} circle(s), {layers} include(s) against core's layers, "
          f"{len(abi)} include(s) of {ABI_HEADER} outside core/abi/")
    return 1 if bad or layers or abi else 0


if __name__ == "__main__":
    sys.exit(main())

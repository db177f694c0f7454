#!/usr/bin/python3
"""Build the documentation site and look at it as a reader does: in a
browser (headless Chromium, 1280 px wide).

  1. sphinx-build -W docs OUT/html (unless --site names a built site);
  2. screenshots of the index and of each reference page (with
     --every-page: of every page), kept in OUT/screenshots/ (test
     artifacts: look at them);
  3. checks, on the DOM Chromium builds (--dump-dom) of every page (the
     anchors: of the references) and on the HTML of every page:
       - no backspace overstrike (\\b) anywhere;
       - each entry of the navigation sidebar once;
       - an anchor per public function: every function of include/npshm.h
         (tools/npshm_header.py) in the C reference (#c.NAME), every name of
         npshm.__all__ in the Python reference (#npshm.NAME), every export
         of the R package's NAMESPACE in the R reference (#NAME);
       - no "Alias for field number" (namedtuple noise) in the references;
       - no block of code, signature or table wider than its box (a
         horizontal scroll bar), measured by Chromium itself;
       - every internal link (href, src) leads to a file that exists, and
         its #fragment to an id on that page.

Environment: NPSHM_BUILD_DIR (the meson build: the docs find its CLI and
Python package), CHROMIUM (default: chromium).  Exit 0 when all checks pass,
1 otherwise, 77 (skip) when Chromium is not installed.
"""
import argparse
import html.parser
import inspect
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import npshm_header  # noqa: E402

# The pages a reader of the references lands on, screenshot and DOM-checked.
SHOT_PAGES = ["index", "c-reference", "python-reference", "r-reference", "cli-reference"]
WIDTH, HEIGHT = 1280, 1600
# Containers of the navigation sidebar in the themes Debian packages.
NAV_CLASSES = ("sidebar-tree", "sphinxsidebarwrapper", "wy-menu", "bd-links")


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], []

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class Tree(html.parser.HTMLParser):
    """A small DOM of an HTML page (ids, links, classes, text)."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.node = self.root
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.node)
        self.node.children.append(node)
        if tag not in self.VOID:
            self.node = node

    def handle_startendtag(self, tag, attrs):
        self.node.children.append(Node(tag, attrs, self.node))

    def handle_endtag(self, tag):
        node = self.node
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.node = node.parent

    def handle_data(self, data):
        self.node.text.append(data)

    def ids(self):
        return {n.attrs["id"] for n in self.root.walk() if n.attrs.get("id")}


class Browser:
    """Headless Chromium with a private profile inside the output folder."""

    def __init__(self, program, out):
        self.program, self.profiles = program, out / "chromium-profiles"
        self.profiles.mkdir(exist_ok=True)

    def run(self, args, timeout=120):
        """Chromium with args, in a session of its own: on a timeout the
        whole session (its renderer and helper processes too) is killed.
        Its temporary files go into its profile, removed with the profiles."""
        # one profile per instance: instances sharing one refuse to start
        profile = tempfile.mkdtemp(dir=self.profiles)
        base = [self.program, "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--no-first-run", "--disable-extensions",
                "--disable-crash-reporter", "--allow-file-access-from-files",
                f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}"]
        with subprocess.Popen(base + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=dict(os.environ, TMPDIR=profile),
                              start_new_session=True) as chromium:
            try:
                out, err = chromium.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(chromium.pid, signal.SIGKILL)
                chromium.communicate()
                raise
        return subprocess.CompletedProcess(chromium.args, chromium.returncode, out, err)

    def screenshot(self, url, png):
        try:
            done = self.run([f"--screenshot={png}", url])
        except subprocess.TimeoutExpired:
            # Headless Chromium now and then never finishes a screenshot
            # (seen once in many runs, on an idle machine): one more try,
            # said in the log; a second hang fails the check.
            print(f"chromium hung on a screenshot of {url}; trying once more", flush=True)
            done = self.run([f"--screenshot={png}", url])
        if done.returncode != 0 or not png.is_file():
            raise RuntimeError(f"chromium --screenshot {url}: exit {done.returncode}: "
                               f"{done.stderr.strip()[-500:]}")

    def dom(self, url, budget_ms=0):
        extra = [f"--virtual-time-budget={budget_ms}"] if budget_ms else []
        done = self.run(extra + ["--dump-dom", url])
        if done.returncode != 0 or "<html" not in done.stdout:
            raise RuntimeError(f"chromium --dump-dom {url}: exit {done.returncode}: "
                               f"{done.stderr.strip()[-500:]}")
        return done.stdout


def png_size(path):
    data = path.read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", data[16:24])


# A page that loads the site's pages in frames as wide as the window and
# reports, for each, what the browser built: the ids, the links of the
# navigation sidebar, the text, and the blocks of code, signatures and tables
# wider than their box (what a reader would have to scroll sideways).
PROBE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<pre id="result">pending</pre>
<script>
var pages = %(pages)s, nav = %(nav)s, report = {}, left = pages.length;
function probe(name, frame) {
  var d = frame.contentDocument, r = {ids: [], nav: null, text: "", wide: []};
  if (!d) { r.error = "no access to the page's DOM"; }
  else {
    d.querySelectorAll("[id]").forEach(function (e) { r.ids.push(e.id); });
    for (var i = 0; i < nav.length && r.nav === null; i++) {
      var n = d.querySelector("." + nav[i]);
      if (n) {
        r.nav = [];
        n.querySelectorAll("a.reference.internal").forEach(function (a) {
          r.nav.push(a.getAttribute("href"));
        });
      }
    }
    r.text = d.body ? d.body.textContent : "";
    d.querySelectorAll("pre, dt.sig, table").forEach(function (e) {
      var box = e.closest(".highlight, .table-wrapper") || e;
      if (e.scrollWidth > box.clientWidth + 1) {
        var s = e.closest("[id]");
        r.wide.push(e.tagName.toLowerCase() + " near #" + (s ? s.id : "") + ": " +
                    e.scrollWidth + " px in " + box.clientWidth + " px: " +
                    e.textContent.trim().split("\\n")[0].slice(0, 70));
      }
    });
  }
  report[name] = r;
  if (--left === 0) document.getElementById("result").textContent = JSON.stringify(report);
}
pages.forEach(function (p) {
  var f = document.createElement("iframe");
  f.style.cssText = "width:%(width)dpx;height:%(height)dpx;border:0;display:block";
  f.addEventListener("load", function () { probe(p[0], f); });
  f.src = p[1];
  document.body.appendChild(f);
});
</script></body></html>
"""


def expected_anchors(build):
    """{page: {anchor id: what}} of every public function."""
    header = npshm_header.parse_header(ROOT / "include" / "npshm.h")
    c = {f"c.{f.name}": f"C function {f.name}" for f in header.functions}
    sys.path.insert(0, str(build / "bindings" / "python"))
    import npshm
    py = {}
    for name in npshm.__all__:
        py[f"npshm.{name}"] = f"Python npshm.{name}"
    namespace = (ROOT / "bindings" / "r" / "npshm" / "NAMESPACE").read_text()
    exports = [n.strip() for block in re.findall(r"^export\(([^)]*)\)", namespace, flags=re.M)
               for n in block.split(",") if n.strip()]
    r = {name: f"R function {name}" for name in exports}
    return {"c-reference": c, "python-reference": py, "r-reference": r}, npshm


def python_anchor_ok(anchor, ids, npshm):
    """npshm.NAME, or for a module in __all__ its module anchor."""
    if anchor in ids:
        return True
    obj = getattr(npshm, anchor.split(".", 1)[1], None)
    return inspect.ismodule(obj) and f"module-{anchor}" in ids


def nav_links(tree):
    """The hrefs of the navigation sidebar, in order."""
    for node in tree.root.walk():
        if any(c in NAV_CLASSES for c in node.classes()):
            return [n.attrs["href"] for n in node.walk()
                    if n.tag == "a" and n.attrs.get("href")
                    and "reference" in n.classes() and "internal" in n.classes()]
    return None


def check_links(site, pages):
    problems = []
    ids_of = {}

    def ids(path):
        if path not in ids_of:
            ids_of[path] = Tree(path.read_text(encoding="utf-8", errors="replace")).ids() \
                if path.suffix == ".html" else set()
        return ids_of[path]

    for page, tree in pages.items():
        for node in tree.root.walk():
            for attr in ("href", "src"):
                link = node.attrs.get(attr)
                if not link or link.startswith(("mailto:", "javascript:", "data:")):
                    continue
                parts = urlsplit(link)
                if parts.scheme or parts.netloc:
                    continue                      # external: not checked here
                target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
                if not target.is_file():
                    if target.is_dir() and (target / "index.html").is_file():
                        target = target / "index.html"
                    else:
                        problems.append(f"{page.relative_to(site)}: broken link {link}")
                        continue
                if parts.fragment and parts.fragment not in ids(target):
                    problems.append(f"{page.relative_to(site)}: link {link}: no id "
                                    f"{parts.fragment!r} in {target.relative_to(site)}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path,
                        help="folder for the site (html/), doctrees and screenshots/")
    parser.add_argument("--site", type=Path, help="check this built site instead of building")
    parser.add_argument("--sphinx-build", default="sphinx-build")
    parser.add_argument("--every-page", action="store_true",
                        help="screenshots of every page, not only of the index and the "
                             "references (to look at the whole site; slower)")
    args = parser.parse_args()
    out = args.out.resolve()
    build = Path(os.environ.get("NPSHM_BUILD_DIR", ROOT / "build")).resolve()
    chromium = shutil.which(os.environ.get("CHROMIUM", "chromium"))
    if chromium is None:
        print("SKIP: chromium is not installed (apt-get install chromium; scripts/install-deps)")
        return 77
    out.mkdir(parents=True, exist_ok=True)
    problems = []

    # 1. build
    site = args.site.resolve() if args.site else out / "html"
    if not args.site:
        started = time.monotonic()
        done = subprocess.run([args.sphinx_build, "-W", "--keep-going", "-q", "-E", "-b", "html",
                               "-d", str(out / "doctrees"), str(ROOT / "docs"), str(site)],
                              capture_output=True, text=True, timeout=600)
        print(f"sphinx-build: exit {done.returncode} in {time.monotonic() - started:.1f} s")
        if done.returncode != 0:
            print(done.stdout + done.stderr)
            print("FAIL: the site does not build without warnings")
            return 1

    # 2. screenshots and DOMs, in the browser
    shots = out / "screenshots"
    if shots.exists():
        shutil.rmtree(shots)
    shots.mkdir()
    browser = Browser(chromium, out)
    started = time.monotonic()
    present = [n for n in SHOT_PAGES if (site / f"{n}.html").is_file()]
    problems += [f"no page {n}.html in the site" for n in SHOT_PAGES if n not in present]
    # every page is probed; screenshots of the references (of all with --every-page)
    probed = present + sorted(p.stem for p in site.glob("*.html")
                              if p.stem not in present and p.stem not in ("genindex", "search"))
    shot_pages = probed if args.every_page else present
    probe = out / "probe.html"
    probe.write_text(PROBE % {"pages": json.dumps([[n, (site / f"{n}.html").as_uri()]
                                                   for n in probed]),
                              "nav": json.dumps(NAV_CLASSES), "width": WIDTH, "height": HEIGHT})
    doms = {}
    with ThreadPoolExecutor(max_workers=3) as pool:
        shots_done = {n: pool.submit(browser.screenshot, (site / f"{n}.html").as_uri(),
                                     shots / f"{n}.png") for n in shot_pages}
        dom = pool.submit(browser.dom, probe.as_uri(), 60000)
        for name, done in shots_done.items():
            try:
                done.result()
                size = png_size(shots / f"{name}.png")
                if not size or size[0] != WIDTH:
                    problems.append(f"screenshot {name}.png: size {size}, not {WIDTH} px wide")
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                problems.append(str(exc))
        try:
            result = Tree(dom.result())
            text = "".join(t for n in result.root.walk() if n.attrs.get("id") == "result"
                           for t in n.text)
            doms = json.loads(text)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            problems.append(str(exc))
        except ValueError:
            problems.append(f"the DOM probe did not finish: {text[:200]!r}")
    shutil.rmtree(browser.profiles, ignore_errors=True)
    probe.unlink()
    print(f"chromium: {len(shot_pages)} screenshots, {len(probed)} DOMs in {time.monotonic() - started:.1f} s;"
          f" screenshots in {shots}")

    # 3. checks
    pages = {p: Tree(p.read_text(encoding="utf-8", errors="replace"))
             for p in sorted(site.rglob("*.html"))}
    for page in pages:
        raw = page.read_bytes()
        if b"\x08" in raw or b"&#8;" in raw or b"&#x8;" in raw:
            problems.append(f"{page.relative_to(site)}: backspace overstrike characters (\\b)")
    for name, dom in doms.items():
        if dom.get("error"):
            problems.append(f"{name}: {dom['error']}")
            continue
        if "\x08" in dom["text"]:
            problems.append(f"{name} (browser DOM): backspace overstrike characters (\\b)")
        links = dom["nav"]
        if links is None:
            problems.append(f"{name}: no navigation sidebar found")
        else:
            repeated = sorted({l for l in links if links.count(l) > 1})
            if repeated:
                problems.append(f"{name}: navigation lists {len(repeated)} entries more than "
                                f"once: {', '.join(repeated)}")
        if name != "index" and "Alias for field number" in dom["text"]:
            problems.append(f"{name}: shows namedtuple noise \"Alias for field number\"")
        for line in dom["wide"]:
            problems.append(f"{name}: scrolls sideways: {line}")
    expected, npshm = expected_anchors(build)
    for name, anchors in expected.items():
        if name not in doms:
            continue
        ids = set(doms[name]["ids"])
        missing = [what for anchor, what in anchors.items()
                   if not (python_anchor_ok(anchor, ids, npshm) if name == "python-reference"
                           else anchor in ids)]
        if missing:
            problems.append(f"{name}: no anchored entry for {len(missing)} of {len(anchors)} "
                            f"public functions: {', '.join(missing)}")
        else:
            print(f"ok   {name}: an anchor for each of {len(anchors)} public names")
    problems += check_links(site, pages)

    for p in problems:
        print(f"FAIL {p}")
    print(f"SUMMARY: {len(pages)} pages, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

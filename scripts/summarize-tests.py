#!/usr/bin/python3
"""Sum the results of every test suite into one line "N passed, N failed,
N skipped".  Reads meson's testlog.json files: a test program's own counts
(CMocka's closing lines, pytest's summary, or a line "SUMMARY: N passed,
M failed, K skipped") when it printed them, else one test per meson test."""
import json
import re
import sys

CMOCKA = {
    "passed": re.compile(r"^\[  PASSED  \] (\d+) test", re.M),
    "failed": re.compile(r"^\[  FAILED  \] (\d+) test", re.M),
    "skipped": re.compile(r"^\[  SKIPPED \] (\d+) test", re.M),
}
PYTEST_LINE = re.compile(r"^=*\s*((?:\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed|deselected)"
                         r"(?:, )?)+)(?: in [\d.]+s.*)?\s*=*$", re.M)
SUMMARY_LINE = re.compile(r"^SUMMARY: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$", re.M)


def counts_of(output: str):
    m = SUMMARY_LINE.findall(output)
    if m:
        p, f, s = m[-1]
        return int(p), int(f), int(s or 0)
    if CMOCKA["passed"].search(output) or CMOCKA["failed"].search(output):
        got = {k: sum(int(x) for x in r.findall(output)) for k, r in CMOCKA.items()}
        return got["passed"], got["failed"], got["skipped"]
    m = PYTEST_LINE.findall(output)
    if m:
        words = dict((w, 0) for w in ("passed", "failed", "skipped", "error", "errors", "xfailed", "xpassed"))
        for n, w in re.findall(r"(\d+) (\w+)", m[-1]):
            if w in words:
                words[w] += int(n)
        return (words["passed"] + words["xfailed"],
                words["failed"] + words["error"] + words["errors"] + words["xpassed"],
                words["skipped"])
    return None


def main(logs):
    passed = failed = skipped = 0
    for log in logs:
        try:
            lines = open(log, encoding="utf-8").read().splitlines()
        except FileNotFoundError:
            print(f"summarize: {log} missing: counted as a failure", file=sys.stderr)
            failed += 1
            continue
        for line in lines:
            t = json.loads(line)
            output = (t.get("stdout") or "") + "\n" + (t.get("stderr") or "")
            result = t.get("result", "")
            c = counts_of(output)
            ok = result in ("OK", "EXPECTEDFAIL")
            if c is None:
                c = (1, 0, 0) if ok else (0, 0, 1) if result == "SKIP" else (0, 1, 0)
            elif not ok and result != "SKIP" and c[1] == 0:
                c = (c[0], 1, c[2])  # crashed or exited badly after its summary
            passed, failed, skipped = passed + c[0], failed + c[1], skipped + c[2]
            print(f"  {t.get('name', '?'):40s} {result:8s} {c[0]} passed, {c[1]} failed, {c[2]} skipped",
                  file=sys.stderr)
    return passed, failed, skipped


if __name__ == "__main__":
    extra_failed = int(sys.argv[1])
    p, f, s = main(sys.argv[2:])
    print(f"{p} passed, {f + extra_failed} failed, {s} skipped")

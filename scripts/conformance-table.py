#!/usr/bin/env python3
"""Turn a run-libuv-tests.sh results TSV into a markdown table per area, for the README.

Usage: conformance-table.py RESULTS.tsv [--version V] [--baseline BASELINE.tsv] [--failures]

Columns: area, total, pass, fail, skip, timeout, crash, not-built, and "libuv V": how
many of the same tests pass on the real libuv V (default 1.44.2; the baseline TSV, default
<repo>/../shared/conformance/baseline-libuv-V.tsv or $RSUV_SHARED/...), then the
closing line "conformance: N passed, M failed, K skipped" as the runner prints it.
--failures also lists every test that did not pass or skip, with the runner's detail.
"""
import argparse
import collections
import os
import sys

STATUSES = ["pass", "fail", "skip", "timeout", "crash", "not-built"]


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            if not line.strip():
                continue
            cells = line.rstrip("\n").split("\t")
            cells += [""] * (len(header) - len(cells))
            rows.append(dict(zip(header, cells)))
    return rows


def default_baseline(version="1.44.2"):
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.environ.get("RSUV_SHARED") or os.path.join(here, "..", "..", "shared")
    return os.path.join(shared, "conformance", f"baseline-libuv-{version}.tsv")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("--version", default="1.44.2", help="the libuv suite the results are of")
    ap.add_argument("--baseline", default=None)
    ap.add_argument("--failures", action="store_true", help="list tests that failed")
    args = ap.parse_args()

    args.baseline = args.baseline or default_baseline(args.version)
    rows = read_tsv(args.results)
    baseline = {}
    if os.path.exists(args.baseline):
        baseline = {r["test"]: r.get("status", "") for r in read_tsv(args.baseline)}
    else:
        print(f"(no baseline at {args.baseline})", file=sys.stderr)

    per_area = collections.defaultdict(collections.Counter)
    base_pass = collections.Counter()
    for r in rows:
        area = r.get("area") or "misc"
        per_area[area][r["status"]] += 1
        per_area[area]["total"] += 1
        if baseline.get(r["test"]) == "pass":
            base_pass[area] += 1

    cols = ["area", "total"] + STATUSES + [f"libuv {args.version}"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(cols) - 1)) + "|")
    total = collections.Counter()
    for area in sorted(per_area):
        c = per_area[area]
        total.update(c)
        cells = [area, str(c["total"])] + [str(c[s]) for s in STATUSES] + [str(base_pass[area])]
        print("| " + " | ".join(cells) + " |")
    cells = ["**total**", f"**{total['total']}**"] + [f"**{total[s]}**" for s in STATUSES]
    cells.append(f"**{sum(base_pass.values())}**")
    print("| " + " | ".join(cells) + " |")

    failed = sum(total[s] for s in ("fail", "timeout", "crash", "not-built"))
    print()
    print(f"conformance: {total['pass']} passed, {failed} failed, {total['skip']} skipped "
          f"of {total['total']} (libuv {args.version} passes {sum(base_pass.values())} of these)")
    regressions = [r["test"] for r in rows if r["status"] != "pass" and baseline.get(r["test"]) == "pass"]
    print(f"passing on libuv but not here: {len(regressions)}")

    if args.failures:
        bad = [r for r in rows if r["status"] not in ("pass", "skip")]
        if bad:
            print()
            for r in sorted(bad, key=lambda r: (r.get("area", ""), r["test"])):
                detail = (r.get("detail") or "")[:110]
                print(f"  {r['test']:<48} {r['status']:<9} {detail}")


if __name__ == "__main__":
    main()

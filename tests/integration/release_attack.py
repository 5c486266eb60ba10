#!/usr/bin/env python3
"""The attacker of docs/publication.md, with GLPK (glpsol) as the solver.

usage: release_attack.py TRUTH.csv RELEASE_DIR [RELEASE_DIR ...]

It reads every figure of the given releases (data.json: the same figures as
data.csv and the page), knows the hierarchy (provinces sum to the nation) and time
additivity (months sum to quarters, quarters to the year), and for every cell whose
true count (TRUTH.csv: code,window,cases) is 1..4 computes the smallest and largest
value consistent with everything published, as two linear programs. Published "<5"
means 0..4, "x" means >= 5, a number is exact. Several releases are attacked
together (same cell = same unknown). Exit status 0 iff every such cell keeps at
least 3 feasible integers; prints one summary line and each failing cell.
"""
import csv, json, math, os, re, subprocess, sys, tempfile

def main():
    truth_path, dirs = sys.argv[1], sys.argv[2:]
    bounds, windows, codes = {}, {}, set()
    for d in dirs:
        rel = json.load(open(os.path.join(d, "data.json"), encoding="utf-8"))
        for w in rel["windows"]:
            windows[w["id"]] = w
        for f in rel["figures"]:
            if f["level"] not in ("national", "province"):
                sys.exit("non-aggregate level published: %r" % f)
            key = (f["code"], f["window"])
            if f["level"] == "province":
                codes.add(f["code"])
            c = f["cases"]
            b = (c, c) if isinstance(c, int) else (0, 4) if c == "<5" else (5, None) if c == "x" else None
            if b is None:
                sys.exit("unknown published value %r" % f)
            if isinstance(c, int) and 1 <= c <= 4:
                sys.exit("a count 1..4 is published: %r" % f)
            old = bounds.get(key)
            if old:  # tighten with both releases
                lo = max(old[0], b[0])
                hi = b[1] if old[1] is None else old[1] if b[1] is None else min(old[1], b[1])
                b = (lo, hi)
            bounds[key] = b
    var = {k: "v%d" % i for i, k in enumerate(sorted(bounds))}
    rows = []
    def eq(lhs, parts):
        if lhs in var and parts and all(p in var for p in parts):
            rows.append("%s - %s = 0" % (var[lhs], " - ".join(var[p] for p in parts)))
    for wid, w in windows.items():
        # hierarchy: nation = sum of provinces
        eq(("VN", wid), [(c, wid) for c in sorted(codes)])
        # time: the year = its quarters; a national quarter = its months
        if w["kind"] == "year":
            qs = [q for q, x in windows.items() if x["kind"] == "quarter" and q.startswith(wid)]
            if len(qs) == 4:
                for c in ["VN"] + sorted(codes):
                    eq((c, wid), [(c, q) for q in qs])
        if w["kind"] == "quarter":
            eq(("VN", wid), [("VN", m) for m in w["months"]])
    truth = {}
    for r in csv.DictReader(open(truth_path, encoding="utf-8")):
        truth[(r["code"], r["window"])] = int(r["cases"])
    targets = [k for k in sorted(bounds) if 1 <= truth.get(k, 0) <= 4]
    tmp = tempfile.mkdtemp()
    def solve(k, sense):
        path = os.path.join(tmp, "a.lp")
        with open(path, "w") as f:
            f.write("%s\n obj: %s\nSubject To\n" % (sense, var[k]))
            for i, r in enumerate(rows):
                f.write(" c%d: %s\n" % (i, r))
            f.write("Bounds\n")
            for key, (lo, hi) in bounds.items():
                f.write(" %s <= %s <= %s\n" % (lo, var[key], hi) if hi is not None else " %s >= %s\n" % (var[key], lo))
            f.write("End\n")
        out = subprocess.run(["glpsol", "--lp", path, "-o", path + ".out"], capture_output=True, text=True)
        txt = open(path + ".out").read()
        m = re.search(r"Objective:\s+obj = ([-0-9.e+]+)", txt)
        if not m:
            sys.exit("glpsol failed on %s:\n%s%s" % (k, out.stdout, txt))
        return float(m.group(1))
    fails, widths = [], []
    for k in targets:
        lo, hi = solve(k, "Minimize"), solve(k, "Maximize")
        n = math.floor(hi + 1e-6) - math.ceil(lo - 1e-6) + 1
        widths.append(n)
        if n < 3:
            fails.append("%s %s true=%d feasible=[%g, %g] (%d integers)" % (k[0], k[1], truth[k], lo, hi, n))
    print("cells published: %d, constraints: %d, cells 1..4 attacked: %d, fewest feasible integers: %s, failures: %d"
          % (len(bounds), len(rows), len(targets), min(widths) if widths else "-", len(fails)))
    for f in fails:
        print("NARROWED:", f)
    sys.exit(1 if fails else 0)

main()

#!/usr/bin/env python3
"""Checks on a release folder written by `hotspot publish` (stdlib only).

  release_check.py manifest DIR
      every file under DIR (tiles included) is in manifest.json with its SHA-256 and
      size, and every manifest entry exists.
  release_check.py scan DIR UNITS.csv
      UNITS.csv: level,code,name of every unit. Over every text file of a public set
      (CSV, JSON, HTML, the <text> of every SVG): no commune code or commune name at
      all, and no number 1..4 next to a unit name or code (a CSV row or JSON object
      naming a unit holds no integer 1..4; in HTML and SVG text, no integer 1..4 within
      40 characters after a unit name or code, or in the same table row).
  release_check.py netlog NETLOG.json ORIGIN MIN_REQUESTS
      Chromium's --log-net-log: every request the page made (initiator ORIGIN) went to
      ORIGIN and was answered 200, with no network error; at least MIN_REQUESTS of them.
  release_check.py pngdiff A.png B.png MAX_FRACTION [DIFF.png]
      fraction of pixels whose largest channel difference exceeds 48 is at most
      MAX_FRACTION; sizes must match. Writes a difference mask when asked.
  release_check.py ebclasses MAP.svg DATA.csv WINDOW
      the EB map fills at least as many class colours as there are classes among the
      province EB rates data.csv publishes for WINDOW (shown provinces are coloured).
"""
import csv, hashlib, html, json, os, re, struct, sys, zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pngread  # noqa: E402  (the tests' one PNG decoder)

def walk(d):
    for root, _dirs, files in os.walk(d):
        for f in files:
            p = os.path.join(root, f)
            yield os.path.relpath(p, d).replace(os.sep, "/")

def cmd_manifest(d):
    m = json.load(open(os.path.join(d, "manifest.json"), encoding="utf-8"))
    files = m["files"]
    assert files, "empty manifest"
    for name, e in files.items():
        data = open(os.path.join(d, name), "rb").read()
        if hashlib.sha256(data).hexdigest() != e["sha256"]:
            sys.exit("%s: SHA-256 differs from manifest.json" % name)
        if len(data) != e["bytes"]:
            sys.exit("%s: size differs from manifest.json" % name)
    on_disk = set(walk(d)) - {"manifest.json"}
    if on_disk != set(files):
        sys.exit("not in manifest: %s; missing: %s" % (sorted(on_disk - set(files))[:5],
                                                        sorted(set(files) - on_disk)[:5]))
    for k in ("data_version", "parameters", "method", "generated_at", "period", "audience"):
        if k not in m:
            sys.exit("manifest.json lacks %s" % k)
    tiles = sum(1 for f in files if f.startswith("tiles/"))
    print("ok - manifest of %s: %d files hashed (%d tiles), all present" % (d, len(files), tiles))

SMALL = re.compile(r"(?<![\w.,<≥–-])[1-4](?![\w.,%])")

def svg_text(path):
    s = open(path, encoding="utf-8").read()
    return [html.unescape(re.sub(r"<[^>]+>", "", t)) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", s, re.S)]

def cmd_scan(d, units_path):
    communes, unit_names, unit_codes = set(), set(), set()
    comm_names = set()
    for r in csv.DictReader(open(units_path, encoding="utf-8")):
        unit_codes.add(r["code"])
        unit_names.add(r["name"])
        if r["level"] == "commune":
            communes.add(r["code"])
            comm_names.add(r["name"])
    ident = sorted(unit_names | unit_codes, key=len, reverse=True)
    ident_re = re.compile("|".join(re.escape(x) for x in ident))
    problems, scanned = [], {}

    def near(text, where):
        for m in ident_re.finditer(text):
            tail = text[m.end():m.end() + 60]  # whole numbers at the 40-character edge
            n = next((x for x in SMALL.finditer(tail) if x.start() < 40), None)
            if n:
                problems.append("%s: %r then %r" % (where, m.group(0), tail[:n.end()]))

    def communes_in(text, where):
        for c in re.findall(r"VN\d\d-\d{4}", text):
            if c in communes:
                problems.append("%s: commune code %s" % (where, c))
        for n in comm_names:
            if n in text:
                problems.append("%s: commune name %s" % (where, n))
                break

    for name in sorted(walk(d)):
        p = os.path.join(d, name)
        ext = name.rsplit(".", 1)[-1]
        if ext == "csv":
            rows = list(csv.reader(open(p, encoding="utf-8")))
            for i, row in enumerate(rows[1:], 2):
                if any(f in unit_codes or f in unit_names for f in row):
                    for f in row:
                        if re.fullmatch(r"[1-4]", f.strip()):
                            problems.append("%s:%d: %s" % (name, i, ",".join(row)))
            communes_in(open(p, encoding="utf-8").read(), name)
        elif ext == "json":
            doc = json.load(open(p, encoding="utf-8"))
            def visit(o, path):
                if isinstance(o, dict):
                    names_unit = o.get("code") in unit_codes or o.get("name") in unit_names
                    for k, v in o.items():
                        if names_unit and not isinstance(v, bool) and (
                                (isinstance(v, int) and 1 <= v <= 4) or
                                (isinstance(v, str) and re.fullmatch(r"[1-4]", v))):
                            problems.append("%s: %s %s=%r" % (name, o.get("code"), k, v))
                        visit(v, path + "/" + k)
                elif isinstance(o, list):
                    for i, v in enumerate(o):
                        visit(v, "%s[%d]" % (path, i))
            visit(doc, "")
            if name != "manifest.json":
                communes_in(open(p, encoding="utf-8").read(), name)
        elif ext in ("html", "htm"):
            s = open(p, encoding="utf-8").read()
            for i, tr in enumerate(re.findall(r"<tr>(.*?)</tr>", s, re.S)):
                cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                         for c in re.findall(r"<t[dh]>(.*?)</t[dh]>", tr, re.S)]
                if any(c in unit_names or c in unit_codes for c in cells):
                    for c in cells:
                        if re.fullmatch(r"[1-4]", c):
                            problems.append("%s row %d: %s" % (name, i, cells))
            text = html.unescape(re.sub(r"<[^>]+>", " ", s))
            near(text, name)
            communes_in(text, name)
        elif ext == "svg":
            texts = svg_text(p)
            joined = " | ".join(texts)
            near(joined, name)
            communes_in(joined, name)
        else:
            continue
        scanned[ext] = scanned.get(ext, 0) + 1
    if problems:
        print("\n".join(problems[:20]))
        sys.exit("%d problems in %s" % (len(problems), d))
    print("ok - %s: no commune code or name, no number 1..4 next to a unit (%s files scanned)"
          % (d, ", ".join("%d %s" % (n, e) for e, n in sorted(scanned.items()))))

def cmd_netlog(path, origin, min_requests):
    d = json.load(open(path, encoding="utf-8"))
    types = {v: k for k, v in d["constants"]["logEventTypes"].items()}
    by_source, page = {}, set()
    for e in d["events"]:
        src = e.get("source", {}).get("id")
        t = types.get(e["type"], "")
        p = e.get("params", {}) or {}
        rec = by_source.setdefault(src, {"url": None, "status": None, "error": None})
        if t == "URL_REQUEST_START_JOB" and p.get("url"):  # the end event has no params
            rec["url"] = p.get("url")
            if str(p.get("initiator", "")).rstrip("/") == origin.rstrip("/") or \
               str(p.get("url", "")).startswith(origin):
                page.add(src)
        elif t == "HTTP_TRANSACTION_READ_RESPONSE_HEADERS":
            hdr = p.get("headers") or []
            if hdr:
                rec["status"] = hdr[0]
        if t.startswith("URL_REQUEST") and p.get("net_error"):
            rec["error"] = p["net_error"]
    bad, ok = [], 0
    for src in page:
        rec = by_source[src]
        if not (rec["url"] or "").startswith(origin):
            bad.append("external request %s" % rec["url"])
        elif rec["error"]:
            bad.append("%s: net error %s" % (rec["url"], rec["error"]))
        elif not rec["status"] or " 200" not in rec["status"]:
            bad.append("%s: %s" % (rec["url"], rec["status"]))
        else:
            ok += 1
    if bad:
        sys.exit("failed requests:\n  " + "\n  ".join(bad))
    if ok < min_requests:
        sys.exit("only %d requests answered, expected at least %d" % (ok, min_requests))
    print("ok - the page made %d requests, all to %s, all 200" % (ok, origin))

def read_png(path):
    return pngread.read_rows(path)

def write_mask(path, w, h, mask):
    raw = b"".join(b"\x00" + bytes(255 if m else 0 for m in mask[y * w:(y + 1) * w]) for y in range(h))
    def chunk(t, b):
        return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                          + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

def cmd_pngdiff(a, b, max_frac, out=None):
    wa, ha, ba, ra = read_png(a)
    wb, hb, bb, rb = read_png(b)
    if (wa, ha) != (wb, hb):
        sys.exit("size %dx%d differs from the golden's %dx%d" % (wa, ha, wb, hb))
    mask, n = [], 0
    for y in range(ha):
        la, lb = ra[y], rb[y]
        for x in range(wa):
            d = max(abs(la[x * ba + k] - lb[x * bb + k]) for k in range(3))
            mask.append(d > 48)
            n += d > 48
    frac = n / float(wa * ha)
    if out:
        write_mask(out, wa, ha, mask)
    msg = "%s vs %s: %.3f%% of pixels differ (limit %.3f%%)" % (a, b, 100 * frac, 100 * max_frac)
    if frac > max_frac:
        sys.exit(msg)
    print("ok - " + msg)

def cmd_ebclasses(svg, data_csv, window):
    """The EB map draws the classes of its shown provinces: the published EB rates of
    the window (data.csv) fall into k of the fixed classes; the SVG must fill at least
    k warm (class palette) colours more than once each (once is the legend swatch
    alone; the grey of withheld provinces is not warm)."""
    import collections
    breaks = [0.25, 0.5, 1, 2, 5]
    classes = set()
    for r in csv.DictReader(open(data_csv, encoding="utf-8")):
        if r["level"] == "province" and r["window"] == window and r["eb_rate_per_100k"]:
            v = float(r["eb_rate_per_100k"])
            classes.add(sum(v >= b for b in breaks))
    fills = collections.Counter(re.findall(r"fill:rgb\(([0-9.]+)%,([0-9.]+)%,([0-9.]+)%\)",
                                           open(svg, encoding="utf-8").read()))
    warm = [c for c, n in fills.items() if n >= 2 and float(c[0]) > float(c[2]) + 10 and float(c[1]) > 10]
    msg = "%s: %d EB classes among the shown provinces, %d class colours drawn" % (svg, len(classes), len(warm))
    if not classes or len(warm) < len(classes):
        sys.exit(msg)
    print("ok - " + msg)

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "manifest":
        cmd_manifest(*args)
    elif cmd == "scan":
        cmd_scan(*args)
    elif cmd == "netlog":
        cmd_netlog(args[0], args[1], int(args[2]))
    elif cmd == "ebclasses":
        cmd_ebclasses(*args)
    elif cmd == "pngdiff":
        cmd_pngdiff(args[0], args[1], float(args[2]), *args[3:])
    else:
        sys.exit(__doc__)

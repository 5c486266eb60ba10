#!/usr/bin/env bash
# tests/integration/pngread.py, the tests' one stdlib PNG decoder, checked against an
# independent decoder (GDAL, through gdal_translate to raw bands) on PNGs the project
# renders: a map from `hotspot render` (hs_png) and pages of the bulletin PDF
# through pdftoppm (libpng: RGB, adaptive filters); then every row filter on a made-up
# image, and a clear ValueError on what it does not read (palette, cut short).
source "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"; hs_test_cleanup' EXIT
for tool in gdal_translate pdftoppm python3; do
  command -v "$tool" >/dev/null || fail "$tool is needed (GDAL, poppler-utils, python3)"
done
DB=$(hs_demo_db)
HOTSPOT_DB=$DB "$HOTSPOT_BIN" render --map gistar --province VN13 --size 400x300 \
  --permutations 0 --out "$T/map.png" 2>"$T/err" || fail "render: $(cat "$T/err")"
HOTSPOT_DB=$DB "$HOTSPOT_BIN" bulletin --province VN13 --period 2025-Q3 --out "$T/b.pdf" 2>"$T/err" ||
  fail "bulletin: $(cat "$T/err")"
pdftoppm -r 30 -f 1 -l 2 -png "$T/b.pdf" "$T/page"
for f in "$T/map.png" "$T"/page-*.png; do
  gdal_translate -q -of ENVI -co INTERLEAVE=BIP "$f" "$f.raw" || fail "gdal_translate $f"
done

PYTHONPATH="$HS_SOURCE_DIR/tests/integration" python3 - "$T" <<'PY' || fail "pngread checks (above)"
import glob, struct, sys, zlib
import pngread
d = sys.argv[1]
files = [f"{d}/map.png"] + sorted(glob.glob(f"{d}/page-*.png"))
for f in files:
    w, h, px = pngread.read(f)
    raw = open(f + ".raw", "rb").read()  # ENVI, pixel interleaved, 8-bit
    nb = len(raw) // (w * h)
    assert nb * w * h == len(raw) and nb == len(px[0]), (f, nb, len(px[0]))
    assert b"".join(px) == raw, f"{f}: pixels differ from GDAL's"
    w2, h2, bpp, rows = pngread.read_rows(f)
    assert (w2, h2, bpp) == (w, h, nb) and b"".join(rows) == b"".join(px)
    print(f"ok - {f.rsplit('/', 1)[1]}: {w}x{h}, {nb} channels, {len(set(px))} colours, = GDAL")
im, (w, h, px) = pngread.Image(files[0]), pngread.read(files[0])
assert (im.w, im.h, im.channels) == (w, h, len(px[0])) and im.at(w - 1, 1) == px[w + w - 1]

# Every filter, on rows whose neighbours matter (a made-up 5x5 RGB image).
def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
def png(w, h, ctype, rows_filtered, depth=8):
    return (pngread.SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows_filtered))) + chunk(b"IEND", b""))
W, H = 5, 5
def filt(f, line, prev, B):
    out = bytearray()
    for i, v in enumerate(line):
        a = line[i - B] if i >= B else 0
        b, c = prev[i], prev[i - B] if i >= B else 0
        p = [0, a, b, (a + b) // 2, pngread._paeth(a, b, c)][f]
        out.append((v - p) & 255)
    return bytes([f]) + bytes(out)
for ctype, B in ((2, 3), (6, 4)):  # RGB, RGBA
    img = [bytes((x * 40 + y * 7 + c * 90) % 256 for x in range(W) for c in range(B)) for y in range(H)]
    rows, prev = [], bytes(W * B)
    for y, line in enumerate(img):
        rows.append(filt(y % 5, line, prev, B))
        prev = line
    w, h, px = pngread.decode(png(W, H, ctype, rows))
    assert (w, h, len(px[0])) == (W, H, B) and b"".join(px) == b"".join(img), f"colour type {ctype}"
print("ok - RGB and RGBA, filters none, sub, up, average and Paeth")

for what, data in (("palette", png(W, H, 3, [b"\0" + bytes(W)] * H)),
                   ("16-bit", png(W, H, 2, rows, depth=16)),
                   ("cut short", png(W, H, 2, rows)[:40]),
                   ("not a PNG", b"GIF89a")):
    try:
        pngread.decode(data, what)
    except ValueError as e:
        assert what in str(e), e
        print(f"ok - {what}: ValueError: {e}")
    else:
        sys.exit(f"{what}: decoded without an error")
PY
ok "pngread.py reads the project's PNGs as GDAL does"

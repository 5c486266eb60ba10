"""Decodes the PNGs the project writes into pixels, for the tests' pixel checks.

Standard library only (struct, zlib), so a test needs no Pillow. It reads what
maps/hs_png.c and cairo write and what the pixel checks compare: 8-bit RGB or RGBA
(colour types 2 and 6), not interlaced, any of the five PNG row filters. Anything
else (palette, grey, 16-bit, Adam7, a broken file) raises ValueError naming the file
and the reason, rather than a wrong answer.

    import pngread
    w, h, px = pngread.read("tile.png")     # px[y * w + x] = bytes of 3 or 4 channels
    w, h, bpp, rows = pngread.read_rows("tile.png")  # rows[y] = bytearray(w * bpp)
    img = pngread.Image("tile.png")         # the same, with img.at(x, y), img.w, img.h

test_analyst_tiles.sh uses read(), release_check.py read_rows()
(sys.path.insert(0, <tests/integration>); import pngread).

Run as a script, `python3 pngread.py FILE...` prints each file's size, channels and
the distinct colours, which is how the module is checked on a rendered PNG.
"""

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_rows(data, name="PNG"):
    """(width, height, bytes per pixel, rows) of PNG bytes: rows[y] is a bytearray of
    width * bpp channel values (bpp 3: RGB, 4: RGBA), top row first."""
    if data[:8] != SIGNATURE:
        raise ValueError(f"{name}: not a PNG (no signature)")
    pos, idat, head = 8, [], None
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if len(chunk) != n:
            raise ValueError(f"{name}: chunk {kind!r} cut short")
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
        pos += 12 + n
    if head is None:
        raise ValueError(f"{name}: no IHDR chunk")
    w, h, depth, ctype, _, _, lace = head
    if depth != 8 or ctype not in (2, 6) or lace:
        raise ValueError(f"{name}: depth {depth}, colour type {ctype}, interlace {lace}: "
                         "only 8-bit RGB/RGBA, not interlaced, is read")
    bpp = 4 if ctype == 6 else 3
    stride = w * bpp
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as e:
        raise ValueError(f"{name}: image data does not inflate: {e}") from None
    if len(raw) != h * (stride + 1):
        raise ValueError(f"{name}: {len(raw)} bytes of rows, want {h * (stride + 1)}")
    rows, prev = [], bytearray(stride)
    for y in range(h):
        row = y * (stride + 1)
        f, line = raw[row], bytearray(raw[row + 1:row + 1 + stride])
        if f > 4:
            raise ValueError(f"{name}: row {y} has filter {f}")
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            up, ul = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + up) & 255
            elif f == 3:
                line[x] = (line[x] + (a + up) // 2) & 255
            elif f == 4:
                line[x] = (line[x] + _paeth(a, up, ul)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def decode(data, name="PNG"):
    """(width, height, pixels) of PNG bytes; pixels is a list of width * height bytes
    objects of 3 (RGB) or 4 (RGBA) channels, row by row from the top left."""
    w, h, bpp, rows = decode_rows(data, name)
    return w, h, [bytes(r[k:k + bpp]) for r in rows for k in range(0, w * bpp, bpp)]


def read_rows(path):
    """(width, height, bytes per pixel, rows) of the PNG file at path (decode_rows)."""
    with open(path, "rb") as f:
        return decode_rows(f.read(), str(path))


def read(path):
    """(width, height, pixels) of the PNG file at path (see decode)."""
    with open(path, "rb") as f:
        return decode(f.read(), str(path))


class Image:
    """A decoded PNG file: w, h, channels, px (the list of decode) and at(x, y)."""

    def __init__(self, path):
        self.w, self.h, self.px = read(path)
        self.channels = len(self.px[0]) if self.px else 0

    def at(self, x, y):
        return self.px[y * self.w + x]


if __name__ == "__main__":
    import sys

    for p in sys.argv[1:]:
        im = Image(p)
        print(f"{p}: {im.w}x{im.h}, {im.channels} channels, {len(set(im.px))} colours")

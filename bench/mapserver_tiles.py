"""Renders a tile list with MapServer in-process (python3-mapscript): the mapfile is
parsed once and PostGIS connections are kept (CLOSE_CONNECTION=DEFER), so this times
MapServer's rendering and PNG encoding, not process start-up.

  MAPSERVER_CONFIG_FILE=ms.conf /usr/bin/python3 mapserver_tiles.py bench.map TILES [OUTDIR]

Prints: tiles=N seconds=S tiles_per_s=R mean_png_bytes=B
"""
import math
import os
import sys
import time

import mapscript

HALF = 20037508.342789244


def main():
    mapfile, listfile = sys.argv[1], sys.argv[2]
    outdir = sys.argv[3] if len(sys.argv) > 3 else None
    m = mapscript.mapObj(mapfile)
    tiles = [tuple(int(v) for v in line.split()) for line in open(listfile) if line.strip()]
    # warm-up: opens the deferred connections and loads the font
    m.setExtent(11e6, 1e6, 13e6, 3e6)
    m.draw().getBytes()
    total = 0
    t0 = time.perf_counter()
    for z, x, y in tiles:
        size = 2 * HALF / (1 << z)
        minx, maxy = -HALF + x * size, HALF - y * size
        # MapServer's extent runs from pixel centre to pixel centre
        half_px = size / 256 / 2
        m.setExtent(minx + half_px, maxy - size + half_px, minx + size - half_px, maxy - half_px)
        data = m.draw().getBytes()
        total += len(data)
        if outdir:
            with open(os.path.join(outdir, "%d_%d_%d.png" % (z, x, y)), "wb") as f:
                f.write(data)
    secs = time.perf_counter() - t0
    print("tiles=%d seconds=%.3f tiles_per_s=%.1f mean_png_bytes=%.0f"
          % (len(tiles), secs, len(tiles) / secs, total / max(1, len(tiles))))


if __name__ == "__main__":
    main()

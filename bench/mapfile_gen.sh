#!/usr/bin/env bash
# mapfile_gen.sh CONNINFO OUTDIR: writes OUTDIR/bench.map (+ fonts.txt, ms.conf) for
# MapServer 8: the demo commune layer from the bench.* tables that
# mapserver_compare.sh builds, styled like our tiles (hs_style defaults): sea,
# neighbouring countries, communes filled with the colour our code classified them
# with (bench.commune.fill), commune outlines from z7, key communes, province
# outlines, the land border and province labels (bold, white halo).
set -euo pipefail
CONN=$1
OUT=$2
mkdir -p "$OUT"
cat >"$OUT/fonts.txt" <<EOF
bold /usr/share/fonts/truetype/noto/NotoSans-Bold.ttf
EOF
# MapServer 8 refuses to open a mapfile unless MS_MAP_PATTERN (from the config file
# named by MAPSERVER_CONFIG_FILE) matches its path.
cat >"$OUT/ms.conf" <<EOF
CONFIG
  ENV
    MS_MAP_PATTERN "^$OUT/"
  END
END
EOF
pg_layer() { # NAME TYPE DATA CLASSES...
  cat <<EOF
  LAYER
    NAME "$1"
    TYPE $2
    STATUS ON
    CONNECTIONTYPE POSTGIS
    CONNECTION "$CONN"
    PROCESSING "CLOSE_CONNECTION=DEFER"
    DATA "$3"
$4
  END
EOF
}
{
  cat <<EOF
MAP
  NAME "hs_bench"
  SIZE 256 256
  UNITS METERS
  EXTENT -20037508.34 -20037508.34 20037508.34 20037508.34
  IMAGECOLOR 212 230 241
  FONTSET "fonts.txt"
  PROJECTION "init=epsg:3857" END
  OUTPUTFORMAT
    NAME "png"
    DRIVER AGG/PNG
    MIMETYPE "image/png"
    IMAGEMODE RGB
    EXTENSION "png"
  END
EOF
  pg_layer countries POLYGON "geom from bench.country using unique iso_n3 using srid=3857" '
    CLASS STYLE COLOR 227 227 227 OUTLINECOLOR 176 176 176 WIDTH 0.5 END END'
  pg_layer communes POLYGON "geom from bench.commune using unique code using srid=3857" '
    CLASS
      EXPRESSION ("[fill]" != "")
      STYLE COLOR [fill] END
      STYLE OUTLINECOLOR 168 168 168 WIDTH 0.25 MAXSCALEDENOM 5000000 END
    END
    CLASS
      STYLE COLOR 242 242 242 END
      STYLE OUTLINECOLOR 168 168 168 WIDTH 0.25 MAXSCALEDENOM 5000000 END
    END'
  pg_layer key_communes POLYGON "geom from (select code, geom from bench.commune where is_key) as t using unique code using srid=3857" '
    CLASS STYLE OUTLINECOLOR 255 255 255 WIDTH 3.0 END STYLE OUTLINECOLOR 0 0 0 WIDTH 1.6 END END'
  pg_layer provinces POLYGON "geom from bench.province using unique code using srid=3857" '
    CLASS STYLE OUTLINECOLOR 58 58 58 WIDTH 0.9 END END'
  pg_layer border LINE "geom from bench.border using unique country using srid=3857" '
    CLASS STYLE COLOR 26 26 26 WIDTH 2 END END'
  pg_layer labels POINT "pt from bench.province using unique code using srid=3857" '
    LABELITEM "name"
    CLASS
      LABEL
        TYPE TRUETYPE FONT "bold" SIZE 8 COLOR 32 32 32
        OUTLINECOLOR 255 255 255 OUTLINEWIDTH 2
        POSITION CC PARTIALS FALSE
      END
    END'
  echo "END"
} >"$OUT/bench.map"

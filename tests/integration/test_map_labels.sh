#!/usr/bin/env bash
# Print-ready national maps (issue 12): on every paper preset (A4/A3, portrait and
# landscape) the national Gi* PDF from `hotspot render` names all 34 provinces as
# text, and no two names' boxes overlap (pdftotext -bbox; label_boxes.py). Names that
# do not fit at their province go off the land with a leader line (docs/maps.md).
source "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"; hs_test_cleanup' EXIT
command -v pdftotext >/dev/null || fail "pdftotext (poppler-utils) is needed"
DB=$(hs_demo_db) # read-only
q "$DB" "SELECT code || '|' || name FROM hs.unit WHERE level = 'province' ORDER BY code" >"$T/names"
expect_eq "provinces in the demo" "$(wc -l <"$T/names")" 34
for paper in a4-portrait a4-landscape a3-portrait a3-landscape; do
  HOTSPOT_DB=$DB "$HOTSPOT_BIN" render --map gistar --paper "$paper" --dpi 96 --out "$T/$paper.pdf" \
    2>"$T/err" || fail "$paper: $(cat "$T/err")"
  pdftotext -bbox "$T/$paper.pdf" "$T/$paper.html"
  read -r named overlaps < <(python3 "$HS_SOURCE_DIR/tests/integration/label_boxes.py" "$T/$paper.html" "$T/names")
  python3 "$HS_SOURCE_DIR/tests/integration/label_boxes.py" "$T/$paper.html" "$T/names" | sed 1d >&2
  expect_eq "$paper: provinces named in the PDF text" "$named" 34
  expect_eq "$paper: overlapping names" "$overlaps" 0
done

#!/usr/bin/env bash
# `hotspot bulletin`: the province bulletin PDF from the demo data (the shared,
# read-only demo database). Checks what a reader relies on, not pixels: A4 and 2-4
# pages (pdfinfo); the text is text (pdftotext finds the province name with its
# diacritics, the ten priority communes of `hotspot priorities` and GET /api/priorities
# for the same province and window, the internal mark on every page, the synthetic-data
# mark, the data version); every page rasterises (pdftoppm); bad --province / --period values exit 2
# with a message naming the parameter, and leave nothing at --out (nor touch a file
# already there).
source "$(dirname "$0")/lib.sh"
hs_test_tmp bulletin

for tool in pdfinfo pdftotext pdftoppm python3; do
  command -v "$tool" >/dev/null || fail "$tool is needed (Debian poppler-utils, python3)"
done
DB=$(hs_demo_db)
hs() { HOTSPOT_DB=$DB "$HOTSPOT_BIN" "$@"; }
MARK="NỘI BỘ — KHÔNG CÔNG BỐ"

# pdf_pages FILE -> number of pages; pdf_size FILE -> pdfinfo's "Page size" line
pdf_pages() { pdfinfo "$1" | sed -n 's/^Pages: *//p'; }
pdf_size() { pdfinfo "$1" | sed -n 's/^Page size: *//p'; }

# ---- a quarter of Nghệ An (the planted cluster: hot spots to show) ----
hs bulletin --province VN13 --period 2025-Q3 --out "$T/na.pdf" 2>"$T/err" ||
  fail "bulletin VN13 2025-Q3: $(cat "$T/err")"
grep -q "wrote $T/na.pdf" "$T/err" || fail "no 'wrote' line: $(cat "$T/err")"
grep -q "SYNTHETIC DATA" "$T/err" || fail "no synthetic-data note on stderr"
[[ $(head -c5 "$T/na.pdf") == '%PDF-' ]] || fail "na.pdf is not a PDF"
pages=$(pdf_pages "$T/na.pdf")
expect_between "pages" "$pages" 2 4
[[ $(pdf_size "$T/na.pdf") == *"(A4)"* ]] || fail "page size is not A4: $(pdf_size "$T/na.pdf")"
ok "A4: $(pdf_size "$T/na.pdf")"
pdfinfo "$T/na.pdf" | grep -q "Title: *Bản tin điểm nóng — Nghệ An — 2025-Q3" ||
  fail "PDF title metadata: $(pdfinfo "$T/na.pdf" | grep Title)"

pdftotext "$T/na.pdf" "$T/na.txt"
version=$(q "$DB" "SELECT version FROM hs.data_version")
for s in "Nghệ An" "Bản tin điểm nóng mua bán người" "07/2025 – 09/2025" "DỮ LIỆU MÔ PHỎNG" \
         "SYNTHETIC DATA" "Điểm nóng, tin cậy 99%" "Phương pháp" "Getis–Ord Gi*" \
         "Số vụ theo tháng" "Hoạt động truyền thông theo tháng" \
         "Phiên bản dữ liệu (data version): $version"; do
  grep -qF "$s" "$T/na.txt" || fail "pdftotext does not find '$s'"
  ok "PDF text has '$s'"
done
# (Text into a file, not a pipe: grep -q would close the pipe early, and pipefail
# would count pdftotext's SIGPIPE as a failure.)
for ((i = 1; i <= pages; i++)); do
  pdftotext -f "$i" -l "$i" "$T/na.pdf" "$T/page.txt"
  grep -qF "$MARK" "$T/page.txt" || fail "page $i lacks '$MARK'"
  grep -qF "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA" "$T/page.txt" || fail "page $i lacks the synthetic-data line"
done
ok "every page carries '$MARK' and the synthetic-data line"

# The ten priority communes are those of `hotspot priorities` for the same province
# and window (the computation behind /api/priorities), in that order of rank.
hs priorities --province VN13 --from 2025-07 --to 2025-09 --top 10 --out "$T/prio.csv" 2>/dev/null ||
  fail "hotspot priorities failed"
python3 - "$T/prio.csv" "$T/na.txt" <<'EOF' || fail "priority communes missing from the PDF text"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8')))
text = open(sys.argv[2], encoding='utf-8').read()
assert len(rows) == 10, f"priorities gave {len(rows)} rows"
missing = [r['unit_name'] for r in rows if r['unit_name'] not in text or r['unit_code'] not in text]
if missing:
    sys.exit(f"not in the PDF: {missing}")
# Rank order: each commune's code appears after the previous one's on page 2.
pos = [text.find(r['unit_code']) for r in rows]
assert pos == sorted(pos), f"codes out of rank order: {pos}"
print("ok - the 10 priority communes (names and codes) in rank order:",
      ", ".join(r['unit_name'] for r in rows))
EOF

# ... and those of GET /api/priorities for the same province and window.
hs_planner_curl "$T"
hs_server_start "$T/server.log" --quiet
code=$(curl -s -o "$T/api.csv" -w '%{http_code}' \
  "$U/api/priorities?province=VN13&from=2025-07&to=2025-09&top=10&format=csv")
expect_eq "GET /api/priorities?province=VN13" "$code" 200
codes() { python3 -c 'import csv,sys; print(" ".join(r["unit_code"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))))' "$1"; }
expect_eq "the bulletin's communes = /api/priorities' communes" "$(codes "$T/api.csv")" "$(codes "$T/prio.csv")"
hs_server_stop "$T/server.log"

# Every page rasterises to an A4-shaped image (the layout itself is looked at by a
# person: docs/publication.md).
pdftoppm -r 40 -png "$T/na.pdf" "$T/page"
n=$(ls "$T"/page-*.png | wc -l)
expect_eq "pages rasterised" "$n" "$pages"
for f in "$T"/page-*.png; do
  dims=$(od -An -tu1 -j16 -N8 "$f" | awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}')
  read -r w h <<<"$dims"
  awk -v w="$w" -v h="$h" 'BEGIN { r = h / w; exit !(r > 1.40 && r < 1.43) }' ||
    fail "$f is ${w}x${h}, not A4 portrait"
done
ok "each page rasterises A4 portrait"

# ---- other period forms; a city ----
hs bulletin --province VN23 --period 2025 --out "$T/hn.pdf" 2>"$T/err" || fail "bulletin VN23 2025: $(cat "$T/err")"
pdftotext "$T/hn.pdf" "$T/hn.txt"
grep -qF "TP Hà Nội (VN23) · kỳ 2025: 01/2025 – 12/2025" "$T/hn.txt" ||
  fail "city title (no 'Tỉnh TP'): $(head -5 "$T/hn.txt")"
expect_between "pages (year)" "$(pdf_pages "$T/hn.pdf")" 2 4
hs bulletin --province VN17 --period 2025-11..2026-02 --out "$T/qn.pdf" 2>"$T/err" ||
  fail "bulletin VN17 month range: $(cat "$T/err")"
pdftotext "$T/qn.pdf" "$T/qn.txt"
grep -qF "Quảng Ninh (VN17) · kỳ 2025-11..2026-02: 11/2025 – 02/2026" "$T/qn.txt" ||
  fail "month-range title: $(head -5 "$T/qn.txt")"
ok "year and month-range periods"

# ---- bad inputs: exit 2, the parameter named, nothing at --out ----
bad() { # bad WANT_IN_MESSAGE ARGS...
  local want=$1
  shift
  rm -f "$T/bad.pdf"
  set +e
  hs bulletin "$@" --out "$T/bad.pdf" 2>"$T/err"
  local st=$?
  set -e
  [[ $st == 2 ]] || fail "bulletin $*: exit $st, want 2 ($(cat "$T/err"))"
  grep -qF -- "$want" "$T/err" || fail "bulletin $*: message does not name '$want': $(cat "$T/err")"
  [[ ! -e $T/bad.pdf ]] || fail "bulletin $*: left a file at --out"
  ls "$T" | grep -q '^bad\.pdf\.' && fail "bulletin $*: left a temporary file"
  ok "bulletin $* -> exit 2: $(head -1 "$T/err")"
}
bad "--province VN99" --province VN99 --period 2025-Q3
bad "--province 'x y'" --province "x y" --period 2025-Q3
bad "--province" --period 2025-Q3
bad "--period 2025-Q5" --province VN13 --period 2025-Q5
bad "--period '25-Q1'" --province VN13 --period 25-Q1
bad "--period 2040" --province VN13 --period 2040
# A window without a single case in the province: no Gi*, no priority list (as the API).
empty=$(q "$DB" "SELECT to_char(m, 'YYYY-MM') FROM generate_series(date '2022-01-01', date '2026-10-01',
  interval '1 month') m WHERE NOT EXISTS (SELECT 1 FROM hs.case_month c JOIN hs.unit u ON u.code = c.unit_code
  WHERE u.parent_code = 'VN09' AND c.period = m AND c.cases > 0) ORDER BY m LIMIT 1")
[[ -n $empty ]] || fail "the demo has no month without cases in VN09"
bad "--period $empty: no cases recorded" --province VN09 --period "$empty"
bad "--period 2025-09..2025-01" --province VN13 --period 2025-09..2025-01
bad "unknown option --provinc" --provinc VN13 --period 2025-Q3

# A failed run does not touch a file already at --out.
echo "old bulletin" >"$T/keep.pdf"
set +e
hs bulletin --province VN99 --period 2025-Q3 --out "$T/keep.pdf" 2>/dev/null
set -e
expect_eq "existing --out after a failed run" "$(cat "$T/keep.pdf")" "old bulletin"

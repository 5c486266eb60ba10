# `hotspot import cases|outreach` against a real PostGIS: a good import, replacing a
# period, every kind of bad CSV with its line and column, and all-or-nothing writes.
. "$(dirname "$0")/import_lib.sh"

run prov import units "$FIX/units_provinces.geojson" --level province --code-field ma_tinh --name-field ten_tinh
run comm import units "$FIX/units_communes.geojson" --level commune --code-field ma_xa \
    --name-field ten_xa --parent-field ma_tinh
expect_eq "set-up: 9 units" "$(q "SELECT count(*) FROM hs.unit")" 9

HDR=unit_code,period,cases,victims,suspects
OHDR=unit_code,period,events,participants,hotline_calls
cases_of() { q "SELECT coalesce(string_agg(unit_code || '@' || to_char(period, 'YYYY-MM') || '=' || cases || '/' || victims || '/' || suspects, ' ' ORDER BY unit_code, period), '') FROM hs.case_month"; }

# ---- A good file: BOM, CRLF, quoted fields ----
printf '\357\273\277%s\r\n01001,2024-01,1,2,3\r\n"01002","2024-01",0,0,0\r\n02001,2024-02,5,1,1\r\n01001,2024-02,2,2,2\r\n' "$HDR" >"$WORK/good.csv"
run good import cases "$WORK/good.csv"
expect_eq "good cases: exit 0" "$RC" 0
expect_grep "good cases: summary" "$WORK/good.out" \
    "4 rows into hs.case_month for 3 units and 2 periods (2024-01 to 2024-02); 0 existing rows replaced"
expect_eq "good cases: rows" "$(cases_of)" \
    "01001@2024-01=1/2/3 01001@2024-02=2/2/2 01002@2024-01=0/0/0 02001@2024-02=5/1/1"

# ---- Importing a period again replaces that period's rows for the units in the file ----
printf '%s\n01001,2024-01,7,7,7\n02002,2024-01,1,0,0\n' "$HDR" >"$WORK/again.csv"
run again import cases "$WORK/again.csv"
expect_eq "re-import: exit 0" "$RC" 0
expect_grep "re-import: summary" "$WORK/again.out" "2 rows into hs.case_month for 2 units and 1 periods (2024-01 to 2024-01); 1 existing rows replaced"
expect_eq "re-import: 01001@2024-01 replaced, other units and periods kept" "$(cases_of)" \
    "01001@2024-01=7/7/7 01001@2024-02=2/2/2 01002@2024-01=0/0/0 02001@2024-02=5/1/1 02002@2024-01=1/0/0"

printf '%s\n01,2023-07,3,250,12\n02,2023-08,0,0,4\n' "$OHDR" >"$WORK/outreach.csv"
run outreach import outreach "$WORK/outreach.csv"
expect_eq "outreach: exit 0" "$RC" 0
expect_eq "outreach: rows" "$(q "SELECT string_agg(unit_code || ':' || events || '/' || participants || '/' || hotline_calls, ' ' ORDER BY unit_code) FROM hs.outreach_month")" \
    "01:3/250/12 02:0/0/4"

printf '%s\n' "$HDR" >"$WORK/header_only.csv"
run header_only import cases "$WORK/header_only.csv"
expect_eq "header only: exit 0, nothing to do" "$RC" 0

# ---- Each kind of bad CSV: its message with line and column; nothing written ----
S0=$(state)
bad_csv() { # NAME KIND CONTENT EXPECTED-MESSAGE
    printf '%b' "$3" >"$WORK/$1.csv"
    run "$1" import "$2" "$WORK/$1.csv"
    expect_eq "$1: exit 1" "$RC" 1
    expect_grep "$1: message" "$WORK/$1.out" "$WORK/$1.csv: $4"
    expect_grep "$1: nothing written" "$WORK/$1.out" "nothing was imported"
    expect_eq "$1: row counts and content unchanged" "$(state)" "$S0"
}
bad_csv wrong_header cases "unit_code,period,cases,victims\n01001,2024-03,1,1\n" \
    "line 1: wrong header: expected 'unit_code,period,cases,victims,suspects', found 'unit_code,period,cases,victims'"
bad_csv other_kind outreach "$HDR\n01001,2024-03,1,1,1\n" \
    "line 1: wrong header: expected '$OHDR', found '$HDR' (that is a cases file: use \`hotspot import cases\`)"
bad_csv empty cases "" "line 1: the file is empty (expected the header 'unit_code,period,cases,victims,suspects')"
bad_csv bad_period cases "$HDR\n01001,2024-03,1,1,1\n01002,2024-13,1,1,1\n" \
    "line 3, column period: bad period '2024-13': month must be 01-12"
bad_csv bad_period_form cases "$HDR\n01001,03/2024,1,1,1\n" \
    "line 2, column period: bad period '03/2024': expected YYYY-MM, e.g. 2024-07"
bad_csv negative cases "$HDR\n01001,2024-03,1,-2,1\n" \
    "line 2, column victims: negative count '-2': counts must be 0 or more"
bad_csv non_integer outreach "$OHDR\n01,2024-03,1.5,1,1\n" \
    "line 2, column events: count '1.5' is not a whole number (digits 0-9 only)"
bad_csv overflow cases "$HDR\n01001,2024-03,1,1,2147483648\n" \
    "line 2, column suspects: count '2147483648' is too large (at most 2147483647)"
bad_csv duplicate cases "$HDR\n01001,2024-03,1,1,1\n01002,2024-03,1,1,1\n01001,2024-03,2,2,2\n" \
    "line 4, columns unit_code,period: duplicate row for unit 01001, period 2024-03 (first on line 2)"
bad_csv field_count cases "$HDR\n01001,2024-03,1,1\n" \
    "line 2: 4 fields, expected 5 (unit_code,period,cases,victims,suspects)"
bad_csv not_utf8 cases "$HDR\n01001,2024-03,1,1,1\n0100\\0377,2024-03,1,1,1\n" \
    "line 3, column unit_code: byte 0xFF at position 5 is not UTF-8 (save the file as UTF-8)"
bad_csv unknown_unit cases "$HDR\n01001,2024-03,1,1,1\n99999,2024-03,1,1,1\n" \
    "line 3, column unit_code: unknown unit 99999 (not in the database: import the units first)"
bad_csv open_quote cases "$HDR\n01001,2024-03,1,1,1\n\"01002,2024-03,1,1,1\n" \
    "line 3, column unit_code: quoted field is never closed"

# Every error is printed, not just the first.
bad_csv many cases "$HDR\nX Y,2024-00,-1,a,\n01001,2024-03,1,1,1\n01001,2024-03,1,1,1\n" \
    "line 2, column unit_code: 'X Y' is not a unit code"
expect_eq "many: all six errors printed" "$(grep -c ': line ' "$WORK/many.out")" 6
expect_grep "many: total" "$WORK/many.out" "6 errors; nothing was imported"

# The list is capped; the rest are counted.
awk -v h="$HDR" 'BEGIN { print h; for (i = 0; i < 250; i++) print "01001,1800-01,1,1,1" }' >"$WORK/capped.csv"
run capped import cases "$WORK/capped.csv"
expect_eq "capped: 100 errors printed" "$(grep -c ': line ' "$WORK/capped.out")" 100
expect_grep "capped: and N more" "$WORK/capped.out" "... and 150 more errors"

# Size cap: a sparse 3 GB file is refused before anything is read.
truncate -s 3G "$WORK/huge.csv"
run huge import cases "$WORK/huge.csv"
expect_eq "size cap: exit 1" "$RC" 1
expect_grep "size cap: message" "$WORK/huge.out" "is more than the 2147483648-byte limit for one import"
rm -f "$WORK/huge.csv"

# ---- 10,000 rows: one bad row at the very end leaves the database as it was ----
gen10k() { # FILE LAST-LINE: 9,999 rows over all units and periods, then LAST-LINE
    q "SELECT code FROM hs.unit ORDER BY code" | awk -v h="$HDR" -v last="$2" '
        { u[n++] = $0 }
        END {
            print h
            for (i = 0; i < 9999; i++) {
                k = int(i / n)
                printf "%s,%04d-%02d,%d,%d,%d\n", u[i % n], 1990 + int(k / 12), k % 12 + 1, i % 5, i % 3, i % 2
            }
            print last
        }' >"$1"
}
gen10k "$WORK/big_ok.csv" "01001,2099-12,1,1,1"
run big_ok import cases "$WORK/big_ok.csv"
expect_eq "10k rows: exit 0" "$RC" 0
expect_grep "10k rows: summary" "$WORK/big_ok.out" "10000 rows into hs.case_month"
S0=$(state)

gen10k "$WORK/big_bad.csv" "01001,2099-12,1,1,x"
run big_bad import cases "$WORK/big_bad.csv"
expect_eq "10k rows, bad last row: exit 1" "$RC" 1
expect_grep "10k rows, bad last row: message" "$WORK/big_bad.out" "line 10001, column suspects: count 'x' is not a whole number"
expect_eq "10k rows, bad last row: database unchanged" "$(state)" "$S0"

gen10k "$WORK/big_unknown.csv" "NOPE,2099-12,1,1,1"
run big_unknown import cases "$WORK/big_unknown.csv"
expect_grep "10k rows, unknown unit on the last row: message" "$WORK/big_unknown.out" "line 10001, column unit_code: unknown unit NOPE"
expect_eq "10k rows, unknown unit on the last row: database unchanged" "$(state)" "$S0"

# A failure inside the database at the last row, after the old rows were deleted and
# 9,999 new ones inserted: the transaction rolls all of it back.
q "CREATE FUNCTION public.refuse_marker() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN IF NEW.cases = 987654 THEN RAISE EXCEPTION 'test trigger refuses % %', NEW.unit_code, NEW.period; END IF;
   RETURN NEW; END \$\$"
q "CREATE TRIGGER refuse_marker BEFORE INSERT ON hs.case_month FOR EACH ROW EXECUTE FUNCTION public.refuse_marker()"
gen10k "$WORK/big_db_fail.csv" "01001,2099-12,987654,1,1"
sed -i 's/,\([0-9]\),\([0-9]\),\([0-9]\)$/,9,9,9/' "$WORK/big_db_fail.csv" # new values for the 9,999 others
run big_db_fail import cases "$WORK/big_db_fail.csv"
expect_eq "10k rows, database refuses the last row: exit 1" "$RC" 1
expect_grep "10k rows, database refuses the last row: message" "$WORK/big_db_fail.out" "test trigger refuses 01001 2099-12-01"
expect_eq "10k rows, database refuses the last row: row counts and content unchanged" "$(state)" "$S0"
q "DROP TRIGGER refuse_marker ON hs.case_month"

run usage import cases
expect_eq "usage: exit 2" "$RC" 2

finish

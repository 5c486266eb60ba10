#!/usr/bin/env bash
# Allocation-failure injection (curl's torture mode) on the import, render and request
# paths. hotspot-faultalloc is `hotspot` with tests/fault/hs_fault_alloc.c linked in:
# HS_FAIL_ALLOC_AT=N makes the Nth allocation of our own code return NULL. For each N
# up to the run's allocation count (every HS_FAULT_STRIDE-th N, see below) the run must
# end cleanly:
#   - no crash (signal), no ASan/UBSan report, no leak (LeakSanitizer at exit);
#   - either success, or a non-zero exit with an error message (CLI), or a 5xx with a
#     message (server), after which the server still answers and exits 0 on SIGTERM;
#   - import: the database is exactly as before unless the import succeeded;
#   - render: no file at the target path unless the render succeeded.
# Strides (every Nth N is tried; 1 = all) keep the CI run under ~2 minutes with ASan:
#   HS_FAULT_STRIDE_IMPORT (default 1), HS_FAULT_STRIDE_RENDER (default 29),
#   HS_FAULT_STRIDE_SERVE (default 61), or HS_FAULT_STRIDE for all three.
# The full torture run is HS_FAULT_STRIDE=1 (docs/reliability.md has its figures).
. "${HS_SOURCE_DIR:?HS_SOURCE_DIR must name the source tree}/tests/integration/import_lib.sh"

FBIN=${HOTSPOT_FAULT_BIN:?HOTSPOT_FAULT_BIN must name hotspot-faultalloc (ctest sets it)}
S_IMPORT=${HS_FAULT_STRIDE_IMPORT:-${HS_FAULT_STRIDE:-1}}
S_RENDER=${HS_FAULT_STRIDE_RENDER:-${HS_FAULT_STRIDE:-29}}
S_SERVE=${HS_FAULT_STRIDE_SERVE:-${HS_FAULT_STRIDE:-61}}
MAX_N=${HS_FAULT_MAX_N:-100000}
FIRST=${HS_FAULT_FIRST:-1} # first N tried (to resume a long run)
PARTS=${HS_FAULT_PARTS:-import render serve} # which paths to torture
want() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
SERVER_PID=
trap 'if [ -n "$SERVER_PID" ]; then kill -9 "$SERVER_PID" 2>/dev/null; fi; cleanup' EXIT

# ---- a small case: 3 provinces, 6 communes with population, two months of cases ----
run prov import units "$FIX/units_provinces.geojson" --level province --code-field ma_tinh \
    --name-field ten_tinh
run comm import units "$FIX/units_communes.geojson" --level commune --code-field ma_xa \
    --name-field ten_xa --parent-field ma_tinh --population-field dan_so --population-year 2020
[ "$RC" = 0 ] || { cat "$WORK/comm.out"; echo "set-up import failed"; exit 1; }
HDR=unit_code,period,cases,victims,suspects
codes=$(q "SELECT code FROM hs.unit WHERE level = 'commune' ORDER BY code")
{ echo "$HDR"; i=0; for c in $codes; do i=$((i + 1)); echo "$c,2020-01,$i,1,0"; echo "$c,2020-02,$((i % 3)),0,1"; done; } >"$WORK/a.csv"
{ echo "$HDR"; i=0; for c in $codes; do i=$((i + 1)); echo "$c,2020-01,$((i + 4)),2,1"; echo "$c,2020-02,$((i % 2)),1,1"; done; } >"$WORK/b.csv"
run a import cases "$WORK/a.csv"
[ "$RC" = 0 ] || { cat "$WORK/a.out"; echo "set-up import failed"; exit 1; }
S_A=$(state)
run b import cases "$WORK/b.csv"
S_B=$(state)
run a2 import cases "$WORK/a.csv"
[ "$S_A" != "$S_B" ] && [ "$(state)" = "$S_A" ] || { echo "set-up: states A/B not distinct"; exit 1; }

SAN_RE='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer)'
STRUCK=0

# check_cli WHAT N RC LOG: the common rules for a CLI run; sets STRUCK (1 if the
# failure happened, i.e. N was within the run's allocations). Returns 1 on a violation.
check_cli() {
    local what=$1 n=$2 rc=$3 log=$4
    STRUCK=0
    grep -q "^hs_fault_alloc: failing allocation $n\$" "$log" && STRUCK=1
    if grep -qE "$SAN_RE" "$log"; then
        fail "$what N=$n: sanitizer report"; sed 's/^/     | /' "$log" | head -40; return 1
    fi
    if [ "$rc" -ge 128 ]; then fail "$what N=$n: killed by signal $((rc - 128))"; return 1; fi
    if [ "$rc" != 0 ] && ! grep -v '^hs_fault_alloc: ' "$log" | grep -q .; then
        fail "$what N=$n: exit $rc without an error message"; return 1
    fi
    return 0
}

# ---- import path: `hotspot import cases` and `import units` ----
n=$FIRST tried=0 bad=0 ok0=0
want import || n=$((MAX_N + 1))
while [ "$n" -le "$MAX_N" ]; do
    HS_FAIL_ALLOC_AT=$n HOTSPOT_DB="$TEST_DB" "$FBIN" import cases "$WORK/b.csv" >"$WORK/fi.out" 2>&1
    rc=$?
    check_cli "import cases" "$n" "$rc" "$WORK/fi.out" || bad=$((bad + 1))
    if [ "$STRUCK" = 0 ]; then
        # N is past the run's allocations: an ordinary import, which must succeed.
        [ "$rc" = 0 ] && [ "$(state)" = "$S_B" ] || { fail "import cases without a failure: exit $rc"; bad=$((bad + 1)); }
        run restore import cases "$WORK/a.csv"
        break
    fi
    tried=$((tried + 1))
    s=$(state)
    if [ "$rc" = 0 ]; then
        ok0=$((ok0 + 1))
        [ "$s" = "$S_B" ] || { fail "import cases N=$n: exit 0 but not the file's content"; bad=$((bad + 1)); }
        run restore import cases "$WORK/a.csv"
    elif [ "$s" != "$S_A" ]; then
        fail "import cases N=$n: exit $rc and the database changed"; bad=$((bad + 1))
        run restore import cases "$WORK/a.csv"
    fi
    n=$((n + S_IMPORT))
done
if want import; then
    expect_eq "import cases: every allocation failure ends cleanly ($tried tried, $ok0 still succeeded, stride $S_IMPORT)" "$bad" 0
    [ "$tried" -gt 0 ] || fail "import cases: no allocation was failed (is the hook linked?)"
fi

n=$FIRST tried=0 bad=0
want import || n=$((MAX_N + 1))
while [ "$n" -le "$MAX_N" ]; do
    HS_FAIL_ALLOC_AT=$n HOTSPOT_DB="$TEST_DB" "$FBIN" import units "$FIX/units_communes.geojson" \
        --level commune --code-field ma_xa --name-field ten_xa --parent-field ma_tinh \
        --population-field dan_so --population-year 2020 >"$WORK/fu.out" 2>&1
    rc=$?
    check_cli "import units" "$n" "$rc" "$WORK/fu.out" || bad=$((bad + 1))
    [ "$STRUCK" = 1 ] || break
    tried=$((tried + 1))
    # The same file again: success or failure, the content must be what it was.
    [ "$(state)" = "$S_A" ] || { fail "import units N=$n: exit $rc and the database changed"; bad=$((bad + 1)); }
    n=$((n + S_IMPORT))
done
want import && expect_eq "import units: every allocation failure ends cleanly ($tried tried, stride $S_IMPORT)" "$bad" 0

# ---- render path: a small Gi* map ----
n=$FIRST tried=0 bad=0
mkdir -p "$WORK/out"
want render || n=$((MAX_N + 1))
while [ "$n" -le "$MAX_N" ]; do
    rm -rf "$WORK/out"/*
    HS_FAIL_ALLOC_AT=$n HOTSPOT_DB="$TEST_DB" "$FBIN" render --map gistar --out "$WORK/out/m.png" \
        --size 240x240 --permutations 49 --from 2020-01 --to 2020-02 >"$WORK/fr.out" 2>&1
    rc=$?
    check_cli "render" "$n" "$rc" "$WORK/fr.out" || bad=$((bad + 1))
    [ "$STRUCK" = 1 ] || break
    tried=$((tried + 1))
    if [ "$rc" = 0 ]; then
        [ "$(head -c 4 "$WORK/out/m.png" | od -An -tx1 | tr -d ' ')" = 89504e47 ] ||
            { fail "render N=$n: exit 0 but no PNG"; bad=$((bad + 1)); }
    elif [ -n "$(ls -A "$WORK/out")" ]; then
        fail "render N=$n: exit $rc left $(ls -A "$WORK/out")"; bad=$((bad + 1))
    fi
    n=$((n + S_RENDER))
done
if want render; then
    expect_eq "render: every allocation failure ends cleanly ($tried tried, stride $S_RENDER)" "$bad" 0
    [ "$tried" -gt 0 ] || fail "render: no allocation was failed"
fi

# ---- request path: `hotspot serve` and a few requests of each kind ----
TOKEN=$(HOTSPOT_DB="$TEST_DB" "$HOTSPOT_BIN" token create --role planner --note faultalloc 2>/dev/null)
REQS=("/healthz" "/readyz" "/api/meta" "/api/units?level=commune"
      "/api/analyze?from=2020-01&to=2020-02&permutations=49"
      "/maps/gistar.png?from=2020-01&to=2020-02&size=240x240"
      "/tiles/rate/5/25/14.png" "/no/such/route")
n=$FIRST tried=0 bad=0 died=0
want serve || n=$((MAX_N + 1))
while [ "$n" -le "$MAX_N" ]; do
    log=$WORK/fs.log
    HS_FAIL_ALLOC_AT=$n HOTSPOT_DB="$TEST_DB" "$FBIN" serve --listen 127.0.0.1:0 --threads 2 \
        --quiet >"$log" 2>&1 &
    SERVER_PID=$!
    PORT=
    for _ in $(seq 1 300); do
        PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log" | head -1)
        [ -n "$PORT" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    v=0
    if [ -z "$PORT" ]; then
        # Failed during start-up: it must have exited with a message.
        wait "$SERVER_PID"
        rc=$?
        SERVER_PID=
        died=$((died + 1))
        check_cli "serve start-up" "$n" "$rc" "$log" || v=1
        [ "$rc" != 0 ] || { fail "serve N=$n: exited 0 without listening"; v=1; }
    else
        for r in "${REQS[@]}"; do
            code=$(curl -s -o "$WORK/body" -w '%{http_code}' --max-time 30 \
                -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$r")
            crc=$?
            case "$code" in
            200 | 404) ;;
            5??) [ -s "$WORK/body" ] || { fail "serve N=$n: $r: $code without a message"; v=1; } ;;
            *) fail "serve N=$n: $r: status '$code' (curl exit $crc)"; v=1 ;;
            esac
        done
        # The failure is over: the server must still answer.
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H "Authorization: Bearer $TOKEN" \
            "http://127.0.0.1:$PORT/api/meta")
        [ "$code" = 200 ] || { fail "serve N=$n: /api/meta afterwards: '$code'"; v=1; }
        kill -TERM "$SERVER_PID"
        wait "$SERVER_PID"
        rc=$?
        SERVER_PID=
        check_cli "serve" "$n" "$rc" "$log" || v=1
        [ "$rc" = 0 ] || { fail "serve N=$n: exit $rc after SIGTERM"; v=1; }
    fi
    [ "$v" = 0 ] || { bad=$((bad + 1)); sed 's/^/     | /' "$log" | tail -15; }
    [ "$STRUCK" = 1 ] || break
    tried=$((tried + 1))
    n=$((n + S_SERVE))
done
if want serve; then
    expect_eq "serve: every allocation failure ends cleanly ($tried tried, $died in start-up, stride $S_SERVE)" "$bad" 0
    [ "$tried" -gt 0 ] || fail "serve: no allocation was failed"
fi
finish

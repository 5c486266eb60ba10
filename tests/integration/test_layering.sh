#!/usr/bin/env bash
# The include rules of docs/architecture.md that grep can check: analysis/, maps/ and
# common/ are libraries with no I/O and no knowledge of the server; route handlers
# hold no SQL, so they never see libpq. A slip fails scripts/test here, not in review.
set -euo pipefail
root=${HS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root"
fail=0
server_headers=$(find server -name '*.h' -printf '%f\n' | sort -u | paste -sd'|')

check() { # check DESCRIPTION FOLDER... -- REGEX
  local what=$1
  shift
  local dirs=()
  while [[ $1 != -- ]]; do dirs+=("$1"); shift; done
  shift
  local hits
  hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($1)[>\"]" \
    $(find "${dirs[@]}" -name '*.[ch]') || true)
  if [[ -n $hits ]]; then
    echo "layering: $what:" >&2
    echo "$hits" >&2
    fail=1
  fi
}

check "analysis/, maps/ and common/ include no server header" analysis maps common -- "$server_headers"
check "analysis/, maps/ and common/ use no network, database, GDAL or SQLite library" \
  analysis maps common -- "libpq-fe.h|microhttpd.h|gdal[a-z_]*.h|ogr_[a-z_]*.h|cpl_[a-z_]*.h|sqlite3.h|jansson.h"
check "analysis/ and common/ do no rendering" analysis common -- "cairo[a-z-]*.h|pango/[a-z-]*.h|proj.h"
check "common/ includes nothing from analysis/ or maps/" common -- \
  "$(find analysis maps -name '*.h' -printf '%f\n' | sort -u | paste -sd'|')"
check "analysis/ includes nothing from maps/" analysis -- \
  "$(find maps -name '*.h' -printf '%f\n' | sort -u | paste -sd'|')"
# The handler API (hs_req.h, hs_resp.h, hs_router.h) and the route family headers
# expose no libpq: a handler passes the connection on, it never talks SQL itself.
check "server/http/ and server/routes/ headers include no libpq" server/http/hs_req.h \
  server/http/hs_resp.h server/http/hs_router.h server/http/hs_static.h server/routes -- \
  "libpq-fe.h"

# No stdio file I/O in the pure libraries (formatting into memory is fine).
io=$(grep -nE '\b(fopen|fdopen|open|creat|socket|connect|PQconnectdb)\s*\(' \
  $(find analysis maps common -name '*.c') || true)
if [[ -n $io ]]; then
  echo "layering: analysis/, maps/ and common/ open no files or sockets:" >&2
  echo "$io" >&2
  fail=1
fi

# Route handlers hold no SQL and read no PGresult: queries live in server/data/.
sql=$(grep -nE '"[[:space:]]*(SELECT|INSERT|UPDATE|DELETE|WITH|COPY)[[:space:]]|\bPQ(exec|getvalue|ntuples|clear|finish)[a-zA-Z]*\(' \
  $(find server/routes server/http -name '*.c') || true)
if [[ -n $sql ]]; then
  echo "layering: server/routes/ and server/http/ hold no SQL (move it to server/data/):" >&2
  echo "$sql" >&2
  fail=1
fi

((fail == 0)) && echo "layering: 1 passed, 0 failed" || echo "layering: 0 passed, 1 failed"
exit $fail

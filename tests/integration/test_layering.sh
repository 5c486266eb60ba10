#!/usr/bin/env bash
# Layering check (docs/architecture.md): the pure libraries stay pure.
#  - analysis/, maps/ and common/ include no header that lives under server/, and
#    none of libpq, libmicrohttpd, GDAL/OGR or SQLite;
#  - server/routes/ does not include libpq-fe.h (handlers reach the database only
#    through server/data/ and hs_req_db).
# Reads the source tree only; needs no database. Fails listing every offending line.
set -euo pipefail
SRC=${HS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$SRC"
bad=0
report() { echo "layering: $1" >&2; bad=1; }

# Every header name under server/ (any stage folder).
mapfile -t server_headers < <(find server -name '*.h' -printf '%f\n' | sort -u)
[[ ${#server_headers[@]} -gt 0 ]] || { echo "layering: no headers found under $SRC/server" >&2; exit 1; }

ext_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](libpq-fe\.h|libpq/|postgresql/|microhttpd\.h|gdal|ogr_|cpl_|sqlite3\.h)'
for dir in analysis maps common; do
  [[ -d $dir ]] || continue
  while IFS= read -r hit; do
    report "$hit: a pure library includes a database/network/file-format library header"
  done < <(grep -rnE --include='*.c' --include='*.h' "$ext_re" "$dir" || true)
  while IFS= read -r line; do
    file=${line%%:*}
    name=$(sed -E 's/.*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"].*/\1/' <<<"$line")
    name=${name##*/}
    for h in "${server_headers[@]}"; do
      if [[ $name == "$h" ]]; then
        # A header of the same name inside the library itself is fine.
        [[ -n $(find "$dir" common -name "$h" -print -quit) ]] && continue
        report "$line: $file includes the server header $h"
      fi
    done
  done < <(grep -rnE --include='*.c' --include='*.h' '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$dir" || true)
done

while IFS= read -r hit; do
  report "$hit: a route handler includes libpq-fe.h (put the query in server/data/)"
done < <(grep -rnE --include='*.c' --include='*.h' '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]libpq-fe\.h' server/routes || true)

# The checks must see something, or a moved tree would pass vacuously.
[[ -d analysis && -d maps && -d common && -d server/routes ]] || report "expected analysis/, maps/, common/ and server/routes/ under $SRC"

if [[ $bad -ne 0 ]]; then
  echo "layering: FAILED (see docs/architecture.md for what each folder may include)" >&2
  exit 1
fi
echo "layering: ok (${#server_headers[@]} server headers checked against analysis/, maps/, common/)"

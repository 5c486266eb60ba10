#!/usr/bin/env bash
# Output faults on the demo data: `hotspot render --out` and `hotspot tiles` (MBTiles
# and directory) into a full disk (a 64 KiB tmpfs) and a read-only file system must
# exit non-zero with a message naming the cause, and leave nothing at the target
# path (no half-written file, no temporary). Needs root to mount the tmpfs; skips
# otherwise (a chmod'ed directory would not stop root).
source "$(dirname "$0")/lib.sh"
T=$(mktemp -d /tmp/hs_diskf.XXXXXX)
M=$T/mnt
mkdir -p "$M"
cleanup() { umount "$M" 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
if ! mount -t tmpfs -o size=64k tmpfs "$M" 2>/dev/null; then
  echo "skip - cannot mount a tmpfs (not root?)"
  exit 0
fi
DB=$(hs_demo_db)
hs() { HOTSPOT_DB=$DB "$HOTSPOT_BIN" "$@"; }
expect_fail() { # WHAT PATTERN COMMAND...
  local what=$1 pat=$2
  shift 2
  if "$@" 2>"$T/err"; then fail "$what: exit 0"; fi
  grep -qE "$pat" "$T/err" || fail "$what: message '$(cat "$T/err")' does not say '$pat'"
  [[ -z $(ls -A "$M") ]] || fail "$what: left $(ls -A "$M")"
  ok "$what: $(tail -1 "$T/err")"
}
expect_fail "render --out, disk full" "No space left" hs render --map gistar --size 600x800 --out "$M/g.png"
expect_fail "tiles MBTiles, disk full" "full|No space" hs tiles --layer risk --zoom 0-5 --out "$M/r.mbtiles"
expect_fail "tiles directory, disk full" "full|No space" hs tiles --layer risk --zoom 0-5 --out "$M/tiles"
mount -o remount,ro "$M"
expect_fail "render --out, read-only" "Read-only" hs render --map gistar --size 600x800 --out "$M/g.png"
expect_fail "tiles MBTiles, read-only" "Read-only|readonly|read-only" hs tiles --layer risk --zoom 0-3 --out "$M/r.mbtiles"
expect_fail "tiles directory, read-only" "Read-only" hs tiles --layer risk --zoom 0-3 --out "$M/tiles"

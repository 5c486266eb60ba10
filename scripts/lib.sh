# Shared helpers of scripts/demo and scripts/test. Source it; do not run it.
# shellcheck shell=bash

HS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The Debian packages Hotspot138 needs to build, test and run: the ONE list.
HS_PACKAGES=(
  build-essential cmake pkg-config
  postgresql-15 postgresql-15-postgis-3 libpq-dev
  libgdal-dev gdal-bin libproj-dev proj-bin
  libcairo2-dev libpango1.0-dev fonts-noto-core
  libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3
  libcmocka-dev poppler-utils curl python3
  libglpk-dev
)

# Tools only the tests and benchmarks use (fuzzing, the linear-programming attacker
# test, the browser check, nginx in front, load generation, leak checks). scripts/test
# installs them; scripts/demo does not need them.
HS_TEST_PACKAGES=(
  clang libclang-rt-14-dev glpk-utils nginx-light wrk chromium valgrind
)

HS_PG_BINDIR=${HOTSPOT_PG_BINDIR:-/usr/lib/postgresql/15/bin}

hs_log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
hs_die() { hs_log "$*"; exit 1; }

# Installs the packages of HS_PACKAGES that are missing; touches nothing when all
# are present. Needs root, or sudo; otherwise prints the command and stops.
hs_ensure_packages() {
  local missing=() p want=("${HS_PACKAGES[@]}")
  [[ ${1:-} == --test ]] && want+=("${HS_TEST_PACKAGES[@]}")
  command -v dpkg-query >/dev/null 2>&1 ||
    hs_die "dpkg-query not found: this script supports Debian/Ubuntu; install the equivalents of: ${HS_PACKAGES[*]}"
  for p in "${want[@]}"; do
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) == installed ]] || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  hs_log "installing missing packages: ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      hs_log "not root and no sudo; run as root:"
      printf '  apt-get update && apt-get install -y --no-install-recommends %s\n' "${missing[*]}" >&2
      exit 1
    fi
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
    hs_die "apt-get install failed"
}

# hs_build DIR BUILD_TYPE [cmake args...]: configure (once) and build the tree.
hs_build() {
  local dir=$1 type=$2
  shift 2
  cmake -S "$HS_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null ||
    hs_die "cmake configure failed (build dir $dir)"
  cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)" ||
    hs_die "build failed (build dir $dir)"
}

# Runs a PostgreSQL server binary as an unprivileged user: `postgres` when we are
# root (PostgreSQL refuses root), else ourselves. cwd / so postgres never needs to
# read the caller's directory.
hs_pg_run() {
  local bin=$1
  shift
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$HS_PG_BINDIR/$bin" "$@")
  else
    (cd / && "$HS_PG_BINDIR/$bin" "$@")
  fi
}

# hs_tmp_cluster_start DIR: a throwaway cluster in DIR (from mktemp -d), socket in
# DIR only, no TCP, fsync off (nothing here needs to survive a crash). Sets
# HS_TMP_PGHOST.
hs_tmp_cluster_start() {
  local dir=$1
  ((EUID == 0)) && chown postgres: "$dir"
  chmod 0700 "$dir"
  hs_pg_run initdb -D "$dir/data" -U hotspot --auth=trust --encoding=UTF8 --no-locale \
    --no-instructions >/dev/null || hs_die "initdb failed in $dir"
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
unix_socket_permissions = 0700
fsync = off
synchronous_commit = off
full_page_writes = off
jit = off
CONF
  hs_pg_run pg_ctl -D "$dir/data" -l "$dir/log" -w -t 120 -s start ||
    { cat "$dir/log" >&2; hs_die "PostgreSQL did not start (log above)"; }
  HS_TMP_PGHOST=$dir
}

hs_tmp_cluster_stop() {
  local dir=$1
  [[ -n $dir && -d $dir ]] || return 0
  if [[ -f $dir/data/postmaster.pid ]]; then
    hs_pg_run pg_ctl -D "$dir/data" -w -s -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf -- "$dir"
}

# detect_leaks=1 only where LeakSanitizer works: it needs ptrace-like access that
# some sandboxes and containers deny, and then fails every test at exit.
hs_asan_options() {
  local probe dir
  dir=$(mktemp -d)
  printf '#include <stdlib.h>\nint main(void){void *volatile p = malloc(7); p = 0; (void)p; return 0;}\n' >"$dir/p.c"
  if cc -fsanitize=address -o "$dir/p" "$dir/p.c" 2>/dev/null; then
    probe=$(ASAN_OPTIONS=detect_leaks=1 "$dir/p" 2>&1 || true)
  fi
  rm -rf -- "$dir"
  if [[ $probe == *"detected memory leaks"* ]]; then
    echo "detect_leaks=1"
  else
    echo "detect_leaks=0"
  fi
}

# Sourced by every harness with a PostgreSQL of its own: the one way it finds, starts and stops
# its throw-away PostgreSQL (durable defaults, loopback only), and checks the loopback ports it
# means to take before it deletes or starts anything.
#
#   ports_free PORT...          2 (and the port on stderr) when one of them is in use on 127.0.0.1
#   pg_workdir DIR              DIR (under /tmp) emptied, and writable by PostgreSQL (owned by
#                               `postgres` when we are root)
#   pg_find                     sets PGBIN (PostgreSQL 15 first; installs Debian's when none, as root)
#   as_pg CMD...                runs CMD as `postgres` when we are root (initdb and pg_ctl refuse root)
#   pg_start DATA PORT [-c name=value ...]
#                               initdb DATA and start it on 127.0.0.1:PORT; socket, initdb.log and
#                               postgres.log go in DATA's parent folder
#   pg_stop DATA                fast shutdown, if it runs

pg_find() {
  PGBIN=""
  local dir
  for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin /usr/local/bin; do
    [[ -x $dir/initdb ]] && { PGBIN=$dir; return 0; }
  done
  [[ $(id -u) == 0 ]] || { echo "PostgreSQL server binaries are missing (apt-get install -y postgresql)" >&2; return 2; }
  echo "installing postgresql (server binaries)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
}

ports_free() {
  local port
  for port in "$@"; do
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use" >&2; return 2; fi
  done
}

pg_workdir() {
  [[ $1 == /tmp/?* ]] || { echo "the work directory must be under /tmp: $1" >&2; exit 2; }
  rm -rf "$1"
  mkdir -p "$1"
  chmod 755 "$1"
  if [[ $(id -u) == 0 ]]; then chown postgres "$1"; fi
}

if [[ $(id -u) == 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

pg_start() {
  local data=$1 port=$2
  shift 2
  local dir
  dir=$(dirname "$data")
  as_pg "$PGBIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log"
  as_pg "$PGBIN/pg_ctl" -D "$data" -l "$dir/postgres.log" -w start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $*" >/dev/null
}

pg_stop() {
  if [[ -f $1/postmaster.pid ]]; then
    as_pg "$PGBIN/pg_ctl" -D "$1" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

# The fleet backend's engines: Debian's PostgreSQL and nats-server, installed when missing
# (needs root and apt). Tests that need them skip with a reason where they cannot be installed.
set -euo pipefail
have_pg() { command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
missing=()
have_pg || missing+=(postgresql)
command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's ${missing[*]} for the fleet backend"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian's postgresql package starts a cluster of its own: the tests start theirs on free ports
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    service postgresql stop >/dev/null 2>&1 || true
  fi
else
  echo "${missing[*]} missing and cannot be installed here: fleet tests will be skipped" >&2
fi

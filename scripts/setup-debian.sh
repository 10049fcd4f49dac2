#!/usr/bin/env bash
# setup-debian.sh: installs what pgq-java needs to build and test on Debian bookworm.
#
# Idempotent: when every package is installed already it does nothing (and needs no root);
# otherwise it runs apt-get update and install, which needs root.
# It does not touch the "15/main" cluster the postgresql-15 package may create and start:
# the tests and the demo run their own throwaway servers (free port, private socket directory).
set -euo pipefail

packages=(
  postgresql-15               # server binaries in /usr/lib/postgresql/15/bin (initdb, pg_ctl, psql)
  postgresql-server-dev-15    # pg_config and PGXS, to build the pljvm C host
  postgresql-15-pgq3          # the original PgQ, for comparison tests
  pgbouncer                   # bench/pgq-bench.sh: a connection per transaction through a pooler
  python3-pgq                 # PgQ's Python client: TriggersIT reads trigger events with a python-pgq consumer
  postgresql-15-pgq-node      # pgq_node's SQL, which pgqadm install-cascade loads (CascadeIT)
  postgresql-15-londiste-sql  # londiste's SQL, loaded the same way
  python3-londiste            # londiste's own tool (/usr/bin/londiste): CascadeIT replicates with it
  systemd                     # systemd-analyze: SystemdIT verifies pgqadm's unit files
  help2man                    # pgqadm's man page, for its Debian package (launcher's profile deb)
  man-db                      # man: PackageIT reads the installed man page
  openjdk-17-jdk-headless     # javac, and libjvm.so that pljvm loads into the backend
  maven
  make
  gcc
  libc6-dev
)

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" != installed ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-debian: all ${#packages[@]} packages installed already, nothing to do"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-debian: missing packages: ${missing[*]}; run as root to install them (sudo $0)" >&2
  exit 1
fi

echo "setup-debian: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
echo "setup-debian: apt-get update"
apt-get update
echo "setup-debian: apt-get install -y --no-install-recommends ${packages[*]}"
apt-get install -y --no-install-recommends "${packages[@]}"
echo "setup-debian: done"

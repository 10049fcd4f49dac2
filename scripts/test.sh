#!/usr/bin/env bash
# test.sh: the whole test suite, on a fresh Debian bookworm machine, as root.
#
# Installs the packages (scripts/setup-debian.sh), then runs every module's unit tests
# (surefire, *Test.java) and integration tests (failsafe, *IT.java). The build installs pljvm
# into /usr/lib/postgresql/15 (hence root); the tests start their own throwaway PostgreSQL 15,
# run as the OS user postgres. Extra arguments go to Maven (e.g. -pl test-support -am).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-debian.sh
echo "test: mvn -B -ntp verify $*"
exec mvn -B -ntp verify "$@"

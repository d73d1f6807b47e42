#!/usr/bin/env bash
# Set up everything and run every test: the README's test command, and what .ci/run calls.
#   - a virtualenv in .venv with requirements.txt (runtime) and requirements-dev.txt (test and lint tools)
#   - Debian's chromium for the browser test (installed with apt-get when run as root)
#   - a real Neo4j 5 server from Maven Central (scripts/neo4j.sh), started for the run and stopped after
# Under CI=true a browser or Neo4j that cannot be had fails the run; elsewhere those tests are skipped.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt -r requirements-dev.txt

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing Debian's chromium for the browser test" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif [ "${CI:-}" = true ]; then
    echo "test.sh: chromium is missing and cannot be installed (not root)" >&2
    exit 1
  fi
fi

# A server this run starts is stopped at the end; one the developer already had running is left alone.
# Loads replace the graph in one transaction, so the test server gets a larger heap than the default.
export NEO4J_DEV_HEAP="${NEO4J_DEV_HEAP:-2g}" NEO4J_DEV_PAGECACHE="${NEO4J_DEV_PAGECACHE:-512m}"
stop_neo4j() { scripts/neo4j.sh stop >/dev/null 2>&1 || true; }
already_running=false
scripts/neo4j.sh status >/dev/null 2>&1 && already_running=true
if settings=$(scripts/neo4j.sh start); then
  eval "$settings"
  [ "$already_running" = true ] || trap stop_neo4j EXIT
elif [ "${CI:-}" = true ]; then
  echo "test.sh: Neo4j did not start; under CI=true that fails the run" >&2
  exit 1
else
  echo "test.sh: Neo4j did not start; Neo4j tests will be skipped" >&2
fi

.venv/bin/python -m pytest "$@"

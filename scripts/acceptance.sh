#!/usr/bin/env bash
# Run the public acceptance scenarios twice: on a fresh SQLite file (the harness makes one), then on a
# fresh PostgreSQL database created here and dropped afterwards, whatever the outcome.
# Usage: scripts/acceptance.sh [PATH/TO/public.py]   (default ../shared/acceptance/public.py)
# The PostgreSQL server is LEDGER_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
set -euo pipefail

cd "$(dirname "$0")/.."
scenarios=${1:-../shared/acceptance/public.py}
# Absolute: the harness starts the server from a scratch folder, where a relative path would not resolve.
exe="$PWD/.venv/bin/award-ledger"
server=${LEDGER_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
database="ledger_acceptance_$(date +%s)_$$"

if [ ! -f "$scenarios" ]; then
    echo "acceptance: no scenarios at $scenarios (is ../shared beside the project? else: make acceptance SHARED=PATH)" >&2
    exit 1
fi
# Our own scenarios import the same harness, from wherever public.py was found.
LEDGER_ACCEPTANCE_HARNESS="$(cd "$(dirname "$scenarios")" && pwd)"
export LEDGER_ACCEPTANCE_HARNESS

status=0
# The rules and conventions the public examples leave out, the readings catalogue.md pins (issue 13), and what
# black-box probes of the contract found (stop 30).
extras=(tests/acceptance/more_scenarios.py tests/acceptance/pinned_readings.py
        tests/acceptance/decisions_and_corrections.py)

echo "==> acceptance on SQLite"
.venv/bin/python "$scenarios" --exe "$exe" || status=1
for extra in "${extras[@]}"; do .venv/bin/python "$extra" --exe "$exe" || status=1; done

echo "==> acceptance on PostgreSQL (fresh database $database)"
psql "$server" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $database"
trap 'psql "$server" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true' EXIT
.venv/bin/python "$scenarios" --exe "$exe" --database-url "${server%/*}/$database" || status=1
for extra in "${extras[@]}"; do
    .venv/bin/python "$extra" --exe "$exe" --database-url "${server%/*}/$database" || status=1
done

if [ "$status" -ne 0 ]; then
    echo "acceptance: FAILED on at least one backend (see the FAIL lines above)" >&2
fi
exit "$status"

#!/usr/bin/env bash
# Lets the local PostgreSQL (127.0.0.1:5432) serve a streaming replica to 127.0.0.1, as the read-replica test
# (tests/ops/test_read_replica.py) builds one with `pg_basebackup -R`. Idempotent: a replication line already
# in pg_hba.conf means nothing to do; otherwise one trust line for 127.0.0.1 is appended and the server
# reloads its configuration (a reload, not a restart: nobody's session is interrupted).
# Also checks that WAL is kept for replicas (wal_level replica or logical, max_wal_senders > 0), which needs a
# restart to change: it says so rather than restarting a shared server.
set -euo pipefail

URL=${LEDGER_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
say() { printf '==> [replication] %s\n' "$*"; }
ask() { psql "$URL" -Atqc "$1"; }

if ! pg_isready -q -d "$URL"; then
    say "PostgreSQL does not answer at $URL; start it first (see .ci/run)" >&2
    exit 1
fi
level=$(ask "SHOW wal_level")
senders=$(ask "SHOW max_wal_senders")
if [ "$level" = minimal ] || [ "$senders" = 0 ]; then
    say "wal_level=$level, max_wal_senders=$senders: a replica needs wal_level=replica and max_wal_senders > 0;" \
        "set them in postgresql.conf and restart PostgreSQL when nobody is using it" >&2
    exit 1
fi
if [ "$(ask "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)")" != 0 ]; then
    say "pg_hba.conf already allows replication connections"
    exit 0
fi
hba=$(ask "SHOW hba_file")
if [ ! -w "$hba" ]; then
    say "$hba needs a line 'host replication all 127.0.0.1/32 trust'; run this script as root or its owner" >&2
    exit 1
fi
say "allowing replication connections from 127.0.0.1 in $hba, then reloading the configuration"
printf '\n# award-ledger: scripts/allow-replication.sh (the read-replica test streams from this server)\n%s\n' \
    'host    replication     all             127.0.0.1/32            trust' >> "$hba"
ask "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 1 20); do  # the reload is asynchronous
    [ "$(ask "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)")" != 0 ] && exit 0
    sleep 0.25
done
say "the reload did not show the replication line; check $hba and the server log" >&2
exit 1

#!/bin/sh
# The postgres-replica service's entrypoint: on an empty volume, copy the primary with `pg_basebackup -R` (which
# writes standby.signal and primary_conninfo), then run as a hot standby streaming from it.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    echo "postgres-replica: copying the primary (pg_basebackup from ${PRIMARY_HOST})"
    pg_basebackup -h "$PRIMARY_HOST" -U "$PRIMARY_USER" -D "$PGDATA" -R -X stream -c fast
    chmod 700 "$PGDATA"
fi
# A hot standby needs max_connections at least the primary's (compose passes both the same MAX_CONNECTIONS).
exec postgres -c hot_standby=on -c max_connections="${MAX_CONNECTIONS:-250}"

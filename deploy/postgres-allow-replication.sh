#!/bin/sh
# Mounted into the postgres service's /docker-entrypoint-initdb.d: on a fresh volume, lets the replica service
# stream from it (a `replication` line in pg_hba.conf; wal_level=replica and max_wal_senders=10 are the defaults).
set -eu
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"

"""Trust an outsider can check: the hash chain written with the events, the append-only guard, snapshots
checked against the chain, RFC 9162 Merkle proofs, Ed25519-signed digests and award receipts.

These are not read models: they are part of the record itself, so they live with the ledger. Nothing here
imports FastAPI or the settings; psycopg is used only by the PostgreSQL-specific modules (`postgres.py`,
`append_only.py`), as in `ledger/pg_recorder.py`.
"""

"""The ledger's aggregates and value types. Decorated event methods only change state: every check
happens before them, in the application, so old events always replay."""

"""The ledger's edge: the FastAPI app, its auth and problem+json, and the `award-ledger` command line."""

"""The ledger's use cases by family, each a mixin of `AwardLedger` (ledger/application.py), whose `_run`
gives every command its retries, idempotency and single transaction."""

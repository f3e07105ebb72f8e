"""award-ledger: the books of Binjiang's 2022 "two chains" innovation-subsidy policy."""

"""Bank statement files as banks send them: the bytes decoded (UTF-8 with or without BOM, or GB18030/GBK),
the header's columns mapped to the ledger's fields by a configurable column map, each line read into the
ledger's one validator (ledger/domain/bank_statement.statement_line), refused lines named with their number."""
from ledger.bank_files.reading import BankFile, RefusedLine, read_bank_file

__all__ = ["BankFile", "RefusedLine", "read_bank_file"]

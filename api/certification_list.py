"""Reading an official list of certifications (CSV or JSON) into rows the ledger records, each through the
same strict field checks as POST /v1/certifications (api/schemas) and so the one text validator; a row
that fails them is refused with its line, code and detail, never the whole list.

CSV comes as Chinese offices export it, UTF-8 (with or without a BOM) or GB18030/GBK: the bank files'
decoder tells them apart. The CSV module (stdlib) reads quoting and embedded commas; a list's line is its
line in the file (the header is line 1); in JSON, row i is line i + 1, so the two read alike."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from api import field_messages
from api.schemas.certifications import CertificationCreate
from ledger.bank_files.decoding import decode
from ledger.domain.errors import InvalidInput

COLUMNS = ("uscc", "programme", "tier", "effective_on", "document_ref", "body_id")
OPTIONAL = ("tier", "body_id", "subject")
MAX_ROWS = 100_000


@dataclass
class CertificationList:
    sha256: str
    rows: int = 0
    good: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)


def read_list(body: bytes, content_type: str) -> CertificationList:
    """The list's rows checked field by field; InvalidInput only for a body that is no list at all."""
    found = CertificationList(hashlib.sha256(body).hexdigest())
    if "csv" in content_type.lower():
        records = _csv_rows(body)
    elif "json" in content_type.lower():
        records = _json_rows(body)
    else:
        raise InvalidInput(f"Content-Type {content_type or '(none)'} is not a list: send text/csv (header"
                           f" {','.join(COLUMNS)}) or application/json {{\"rows\": [...]}}")
    seen: dict[tuple, int] = {}
    for line, record in records:
        found.rows += 1
        if found.rows > MAX_ROWS:
            raise InvalidInput(f"the list has more than {MAX_ROWS:,} rows; split it and import each part")
        if not isinstance(record, dict):
            detail = record if isinstance(record, str) else "a row must be an object of the columns"
            found.refused.append({"line": line, "code": "invalid_request", "detail": detail})
            continue
        fields = {k: (None if k in OPTIONAL and v in ("", None) else v) for k, v in record.items()}
        try:
            checked = CertificationCreate.model_validate(fields).model_dump()
        except ValidationError as err:
            # Recorded with the import, so in the ledger's stored language (English), worded as the API's 422.
            first = err.errors()[0]
            found.refused.append({"line": line, "code": field_messages.code(first),
                                  "detail": field_messages.in_language(first, "en")})
            continue
        same = tuple(checked.get(k) for k in ("uscc", "programme", "tier", "effective_on", "body_id", "subject"))
        if same in seen:
            found.refused.append({"line": line, "code": "duplicate_row", "detail": f"the same certification as line"
                                  f" {seen[same]}; each certification once per list"})
            continue
        seen[same] = line
        found.good.append((line, checked))
    return found


def _csv_rows(body: bytes) -> list[tuple[int, Any]]:
    text, _ = decode(body)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in ("uscc", "programme", "effective_on", "document_ref") if c not in header]
    if missing:
        raise InvalidInput(f"the CSV header lacks {', '.join(missing)}; its first line must name the columns "
                           + ",".join(COLUMNS))
    reader.fieldnames = header
    rows = []
    for record in reader:
        extra = record.pop(None, None)  # more cells than the header names
        if extra:
            rows.append((reader.line_num, f"line has {len(extra)} cells more than the header"))
            continue
        rows.append((reader.line_num, {k: v for k, v in record.items() if v is not None}))
    return rows


def _json_rows(body: bytes) -> list[tuple[int, Any]]:
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidInput("the body is not valid JSON; send {\"rows\": [{...}, ...]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list) or set(data) - {"rows", "source"}:
        raise InvalidInput("send {\"rows\": [{\"uscc\", \"programme\", \"tier\", \"effective_on\", \"document_ref\","
                           " \"body_id\"}, ...]}")
    return [(i + 2, row) for i, row in enumerate(data["rows"])]

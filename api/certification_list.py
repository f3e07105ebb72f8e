"""Reading an official list of certifications (CSV or JSON) into rows the ledger records, each through the
same strict field checks as POST /v1/certifications (api/schemas) and so the one text validator; a row
that fails them is refused with its line, code and detail, never the whole list.

CSV comes as Chinese offices export it, UTF-8 (with or without a BOM) or GB18030/GBK: the bank files'
decoder tells them apart. The CSV module (stdlib) reads quoting and embedded commas; a list's line is its
line in the file (the header is line 1); in JSON, rows[i] is line i + 2 (row i + 1 after a header), so the
two read alike."""
from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from api import field_messages
from api.json_text import DuplicateKey, loads_once
from api.schemas.certifications import CertificationCreate
from ledger.bank_files.decoding import MixedEncodings, NotAsDeclared, OtherEncoding, WideText, charset, decode
from ledger.csv_lines import open_to_the_end, record_start
from ledger.domain.errors import InvalidInput

COLUMNS = ("uscc", "programme", "tier", "effective_on", "document_ref", "body_id")
OPTIONAL = ("tier", "body_id", "subject")
MAX_ROWS = 100_000
NEEDED = ("uscc", "programme", "effective_on", "document_ref")
# Separators a spreadsheet saves a list with when it is not "CSV (comma-separated)": WPS's 文本文件(制表符分隔), a
# semicolon list, or one typed in full-width. The header then reads as one column: said so, not "lacks uscc, ...".
SEPARATORS = {"\t": ("tabs", "制表符（Tab）"), ";": ("semicolons", "分号"), "；": ("full-width semicolons", "全角分号"),
              "，": ("full-width commas", "全角逗号")}
# Column names an office writes in Chinese (a bureau probe sent 统一社会信用代码,项目,等级,...): the header is pinned in
# English, so these are only named, with the English name to write, in the refusal.
CHINESE_COLUMNS = {"统一社会信用代码": "uscc", "信用代码": "uscc", "项目": "programme", "项目代码": "programme",
                   "政策条目": "programme", "等级": "tier", "等次": "tier", "级别": "tier", "生效日期": "effective_on",
                   "认定日期": "effective_on", "文号": "document_ref", "认定文号": "document_ref",
                   "发文文号": "document_ref", "创新组织": "body_id", "创新组织编号": "body_id", "对象": "subject"}
SHOWN = 40  # a header cell as quoted back
# What each needed cell holds, said when a row leaves it empty (`missing_field`, as a row without its tier or body).
NEEDED_WORDS = {"uscc": ("the organisation's unified social credit code", "统一社会信用代码"),
                "programme": ("the programme's code (GET /v1/programmes)", "政策条目代码（见 GET /v1/programmes）"),
                "effective_on": ("the day it takes effect, YYYY-MM-DD", "生效日期（YYYY-MM-DD）"),
                "document_ref": ("the recognising document's reference number (文号)", "认定文件的文号")}
SOURCE_MOST = 200  # a list's name, in ?source= or in a JSON list's "source" (api/routes/proposals.py)


@dataclass
class CertificationList:
    sha256: str
    rows: int = 0
    good: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    source: str | None = None  # the list's name, as a JSON list may carry it


def read_list(body: bytes, content_type: str) -> CertificationList:
    """The list's rows checked field by field; InvalidInput only for a body that is no list at all."""
    found = CertificationList(hashlib.sha256(body).hexdigest())
    if "csv" in content_type.lower():
        records = _csv_rows(body, charset(content_type))
    elif "json" in content_type.lower():
        records, found.source = _json_rows(body)
    else:
        raise InvalidInput(f"Content-Type {content_type or '(none)'} is not a list: send text/csv (header"
                           f" {','.join(COLUMNS)}) or application/json {{\"rows\": [...]}}",
                           zh=f"Content-Type {content_type or '（无）'} 不是名单：请以 text/csv（表头"
                              f" {','.join(COLUMNS)}）或 application/json {{\"rows\": [...]}} 发送")
    seen: dict[tuple, int] = {}
    for line, record in records:
        found.rows += 1
        if found.rows > MAX_ROWS:
            raise InvalidInput(f"the list has more than {MAX_ROWS:,} rows; split it and import each part",
                               zh=f"名单超过 {MAX_ROWS:,} 行；请拆分后分别导入")
        if not isinstance(record, dict):
            detail, zh = record if isinstance(record, tuple) else (
                "a row must be an object of the columns", "每一行须是由各列组成的对象")
            found.refused.append({"line": line, "code": "invalid_request", "detail": detail, "detail_zh": zh})
            continue
        fields = {k: (None if k in OPTIONAL and v in ("", None) else v) for k, v in record.items()}
        if empty := [k for k in NEEDED if fields.get(k) is None or str(fields[k]).strip() == ""]:
            # Said `missing_field`, as a row without its tier or body is: an empty document_ref read "must not be empty"
            # and an empty programme "must be a code", both `invalid_request` (a bureau probe).
            found.refused.append({"line": line, "code": "missing_field",
                                  "detail": f"{', '.join(empty)}: not given on this line; fill in "
                                            + "; ".join(NEEDED_WORDS[k][0] for k in empty),
                                  "detail_zh": f"{'、'.join(empty)}：该行未填写；请填写"
                                               + "、".join(NEEDED_WORDS[k][1] for k in empty)})
            continue
        try:
            checked = CertificationCreate.model_validate(fields).model_dump()
        except ValidationError as err:
            # Recorded with the import, so in the ledger's stored language (English), worded as the API's 422.
            first = err.errors()[0]
            found.refused.append({"line": line, "code": field_messages.code(first),
                                  "detail": field_messages.in_language(first, "en"),
                                  "detail_zh": field_messages.in_language(first, "zh")})
            continue
        same = tuple(checked.get(k) for k in ("uscc", "programme", "tier", "effective_on", "body_id", "subject"))
        if same in seen:
            found.refused.append({"line": line, "code": "duplicate_row", "detail": f"the same certification as line"
                                  f" {seen[same]}; each certification once per list",
                                  "detail_zh": f"与第 {seen[same]} 行是同一认定；每项认定在名单中只列一次"})
            continue
        seen[same] = line
        found.good.append((line, checked))
    return found


def _text(body: bytes, declared: str | None) -> str:
    """The list's text: UTF-8 (with or without a BOM) or GB18030/GBK, as the bank files are read."""
    try:
        text, _ = decode(body, declared)
    except (MixedEncodings, NotAsDeclared, WideText, OtherEncoding):
        raise  # the line that is not UTF-8, the charset declared, UTF-16, Big5: said as for a bank file
    except InvalidInput:
        raise InvalidInput("the list is neither UTF-8 nor GB18030/GBK text; save it again as CSV UTF-8 (or send"
                           " JSON)", zh="名单既不是 UTF-8 也不是 GB18030/GBK 编码的文本；请另存为 CSV UTF-8"
                                        "（或以 JSON 发送）") from None
    return text


def _few(names: list[str], most: int = 10) -> list[str]:
    """Column names a refusal quotes: at most `most`, each cut to 40 characters, and how many more."""
    shown = [name if len(name) <= 40 else name[:39] + "…" for name in names[:most]]
    return shown + ([f"… (+{len(names) - most:,})"] if len(names) > most else [])


def _csv_rows(body: bytes, declared: str | None) -> list[tuple[int, Any]]:
    text = _text(body, declared)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: list[tuple[int, Any]] = []
    try:
        # Names as written in any case (USCC, Programme): a capitalised header refused the whole list (an imports
        # probe); a column the list does not take is refused once here, not on every row.
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if missing := [c for c in NEEDED if c not in header]:
            raise _header_lacks(missing, [h.strip() for h in reader.fieldnames or []])
        # Counted once (each column was counted against the whole header: 40,000 columns took 19 s, a stall probe),
        # and at most a few named.
        counted = Counter(header)
        if twice := _few(sorted(h for h, n in counted.items() if h and n > 1)):
            # csv.DictReader keeps the last of a name's cells: a row would be recorded for the other column's
            # organisation, unseen (a probe). A JSON key, a query parameter or a header named twice is refused too.
            raise InvalidInput(f"the CSV header names {', '.join(twice)} more than once; name each column once: "
                               + ",".join(COLUMNS),
                               zh=f"CSV 表头中 {', '.join(twice)} 出现了不止一次；每列只能出现一次："
                                  + ",".join(COLUMNS))
        if unknown := _few(list(dict.fromkeys(h for h in header if h and h not in (*COLUMNS, *OPTIONAL)))):
            raise InvalidInput(f"the CSV header names {', '.join(unknown)}, which a list does not take; remove that"
                               " column (a list's columns are " + ",".join(COLUMNS) + ", and subject where a"
                               " programme needs one)",
                               zh=f"CSV 表头中的 {'、'.join(unknown)} 不是名单的列；请删去该列（名单的列为 "
                                  + ",".join(COLUMNS) + "，以及需要对象的计划的 subject）")
        # A column with no name (a trailing comma in the header, as spreadsheets save) is no field: its empty cells
        # are passed over; a filled one is its line's fault (every row was refused as "body: is not a field").
        unnamed = {f"#{at + 1}" for at, h in enumerate(header) if not h}
        reader.fieldnames = [h or f"#{at + 1}" for at, h in enumerate(header)]
        last: tuple[int, list[str]] | None = None  # the last record's first line and its cells as read
        for record in reader:
            extra = record.pop(None, None)  # more cells than the header names
            cells = [*record.values(), *(extra or [])]
            if not any((c or "").strip() for c in cells):
                continue  # a row of empty cells (Excel writes them after formatted ones) is a blank line
            line = record_start(reader.line_num, cells)
            last = (line, [c for c in cells if c])
            if extra:
                rows.append((line, (f"line has {len(extra)} cell{'' if len(extra) == 1 else 's'} more than the"
                                    " header; a cell holding a comma is"
                                    " quoted (\"...,...\"), and each line gives the header's columns only",
                                    f"该行比表头多 {len(extra)} 个单元格；含逗号的单元格须加引号（\"…,…\"），"
                                    "每行只填写表头所列的各列")))
                continue
            if filled := [name for name in sorted(unnamed) if (record.pop(name, None) or "").strip()]:
                rows.append((line, (f"the cell in column {filled[0][1:]} has no column name in the header; name"
                                    " the column (" + ",".join(COLUMNS) + ") or empty the cell",
                                    f"第 {filled[0][1:]} 列的单元格在表头中没有列名；请为该列填写列名（"
                                    + ",".join(COLUMNS) + "）或清空该单元格")))
                continue
            for name in unnamed:
                record.pop(name, None)
            if short := [c for c in NEEDED if record.get(c) is None]:
                # Fewer cells than the header, a column the list needs among those left without one: said so, not
                # "effective_on is required in the body" (a sandbox probe); optional columns may be left off the end.
                # The header's columns are its named ones (an unnamed trailing one is none: a regression probe).
                given, named = sum(v is not None for v in record.values()), sum(1 for h in header if h)
                rows.append((line, (f"line has {given} cell{'' if given == 1 else 's'}, fewer than the header's"
                                    f" {named}: no cell for"
                                    f" {', '.join(short)}; give each column its cell (an empty one between commas"
                                    " for a column left empty)",
                                    f"该行有 {given} 个单元格，少于表头的 {named} 个：{'、'.join(short)} 没有单元格；"
                                    "请为每一列填写单元格（留空的列在逗号之间留空）")))
                continue
            # A cell is what is between its commas, spaces around it not included (an office's export may pad).
            rows.append((line, {k: v.strip() for k, v in record.items() if v is not None}))
        if last is not None and (opened := open_to_the_end(text, *last)) is not None:
            line, end = opened, reader.line_num
            rows[-1] = (line, (f"lines {line} to {end} were read as one row: a quote opened on line {line} is never"
                               " closed, so every line after it became one cell; check the file's quoting",
                               f"第 {line} 至 {end} 行被读成了一行：第 {line} 行的引号没有闭合，其后各行都被读进了"
                               "同一个单元格；请检查文件中的引号"))
    except csv.Error as err:  # a cell past the csv module's limit (128 KiB), a stray NUL: the rest is unreadable
        line = (reader.line_num or 1) + 1  # the line after the last one read whole
        rows.append((line, (f"line {line} and after are not readable as CSV ({err}); no cell of a list is that long:"
                            " check the file's quoting", f"第 {line} 行起无法按 CSV 读取（{err}）；名单的单元格不会"
                            "这么长，请检查文件中的引号")))
    return rows


def _header_lacks(missing: list[str], header: list[str]) -> InvalidInput:
    """A header without a column the list needs, saying what it read: one column holding another separator (the list
    was saved tab- or semicolon-separated), or names that are not the list's (Chinese ones), with what to send."""
    cells = [h for h in header if h]
    joined = ",".join(cells)
    found = [(sep, joined.count(sep)) for sep in SEPARATORS if sep in joined]
    if found and len(cells) <= len(found):
        sep = max(found, key=lambda f: f[1])[0]
        en, zh = SEPARATORS[sep]
        shown = joined.replace("\t", " ")[:SHOWN * 2]
        return InvalidInput(f"the CSV header reads as one column, {shown!r}: its columns are separated by {en}, and a"
                            " list's by commas; save the list as CSV (comma-separated), its first line "
                            + ",".join(COLUMNS),
                            zh=f"CSV 表头被读成了一列（{shown}）：各列以{zh}分隔，而名单须以英文逗号分隔；请另存为"
                               "“CSV UTF-8（逗号分隔）”文件，第一行为 " + ",".join(COLUMNS))
    named = [h[:SHOWN] for h in cells[:len(COLUMNS) + 4]]
    mapped = [(h, CHINESE_COLUMNS[h]) for h in named if h in CHINESE_COLUMNS]
    hint_en = "; ".join(f"{column} for {h}" for h, column in mapped)
    hint_zh = "，".join(f"{h} 写作 {column}" for h, column in mapped)
    read_en = f"its columns are {', '.join(named)}" if named else "its first line is empty"
    read_zh = f"表头各列为 {'、'.join(named)}" if named else "第一行为空"
    return InvalidInput(f"the CSV header lacks {', '.join(missing)} ({read_en}); its first line must name the columns"
                        " in English: " + ",".join(COLUMNS) + (f" (write {hint_en})" if hint_en else ""),
                        zh=f"CSV 表头缺少 {', '.join(missing)}（{read_zh}）；第一行须用英文列出各列名："
                           + ",".join(COLUMNS) + (f"（{hint_zh}）" if hint_zh else ""))


def _json_rows(body: bytes) -> tuple[list[tuple[int, Any]], str | None]:
    try:
        # A key named twice is refused, as the API's edge refuses it in a body: a list uploaded on a page never
        # passes the edge, and took the last of the two values (an intake probe: a row's tier, little_giant then
        # provincial_sme, recorded as provincial_sme).
        data = loads_once(body)
    except DuplicateKey as twice:
        key = twice.key[:40]
        raise InvalidInput(f"the list names the key {key!r} twice in one object; send each key once",
                           zh=f"名单中同一个对象两次出现键 {key!r}；每个键只发送一次") from None
    except ValueError:
        raise InvalidInput("the body is not valid JSON; send {\"rows\": [{...}, ...]}",
                           zh="请求体不是有效的 JSON；请发送 {\"rows\": [{...}, ...]}") from None
    extra = sorted(set(data) - {"rows", "source"}) if isinstance(data, dict) else []
    if extra and isinstance(data.get("rows"), list):
        # Named, as every other request names a field it does not take (a hostile-input probe read only "send
        # {"rows": ...}" and could not tell which of its fields was wrong).
        named = ", ".join(repr(k[:40]) for k in extra[:5])
        raise InvalidInput(f"{named}: not a field of this request; send {{\"rows\": [...]}} with an optional"
                           ' "source" and nothing else',
                           zh=f"{named}：不是本请求的字段；请只发送 {{\"rows\": [...]}}，可另带 \"source\"")
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list) or extra:
        raise InvalidInput("send {\"rows\": [{\"uscc\", \"programme\", \"tier\", \"effective_on\", \"document_ref\","
                           " \"body_id\"}, ...]}", zh="请发送 {\"rows\": [{\"uscc\", \"programme\", \"tier\","
                                                 " \"effective_on\", \"document_ref\", \"body_id\"}, ...]}")
    name = data.get("source")
    if name is not None and (not isinstance(name, str) or len(name) > SOURCE_MOST):  # as ?source= is bounded
        raise InvalidInput(f"source, the list's name, is text of at most {SOURCE_MOST} characters (its file name,"
                           " say), or left out",
                           zh=f"source（名单名称）应为不超过 {SOURCE_MOST} 个字符的文本（如其文件名），或不填")
    return [(i + 2, row) for i, row in enumerate(data["rows"])], name

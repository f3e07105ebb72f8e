"""Files for the CSV importers: bank statements in the ledger's layout and in Chinese banks' layouts (sent as
text/csv or as a form upload) and certification lists, with cells at the edges (malformed money and dates,
control characters, formulas, quotes and line breaks inside cells) and the files' own edges (encodings, byte
order marks, line endings, missing or extra columns)."""
from __future__ import annotations

import csv
import io

from hypothesis import strategies as st

from tests.resilience.fuzz_bodies import DATES, MONEY, Sent
from tests.resilience.fuzz_target import CATALOGUE

CELL_EDGES = ["", " ", "1,2,3", "1,234.50", "12,34.5", "-5", "(5.00)", "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0",
              "@SUM(1)", "R\x00", "\x1b[2J\x1b]0;owned\x07", "\u202e", "a\"b", "line\nbreak", "x" * 5000, "𠀀",
              "\ufeffdate", "ICBC-20230703-000187"]
BANK_LAYOUTS = [("date", "amount", "reference", "counterparty"),
                ("交易日期", "借方发生额", "贷方发生额", "附言", "对方户名"),
                ("交易日期", "交易时间", "交易金额", "交易流水号", "对方户名"),
                ("记账日期", "借方", "贷方", "摘要")]
CERT_COLUMNS = ("uscc", "programme", "tier", "effective_on", "document_ref", "body_id")


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def cells(*likely: st.SearchStrategy) -> st.SearchStrategy[str]:
    """Mostly the cell a field expects, sometimes an edge case or any text."""
    return st.one_of(*likely, *likely, st.sampled_from(CELL_EDGES), st.text(max_size=12))


@st.composite
def encoded(draw: st.DrawFn, header: tuple[str, ...], rows: list[list[str]], media: str, upload: bool) -> Sent:
    """The table as CSV text, in one of the encodings and line endings files arrive in."""
    header = draw(st.sampled_from([header, header[:-1], (*header, "extra"), ()]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])))
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]))
    data = text.encode(encoding, "surrogatepass") if encoding.startswith("utf") else text.encode(encoding, "replace")
    if draw(st.integers(0, 9)) == 0:
        data += draw(st.sampled_from([b"\xff\xfe\x80", b"\x00", b"\n" * 3, b",,,,\n"]))
    if not upload:
        return Sent(f"{media} {encoding}", data, media)
    boundary = "fuzzboundary7"
    field = draw(st.sampled_from(["file", "file", "file", "statement", ""]))
    name = draw(st.sampled_from(["bank.csv", "对账单.csv", "../../x.csv", "a\r\nb.csv", "", "x" * 300]))
    part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n"
            "Content-Type: text/csv\r\n\r\n")
    form = part.encode("utf-8", "surrogatepass") + data + f"\r\n--{boundary}--\r\n".encode()
    if draw(st.integers(0, 9)) == 0:
        form = form[: draw(st.integers(0, len(form)))]  # cut short, as a dropped upload arrives
    return Sent(f"upload {encoding}", form, f"multipart/form-data; boundary={boundary}")


@st.composite
def statements(draw: st.DrawFn, bank_refs: list[str]) -> Sent:
    """A bank statement in one of the known layouts, its references often those of recorded payouts."""
    layout = draw(st.sampled_from(BANK_LAYOUTS))
    money = st.sampled_from([_text(m) for m in MONEY] + ["50000.00", "-50000.00", "100000.00", "1,000,000.00"])
    likely = {"date": st.sampled_from([_text(d) for d in DATES] + ["2025-07-01", "20250701", "2025/07/01"]),
              "amount": money, "money": money, "ref": st.sampled_from(bank_refs or ["ICBC-1"]),
              "text": st.sampled_from(["杭州某某科技有限公司", "PAY-2024-0001 补助", "time 10:00:00", "10:00:00"])}
    kind = {"date": "date", "交易日期": "date", "记账日期": "date", "amount": "amount", "reference": "ref",
            "交易流水号": "ref", "附言": "ref", "摘要": "ref"}
    column = [kind.get(c, "money" if ("额" in c or c in ("借方", "贷方")) else "text") for c in layout]
    rows = draw(st.lists(st.tuples(*(cells(likely[k]) for k in column)).map(list), max_size=8))
    return draw(encoded(layout, rows, "text/csv", draw(st.booleans())))


@st.composite
def certification_lists(draw: st.DrawFn, usccs: list[str], body_ids: list[str]) -> Sent:
    """A lead bureau's certification list: real organisations and programmes, mostly, with edge cells."""
    tiers = sorted({t.code for p in CATALOGUE.programmes.values() for t in p.tiers})
    likely = [st.sampled_from(usccs), st.sampled_from(sorted(CATALOGUE.programmes)), st.sampled_from(tiers),
              st.sampled_from([_text(d) for d in DATES] + ["2023-03-01", "2024-05-20"]),
              st.sampled_from(["杭发改高技〔2023〕15号", "浙科发〔2023〕7号"]), st.sampled_from(body_ids)]
    rows = draw(st.lists(st.tuples(*(cells(s) for s in likely)).map(list), max_size=8))
    return draw(encoded(CERT_COLUMNS, rows, "text/csv", False))

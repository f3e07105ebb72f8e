"""The sandbox page's draft, from what the browser sent: an uploaded TOML file, TOML pasted in the text box,
or the numbers of the catalogue in force edited in the form. Every way goes through the one catalogue reader
(`parse`), so the form refuses what the API and the CLI refuse, naming the same field."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from api import field_messages
from api.schemas.fields import MoneyIn
from api.web import i18n
from api.web.amounts import plain_amount
from ledger.catalogue import current
from ledger.catalogue.draft import DraftError, read_draft
from ledger.catalogue.load import HERE, CatalogueError, parse

PREFIX = "n:"  # form fields holding a number of the catalogue, named by its dotted path


@dataclass(frozen=True)
class Number:
    """One number of the catalogue in force, by its dotted path, with its label in both languages."""

    path: str
    labels: tuple[str, str]
    value: str

    def label(self, lang: str) -> str:
        return self.labels[i18n.LANGS.index(lang)]


def in_force_text() -> str:
    source = Path(current().source)
    return (source if source.is_absolute() else HERE / source).read_text(encoding="utf-8")


def _programme_numbers(i: int, p: dict) -> list[Number]:
    def both(key: str, tier: dict | None = None, scope: str = "") -> tuple[str, str]:
        zh, en = (i18n.translator(lang)(key, name=f"{p['code']} {p.get(f'name_{lang}') or p['name_zh']}",
                                        tier=(tier or {}).get(f"name_{lang}", ""),
                                        scope=i18n.pick(i18n.MESSAGES, f"scope_{scope}", lang) or scope)
                  for lang in i18n.LANGS)
        return zh, en

    found = [Number(f"programmes[{i}].{key}", both(label), p[key])
             for key, label in (("rate", "number_rate"), ("max_award", "number_max_award")) if key in p]
    found += [Number(f"programmes[{i}].tiers[{j}].amount", both("number_tier", tier=t), t["amount"])
              for j, t in enumerate(p.get("tiers", [])) if "amount" in t]
    found += [Number(f"programmes[{i}].caps[{j}].limit", both("number_cap", scope=c["scope"]), c["limit"])
              for j, c in enumerate(p.get("caps", [])) if "limit" in c]
    return found


def numbers() -> list[Number]:
    """Every amount, rate and limit of the catalogue in force a person may change in the form, labelled in both
    languages."""
    doc = tomllib.loads(in_force_text())
    policy = doc["policy"]
    zh, en = (i18n.translator(lang)("number_floor", article=policy.get("special_fund_article", 2))
              for lang in i18n.LANGS)
    out = [Number("policy.special_fund_floor", (zh, en), policy["special_fund_floor"])]
    for i, pool in enumerate(doc.get("pools", [])):
        zh, en = (i18n.translator(lang)("number_pool", name=f"{pool['code']} {pool.get(f'name_{lang}', '')}")
                  for lang in i18n.LANGS)
        out.append(Number(f"pools[{i}].limit", (zh, en), pool["limit"]))
    for i, p in enumerate(doc.get("programmes", [])):
        out += _programme_numbers(i, p)
    return out


FORM = "表单"  # the source the catalogue reader names in its messages for the form's numbers


class NumberError(DraftError):
    """A number of the form refused: the message names the field as the form labels it (`labels`, zh and en),
    not by its dotted path (`field`, kept to mark the input), with an example that fits the number."""

    def __init__(self, message: str, number: Number, *, zh: str) -> None:
        super().__init__(message, number.path, None, zh=zh)
        self.labels = number.labels
        self.others: list[NumberError] = []  # the form's other numbers refused on their own (marked at once)

    def label(self, lang: str) -> str:
        return self.labels[i18n.LANGS.index(lang)]


def _worded(err: CatalogueError, number: Number, value: str) -> NumberError:
    """The reader's message about one of the form's numbers, said of the field by its label."""
    rate = number.path.endswith(".rate")
    fraction = _fraction(value) if rate and value.strip().endswith("%") else None
    # "表单.programmes[7].rate: …" or, for a key of the policy's own table, "表单: policy.special_fund_floor: …":
    # either way the path is the form's business, not the reader's (a regression probe saw the second on a page).
    named = re.compile(rf"^{FORM}(?:\.|[:：]\s*){re.escape(number.path)}[:：]\s*")
    en = named.sub("", str(err), count=1).removesuffix("; fix the catalogue file")
    zh = named.sub("", err.zh or str(err), count=1)
    # The reader's examples stand as it gives them, a rate's "0.30" with "write 30% as "0.30"" (the form once put its
    # own "0.20" for every "0.30", and taught a sandbox probe 30% as "0.20").
    if not rate:  # the form reads amounts grouped in threes (plain_amount), where a draft file's TOML takes none
        en = en.replace("(no exponent, spaces, separators or other digits)",
                        "(grouped in threes with commas or not, such as 1,500,000.00; no exponent, spaces or other"
                        " digits)")
        zh = zh.replace("（不用指数、空格、分隔符或全角数字）",
                        "（可每三位用逗号分组，如 1,500,000.00；不用指数、空格或全角数字）")
    if fraction is not None:  # "20%": a rate is written as a fraction
        en += f"; a rate is a fraction: write {value.strip()} as {fraction}"
        zh += f"；比例写作小数：{value.strip()} 应写作 {fraction}"
    if not rate and (said := _in_wan(value)) is not None:  # "120万": the yuan digits to type, as every form says it
        en, zh = said
    return NumberError(f"{number.labels[1]}: {en}", number, zh=f"{number.labels[0]}：{zh}")


_MONEY: TypeAdapter[Decimal] = TypeAdapter(MoneyIn)


def _in_wan(value: str) -> tuple[str, str] | None:
    """An amount written in 万 (`120万`), as the API's own amount check says it, with the yuan digits to write
    (1200000.00); the README promises it on every page, and the sandbox gave its general hint (a clerk's probe)."""
    if not re.search("[万萬]", value) or not re.search("[0-9０-９]", value):  # 五十万 keeps the form's example
        return None
    try:
        _MONEY.validate_python(value.strip())
    except ValidationError as err:
        found = err.errors()[0]
        return field_messages.words(found) if (found.get("ctx") or {}).get("specific") else None
    return None


def _fraction(percent: str) -> str | None:
    from decimal import Decimal, InvalidOperation

    try:
        fraction = Decimal(percent.strip().rstrip("%").strip()) / 100
        return f"{fraction if fraction.as_tuple().exponent < -2 else fraction.quantize(Decimal('0.01')):f}"
    except (InvalidOperation, ValueError, TypeError):
        return None


def from_numbers(form: dict[str, str]) -> Any:
    """The catalogue in force with the numbers the form changed; a refusal names the field at fault, by the
    label the form shows it with."""
    try:
        return _parsed(form)
    except CatalogueError as err:
        refusal = _refusal(err, form)
        if isinstance(refusal, NumberError):
            # The reader stops at its first fault: each other number changed is read alone, beside the numbers in
            # force, so the form marks every one wrong at once (a probe fixed them one send at a time). A number
            # wrong only beside another is the first's fault, said by it.
            in_force = {n.path: n.value for n in numbers()}
            for path, value in form.items():
                if path == refusal.field or value.strip() == in_force.get(path):
                    continue
                try:
                    _parsed({path: value})
                except CatalogueError as alone:
                    other = _refusal(alone, {path: value})
                    if isinstance(other, NumberError) and other.field == path:
                        refusal.others.append(other)
        raise refusal from None


def _parsed(form: dict[str, str]) -> Any:
    """The catalogue in force with the form's numbers set."""
    doc = tomllib.loads(in_force_text())
    for path, value in form.items():
        # Grouped in threes as the pages show amounts (ASCII or full-width commas), and only so: a comma taken out
        # wherever it stood read "15,00,000.00" as 1,500,000 (a sandbox probe).
        _set(doc, path, plain_amount(value))
    return parse(doc, FORM)


def _refusal(err: CatalogueError, form: dict[str, str]) -> DraftError:
    """The reader's refusal, said of the form's field by its label where it names one of the numbers."""
    from ledger.catalogue.draft import field_of

    field = field_of(str(err), FORM)
    number = next((n for n in numbers() if n.path == field), None)
    if number is not None:
        return _worded(err, number, form.get(number.path, number.value))
    return DraftError(str(err), field, None, zh=err.zh)


def _set(doc: dict, path: str, value: str) -> None:
    node: Any = doc
    parts = path.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    node[parts[-1]] = value


def draft_from(upload: bytes, pasted: str, edited: dict[str, str], lang: str = "zh") -> Any:
    """The draft: the uploaded file, else the pasted text, else the edited numbers. Refusals name the draft in
    `lang`, the page's language."""
    if upload.strip():
        try:
            return read_draft(upload.decode("utf-8"), "上传的草案" if lang == "zh" else "the uploaded draft")
        except UnicodeDecodeError:
            raise DraftError("the uploaded file is not UTF-8 text; save the TOML file as UTF-8", "file", None,
                             zh="上传的文件不是 UTF-8 文本；请以 UTF-8 保存 TOML 文件") from None
    if pasted.strip():
        return read_draft(pasted, "草案" if lang == "zh" else "the pasted draft")
    known = {n.path for n in numbers()}
    return from_numbers({p: v for p, v in edited.items() if p in known})

"""The sandbox page's draft, from what the browser sent: an uploaded TOML file, TOML pasted in the text box,
or the numbers of the catalogue in force edited in the form. Every way goes through the one catalogue reader
(`parse`), so the form refuses what the API and the CLI refuse, naming the same field."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.catalogue import current
from ledger.catalogue.draft import DraftError, read_draft
from ledger.catalogue.load import HERE, CatalogueError, parse

PREFIX = "n:"  # form fields holding a number of the catalogue, named by its dotted path


@dataclass(frozen=True)
class Number:
    path: str
    label: str
    value: str


def in_force_text() -> str:
    source = Path(current().source)
    return (source if source.is_absolute() else HERE / source).read_text(encoding="utf-8")


def numbers() -> list[Number]:
    """Every amount, rate and limit of the catalogue in force a person may change in the form."""
    doc = tomllib.loads(in_force_text())
    out = [Number("policy.special_fund_floor", "第2条 专项资金最低安排", doc["policy"]["special_fund_floor"])]
    out += [Number(f"pools[{i}].limit", f"{p['code']} 额度", p["limit"]) for i, p in enumerate(doc.get("pools", []))]
    for i, p in enumerate(doc.get("programmes", [])):
        name = f"{p['code']} {p['name_zh']}"
        for key, label in (("rate", "比例"), ("max_award", "最高金额")):
            if key in p:
                out.append(Number(f"programmes[{i}].{key}", f"{name} · {label}", p[key]))
        out += [Number(f"programmes[{i}].tiers[{j}].amount", f"{name} · {t['name_zh']}", t["amount"])
                for j, t in enumerate(p.get("tiers", [])) if "amount" in t]
        out += [Number(f"programmes[{i}].caps[{j}].limit", f"{name} · 上限（{c['scope']}）", c["limit"])
                for j, c in enumerate(p.get("caps", [])) if "limit" in c]
    return out


def from_numbers(form: dict[str, str]) -> Any:
    """The catalogue in force with the numbers the form changed; a refusal names the field at fault."""
    doc = tomllib.loads(in_force_text())
    for path, value in form.items():
        _set(doc, path, value.strip().replace(",", ""))
    try:
        return parse(doc, "表单")
    except CatalogueError as err:
        from ledger.catalogue.draft import field_of

        raise DraftError(str(err), field_of(str(err), "表单"), None, zh=err.zh) from None


def _set(doc: dict, path: str, value: str) -> None:
    node: Any = doc
    parts = path.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    node[parts[-1]] = value


def draft_from(upload: bytes, pasted: str, edited: dict[str, str]) -> Any:
    """The draft: the uploaded file, else the pasted text, else the edited numbers."""
    if upload.strip():
        try:
            return read_draft(upload.decode("utf-8"), "上传的草案")
        except UnicodeDecodeError:
            raise DraftError("the uploaded file is not UTF-8 text; save the TOML file as UTF-8", "file", None,
                             zh="上传的文件不是 UTF-8 文本；请以 UTF-8 保存 TOML 文件") from None
    if pasted.strip():
        return read_draft(pasted, "草案")
    known = {n.path for n in numbers()}
    return from_numbers({p: v for p, v in edited.items() if p in known})

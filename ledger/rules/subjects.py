"""What an award is for (rules 2 and 4): one normalisation of a subject, used by every account key.

A subject is written `kind:identifier` — `project:…`, `product:…`, `standard:…` (the kinds are catalogue
data). "product:X", "product:X ", "ＰＲＯＤＵＣＴ：Ｘ" and "Product: x" are one product: the text is NFKC-folded,
its dashes and slashes folded to "-" and "/", trimmed, inner whitespace collapsed, and compared
case-insensitively. Zero-width, control and other characters that show nothing are refused, since they make
two subjects that look the same to a clerk differ to the ledger.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ledger.domain.errors import InvalidInput, MissingFact
from ledger.domain.text import chinese, invisible, noncharacter
from ledger.domain.values import a_or_an

MAX_LENGTH = 200
_SPACE = re.compile(r"\s+")
# Dashes and slashes that NFKC leaves as they are, folded to the ASCII one a clerk types: "GB/T 7714—2015",
# "GB/T 7714–2015" and "GB/T 7714-2015" are one standard (a probe had each paid once). Every dash punctuation
# character (Pd) and the minus sign to "-"; the division and fraction slashes to "/".
# Unicode's dash punctuation (Pd) of the basic plane, listed rather than found at import (a scan of 65,536 code
# points cost 7.5 ms at every start): tests/unit/test_input_checks.py holds the list equal to the scan.
DASHES = (0x002D, 0x058A, 0x05BE, 0x1400, 0x1806, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2E17, 0x2E1A,
          0x2E3A, 0x2E3B, 0x2E40, 0x2E5D, 0x301C, 0x3030, 0x30A0, 0xFE31, 0xFE32, 0xFE58, 0xFE63, 0xFF0D)
LOOK_ALIKE = {**dict.fromkeys(DASHES, "-"), 0x2212: "-", 0x2215: "/", 0x2044: "/", 0x29F8: "/"}


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str
    identifier: str  # as written, after folding and trimming: what the ledger shows

    @property
    def text(self) -> str:
        return f"{self.kind}:{self.identifier}"

    @property
    def key(self) -> str:
        """The form every account is keyed by: case-insensitive."""
        return self.text.casefold()

    def __str__(self) -> str:
        return self.text


def _form(kinds: tuple[str, ...], joiner: str = " or ") -> str:
    return joiner.join(f'"{k}:…"' for k in kinds) or '"kind:identifier"'


def parse_subject(value: object, kinds: tuple[str, ...], *, field: str = "subject") -> Subject:
    """The normalised subject, or `invalid_request` saying which form to send instead."""
    example = f'send {field} as {_form(kinds)}, for example "{(kinds or ("project",))[0]}:HZ-2023-017"'
    example_zh = f'请将 {field} 写成 {_form(kinds, " 或 ")} 的形式，例如 "{(kinds or ("project",))[0]}:HZ-2023-017"'
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string; {example}", zh=f"{field} 应为字符串；{example_zh}", field=field)
    bad = sorted({f"U+{ord(c):04X}" for c in value if _shows_nothing(c) and c not in " \t"})
    if bad:
        raise InvalidInput(f"{field} {value!r} holds invisible, control or non-characters ({', '.join(bad)});"
                           f" remove them and {example}",
                           zh=f"{field} {value!r} 含有不可见字符、控制字符或非字符（{'、'.join(bad)}）；"
                              f"请删除这些字符，{example_zh.removeprefix('请')}", field=field)
    if len(value) > 4 * MAX_LENGTH:  # bounded before normalising (quadratic in combining marks out of order)
        raise InvalidInput(f"{field} is {len(value):,} characters long; at most {MAX_LENGTH}",
                           zh=f"{field} 长 {len(value):,} 个字符；最多 {MAX_LENGTH} 个字符", field=field)
    text = _SPACE.sub(" ", unicodedata.normalize("NFKC", value).translate(LOOK_ALIKE)).strip()
    if len(text) > MAX_LENGTH:
        raise InvalidInput(f"{field} is {len(text)} characters long; at most {MAX_LENGTH}",
                           zh=f"{field} 长 {len(text)} 个字符；最多 {MAX_LENGTH} 个字符", field=field)
    kind, sep, identifier = text.partition(":")
    kind, identifier = kind.strip().casefold(), identifier.strip()
    if not sep or not identifier or kind not in kinds:
        raise InvalidInput(f"{field} {value!r} is not a subject the policy knows; {example}",
                           zh=f"{field} {value!r} 不是政策所列的事项类型；{example_zh}", field=field)
    return Subject(kind, identifier)


def fresh_subject(value: object, *, field: str = "subject") -> None:
    """A subject as it comes in (a claim's, a certification's) holds no letter, digit, mark or
    symbol outside ASCII and Chinese, which reads like another and made a second project beside the first, with
    its own cap and ranks (a hostile-input probe: a Cyrillic "Р", a Greek "Ν", an Arabic-Indic "١"; a regression
    probe: an "i" with a combining dot above, "℮", "╱"). Checked where a subject is first given, never where a
    recorded one is read again (a store may hold one recorded before: it stays decidable and replayable)."""
    if not isinstance(value, str) or len(value) > 4 * MAX_LENGTH:
        return  # `parse_subject` says what a subject is, and one too long to read (normalising is quadratic)
    if (odd := _foreign(unicodedata.normalize("NFKC", value).translate(LOOK_ALIKE))) is not None:
        named = unicodedata.name(odd, f"U+{ord(odd):04X}")
        raise InvalidInput(f"{field} {value!r} has the character {odd!r} ({named}), which reads like another: a"
                           " Cyrillic \"Р\" or Greek \"Ν\" shows as the Latin letter and made a second project"
                           " beside the first, with its own cap and ranks; write letters, digits and signs in ASCII"
                           " (or Chinese characters) as the document shows them",
                           zh=f"{field} {value!r} 含字符 {odd!r}（{named}），与其他字符形近：西里尔字母“Р”、希腊字母"
                              "“Ν”看似拉丁字母，会成为另一个项目（另有上限和名次）；请按文件所示，用半角英文字母、"
                              "数字、符号（或汉字）填写", field=field)


def _foreign(text: str) -> str | None:
    """The first letter, digit, mark or symbol of `text` (after NFKC, which folds full-width and mathematical forms
    to ASCII) that is neither ASCII nor a Chinese character. Punctuation of any script (《》、·) reads as itself."""
    return next((c for c in text if c > "~" and unicodedata.category(c)[0] in "LNMS" and not _shows_nothing(c)
                 and not chinese(c)), None)


def _shows_nothing(c: str) -> bool:
    """A character `parse_subject` refuses as showing nothing (a variation selector, a filler), naming its code point:
    left to it, so its refusal says so."""
    return unicodedata.category(c) in ("Cc", "Cf", "Cs") or noncharacter(ord(c)) or invisible(ord(c))


def subject_for(value: str | None, kinds: tuple[str, ...], wanted: str | None, *, required: bool,
                programme: str) -> Subject | None:
    """The claim's subject checked against its programme: the kind it pays for, and present where it must be."""
    if value is None:
        if required:
            raise MissingFact(f"{programme} awards are keyed by what they are for: give subject as"
                              f' "{wanted or "project"}:…" (the {wanted or "project"} this claim is for)',
                              zh=f"{programme} 的奖励按奖励事项计算：请填写 subject，格式为"
                                 f' "{wanted or "project"}:…"（本申请所针对的 {wanted or "project"}）',
                              field="subject")
        return None
    subject = parse_subject(value, kinds)
    if wanted is not None and subject.kind != wanted:
        raise InvalidInput(f"{programme} pays for {a_or_an(wanted)}: send subject as \"{wanted}:…\","
                           f" not {subject.text!r}",
                           zh=f"{programme} 奖励的事项类型是 {wanted}：请将 subject 写成 \"{wanted}:…\"，而不是"
                              f" {subject.text!r}", field="subject")
    return subject

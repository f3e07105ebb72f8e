"""What an organisation has been awarded, from the read models: totals, per programme, caps' headroom."""
from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from api.schemas.common import ORG_NAME, ORG_USCC, RECORDED_AT, Names, PublicModel
from api.schemas.fields import MoneyOut, Timestamp
from ledger import beijing
from ledger.domain.errors import InvalidInput
from ledger.domain.text import FULL_WIDTH, MOST_FIGURE, cut
from ledger.domain.values import FIRST_YEAR, LAST_YEAR, plausible_moment

# RFC 3339's date-time (the contract's timestamps): seconds present, an offset or Z.
# ASCII digits: `\d` is any script's, and "２０２４-０１-０１" was told there is no such day (a hostile-input probe).
# (?<!\s): begun only where a run of spaces begins, so as long as the text is (tests/unit/test_linear_patterns.py).
ZONE_WORDS = re.compile(r"(?<!\s)\s*(?:（北京时间）|\(北京时间\)|\(?Beijing time\)?|UTC\+08:00)$", re.IGNORECASE)
# A moment as the pages show it: Beijing time, to the second (or the minute), no offset (pages only: `read_as_of`).
SHOWN = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?", re.ASCII)
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)




def _offset_plus(value: object) -> object:
    # An unencoded "+08:00" in a query string arrives as " 08:00"; read it as the offset it was meant to be.
    # A bare day is the end of that day in Beijing time (ledger/beijing.py), as on the pages and in the CLI.
    if isinstance(value, str) and FULL_WIDTH.search(value):
        # An input method in full-width mode, said so with what to type, as a body's date or amount is (an
        # adversarial probe's ２０２４-01-01 was told only "not an RFC 3339 timestamp").
        plain = unicodedata.normalize("NFKC", value[:100]).strip()[:40]  # bounded: quadratic in combining marks
        if shown := SHOWN.fullmatch(plain):  # a moment as the pages show one: the whole form, which both take
            day, hour, minute, second, fraction = shown.groups()
            plain = f"{day}T{hour}:{minute}:{second or '00'}{fraction or ''}+08:00"
        if not (RFC3339.fullmatch(plain) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", plain, re.ASCII)):
            plain = "2024-01-01 or 2024-01-01T00:00:00+08:00"  # what it reads as is no moment either (年月日)
        plain_zh = plain.replace(" or ", " 或 ")
        raise PydanticCustomError("invalid_moment", "{detail}", {
            "detail": f"{value[:40]!r} is written in full-width characters (an input method in full-width mode);"
                      f" type it half-width: {plain}",
            "zh": f"{value[:40]!r} 使用了全角字符（输入法处于全角状态）；请改为半角输入：{plain_zh}"})
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip(" \t\n\r\f\v"), re.ASCII):
        try:
            return beijing.as_of(value)
        except ValueError:  # written as a day, but no such day (2023-02-29)
            raise PydanticCustomError("invalid_moment", "{detail}", {
                "detail": f"{value.strip()!r} is written as a day (YYYY-MM-DD) but there is no such day; send a day"
                          " of the calendar, such as 2024-02-29, or an RFC 3339 moment",
                "zh": f"{value.strip()!r} 按日期（YYYY-MM-DD）书写，但日历上没有这一天；请发送存在的日期，例如"
                      " 2024-02-29，或 RFC 3339 时间"}) from None
    if not isinstance(value, str):
        return value
    # Quoted as sent in a refusal (one quoted the value read down to the microsecond: a probe), at most 40 characters
    # (a 10,000-character one came back whole, twice: an inputs probe).
    sent = cut(value)
    value = re.sub(r" (\d{2}:?\d{2})$", r"+\1", value)
    # RFC 3339 takes any number of a second's digits; the ledger's clock keeps six, so what lies beyond the
    # microsecond is dropped (an earlier moment by less than one: an audit probe's ten digits were refused).
    value = re.sub(r"(:\d{2}\.\d{6})\d+", r"\1", value)
    if RFC3339.fullmatch(value):
        try:
            datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:  # the form is right, the calendar or the clock says no (2023-02-29, 24:00:00)
            raise PydanticCustomError("invalid_moment", "{detail}", {
                "detail": f"{sent!r} is written as an RFC 3339 moment but there is no such day, time or offset; send a"
                          " moment of the calendar, such as 2024-02-29T00:00:00+08:00",
                "zh": f"{sent!r} 按 RFC 3339 时间书写，但没有这样的日期、时刻或时区偏移；请发送存在的时间，例如"
                      " 2024-02-29T00:00:00+08:00"}) from None
    if not RFC3339.fullmatch(value):  # pydantic alone also reads Unix seconds ("1800000000") and "T11:41Z"
        raise PydanticCustomError("invalid_moment", "{detail}", {
            "detail": f"{sent!r} is not an RFC 3339 timestamp; send one with seconds and an offset, such as"
                      " 2024-01-01T00:00:00+08:00, or a day (YYYY-MM-DD, its end in Beijing time)",
            "zh": f"{sent!r} 不是 RFC 3339 时间；请发送带秒和时区偏移的时间，例如 2024-01-01T00:00:00+08:00，"
                  "或一个日期（YYYY-MM-DD，按北京时间当天结束时计）"})
    return value


def _plausible(moment: datetime) -> datetime:
    try:
        return plausible_moment(moment)
    except ValueError as err:  # its own type, so the field error is worded in the reader's language
        zh = f"时间 {moment.isoformat()} 不在 {FIRST_YEAR}–{LAST_YEAR} 年之间；请发送这一范围内的时间"
        raise PydanticCustomError("invalid_moment", "{detail}", {
            "detail": f"{err}; send a moment in {FIRST_YEAR}–{LAST_YEAR}", "zh": zh}) from None


def _known(moment: datetime) -> datetime:
    """The moment in UTC, as answers give moments; one not yet come is the moment of asking. The ledger cannot know
    a moment ahead: it was answered with the state at the time of asking under the moment asked, and the same
    question then answered otherwise once later events came (an enterprise probe: an auditor keeping "as of 31
    December" on the 6th). The answer's `as_of` says the moment it answers for. A bare day (its end in Beijing) is
    echoed in UTC too, as every other moment is."""
    now = datetime.now(UTC)
    return now if moment > now else moment.astimezone(UTC)


AsOf = Annotated[AwareDatetime, BeforeValidator(_offset_plus), AfterValidator(_plausible), AfterValidator(_known)]
_AS_OF: TypeAdapter[datetime] = TypeAdapter(AsOf)


def _page_form(text: str) -> bool:
    """A day, or a moment as the pages write one (2024-01-01 10:30:00, its fraction, its zone in words)."""
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.ASCII) or SHOWN.fullmatch(ZONE_WORDS.sub("", text)))


def read_as_of(text: str) -> datetime | None:
    """`?as_of=` of a page read as the API reads it (one reading for one parameter: a page once took moments
    without an offset or seconds, and a week date, that its own downloads then refused); empty is none. Its
    refusals name the field as the page labels it, As of (截至时间), not the parameter `as_of` (a finance probe)."""
    if not text.strip():
        return None
    # A moment copied from a page comes with its zone in words ("…（北京时间）", "… (Beijing time)"), or as the CLI and
    # the downloads write it ("… UTC+08:00"): read as the moment shown (a pages probe's copy was refused).
    typed = ZONE_WORDS.sub("", text.strip())
    if (FULL_WIDTH.search(typed) and len(typed) <= MOST_FIGURE
            and _page_form(plain := unicodedata.normalize("NFKC", typed).strip())):
        # Typed in full-width as the page writes a moment: told to type the page's form half-width, not the API's
        # RFC 3339 with an offset (an audit probe was told 2026-12-07T19:37:14+08:00 on a page).
        raise InvalidInput(f"As of: {typed[:40]!r} is written in full-width characters (an input method in"
                           f" full-width mode); type it half-width: {plain}",
                           zh=f"截至时间：“{typed[:40]}”使用了全角字符（输入法处于全角状态）；请改为半角输入：{plain}",
                           field="as_of")
    if shown := SHOWN.fullmatch(typed):
        # A moment as the pages show one (Beijing time, to the second, no offset): read as Beijing time and as the
        # end of that second (or minute), as a bare day is the end of that day, so the event a page shows at
        # 07:25:44 is in the state as of "07:25:44" (an audit probe typed the moment shown and was refused; the
        # offset form it was told to use left out the approval recorded at 07:25:44.328). The API keeps to the
        # contract's RFC 3339 with an offset; a page passes on the moment it read.
        day, hour, minute, second, fraction = shown.groups()
        # A fraction shown (an as-of moment read exactly) is that moment; a whole second, its end.
        typed = f"{day}T{hour}:{minute}:{second or '59'}{fraction or '.999999'}+08:00"
    try:
        return _AS_OF.validate_python(typed)
    except ValidationError as err:
        if shown is not None and "there is no such day, time or offset" in str(err):
            # No such day or time, written as the page writes a moment: quoted as typed, with the page's forms (the
            # refusal quoted the moment the page made of it, 2026-12-07T25:00:00.999999+08:00: an audit probe).
            day = beijing.today().isoformat()
            raise InvalidInput(f"As of: {text.strip()[:40]!r} has no such day or time of day; write a day of the"
                               f" calendar and a time of day, such as {day} or {day} 10:30:00 (Beijing time)",
                               zh=f"截至时间：“{text.strip()[:40]}”中没有这样的日期或时刻；请写作存在的日期和时刻，例如"
                                  f" {day} 或 {day} 10:30:00（北京时间）", field="as_of") from None
        first = err.errors()[0]
        context = first.get("ctx") or {}
        detail = str(context.get("detail") or first["msg"])
        zh = str(context.get("zh") or f"{cut(text)!r} 不是有效的时间；请发送带秒和时区偏移的时间，例如"
                 " 2024-01-01T00:00:00+08:00，或一个日期（YYYY-MM-DD，按北京时间当天结束时计）")
        raise InvalidInput(f"As of: {detail}", zh=f"截至时间：{zh}", field="as_of") from None


class ReadModel(PublicModel):
    # The read models carry more than is documented here (ladders, subjects, certifications...); it passes through.
    model_config = ConfigDict(extra="allow")


class Totals(ReadModel):
    entitled: MoneyOut = Field(description="pending entitlements and approvals, rejected claims left out")
    approved: MoneyOut
    paid: MoneyOut = Field(description="paid, net of reversals")
    outstanding: MoneyOut = Field(description="approved less paid")
    to_recover: MoneyOut = Field("0.00", description="paid on revoked awards, still owed back")
    recovered: MoneyOut = Field("0.00", description="repaid on revoked awards")
    written_off: MoneyOut = Field("0.00", description="owed back on revoked awards and written off")


class ProgrammeAward(Totals):
    programme: str = Field(examples=["A3.erc"], description="programmes come in article order (A3 before A10)")
    programme_name: Names | None = Field(None, description="the programme's name beside its code, zh and en")
    lead_bureau: str | None = Field(None, description="the programme's lead bureau")
    bureau_name: Names | None = Field(None, description="the lead bureau's name beside its code")
    reversed: MoneyOut
    claims: int


class Investments(ReadModel):
    totals: Totals
    programmes: list[ProgrammeAward]


class CapUse(ReadModel):
    scope: str = Field(description="project, enterprise_year, enterprise_term, organisation_year or fund")
    programme: str
    programme_name: Names | None = Field(None, description="the programme's name beside its code")
    year: int | None = Field(None, description="the award year, for yearly caps")
    limit: MoneyOut | None
    used: MoneyOut = Field(description="reserved by pending claims plus consumed by approvals")
    remaining: MoneyOut | None


ERC_NAME = {"zh": "工程研究中心认定奖励", "en": "Engineering research centre recognition award"}
KJJ_NAME = {"zh": "区科技局", "en": "Science and Technology Bureau"}


class AwardStatePublic(ReadModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "uscc": ORG_USCC, "name": ORG_NAME, "as_of": None,
        "totals": {"entitled": "1000000.00", "approved": "1000000.00", "paid": "200000.00",
                   "outstanding": "800000.00"},
        "programmes": [{"programme": "A3.erc", "programme_name": ERC_NAME,
                        "lead_bureau": "kjj", "bureau_name": KJJ_NAME,
                        "entitled": "1000000.00", "approved": "1000000.00",
                        "paid": "200000.00", "outstanding": "800000.00", "reversed": "0.00", "claims": 2}],
        "investments": {"totals": {"entitled": "0.00", "approved": "0.00", "paid": "0.00", "outstanding": "0.00"},
                        "programmes": []},
        "caps": [{"scope": "enterprise_year", "programme": "A5.voucher", "year": 2023, "limit": "500000.00",
                  "used": "300000.00", "remaining": "200000.00"}]}]})

    uscc: str
    name: str
    as_of: Timestamp | None = Field(None, description="the recorded time the state is as of; null for now")
    totals: Totals = Field(description="awards only; Art. 13 investments are under `investments`")
    programmes: list[ProgrammeAward]
    investments: Investments
    caps: list[CapUse]


class HistoryEvent(PublicModel):
    model_config = ConfigDict(extra="allow")

    position: int = Field(description="the event's place in the ledger's log")
    event: str = Field(examples=["Claim.Approved"])
    aggregate_id: str
    version: int
    recorded_at: Timestamp
    effective_on: date | None
    by: str | None = Field(description="the principal who caused it")
    summary: dict[str, Any] = Field(description="the event's own fields")


class HistoryPublic(PublicModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"uscc": ORG_USCC, "events": [
        {"position": 1, "event": "Organisation.Registered", "aggregate_id": "8a1d6c0e-4b2f-5d3a-9e71-0c5b2f8d4a63",
         "version": 1, "recorded_at": RECORDED_AT, "effective_on": None, "by": "ops",
         "summary": {"uscc": ORG_USCC, "name": ORG_NAME, "in_district": True}}]}]})

    uscc: str
    events: list[HistoryEvent] = Field(description="every event about the organisation, oldest first")

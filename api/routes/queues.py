"""Work queues and search (contract: "Work queues and search"): claims by status, programme, bureau,
organisation and award year, oldest first, in cursor pages; organisations by USCC prefix or name."""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api import labels
from api.deps import LedgerDep, PrincipalDep, ReadModelsDep
from api.problems import EdgeProblem, responses
from api.schemas.fields import WHOLE, QueryText, Uscc, query_text
from api.schemas.queues import STATUSES, ClaimPage, OrganisationPage
from ledger.catalogue.model import Catalogue
from ledger.messages import STATUSES_ZH
from projections.readmodels import ReadModels
from projections.work import ClaimFilter

USCC_CURSOR = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
router = APIRouter(tags=["work queues"])
MAX_LIMIT = 500
MAX_POSITION = 2**63 - 1  # a log position: BIGINT on PostgreSQL, INTEGER on SQLite


# A claim's status as the pages name it (api/web/i18n.py), beside the value a query sends.


class InvalidQuery(EdgeProblem):
    status = 422
    code = "invalid_request"


def _listed(text: str | None, allowed: tuple[str, ...] | None, field: str,
            names_zh: dict[str, str] | None = None) -> tuple[str, ...]:
    # Several values, comma separated, ask for any of them (a queue of proposed and pending claims).
    values = tuple(v.strip() for v in (text or "").split(",") if v.strip())
    wrong = [v for v in values if allowed is not None and v not in allowed]
    if wrong:
        choices_zh = "、".join(f"{v}（{names_zh[v]}）" if names_zh and v in names_zh else v for v in allowed or ())
        raise InvalidQuery(f"{field}: {', '.join(wrong)} is not one of {', '.join(allowed or ())}",
                           zh=f"{field}：{'、'.join(wrong)} 不是可选的值；请改为以下之一（多个值以英文逗号分隔）："
                              f"{choices_zh}", field=field)
    return values


def claim_filter(catalogue: Catalogue, *, status: str | None = None, programme: str | None = None,
                 bureau: str | None = None, uscc: str | None = None, award_year: int | None = None,
                 unpaid: bool = False) -> ClaimFilter:
    """The filter a query asks for, each code checked against the catalogue (422 says which are valid)."""
    if bureau is not None and catalogue.bureau(bureau) is None:
        raise InvalidQuery(f"bureau: {bureau} is not a bureau of the catalogue; one of "
                           f"{', '.join(b.code for b in catalogue.bureaus)}",
                           zh=f"bureau：{bureau} 不是政策目录中的部门；请改为以下部门代码之一："
                              + "、".join(f"{b.code}（{b.name_zh}）" for b in catalogue.bureaus), field="bureau")
    return ClaimFilter(status=_listed(status, STATUSES, "status", STATUSES_ZH),
                       programme=_listed(programme, tuple(catalogue.programmes), "programme"),
                       bureau=bureau, uscc=uscc.strip().upper() if uscc else None, award_year=award_year,
                       unpaid=unpaid)


def policy_year(year: int | None, versions: tuple[Catalogue, ...]) -> int | None:
    """An award year some policy version covers: any other holds no claim (rule 10), and answering it with an empty
    page and no word read as "nothing waits" (a bureau probe's `award_year=2019`); the pages name it in a notice."""
    years = sorted({y for c in versions for y in c.policy.years})
    if year is None or year in years:
        return year
    terms = "; ".join(c.policy.term_text for c in versions)
    terms_zh = "；".join(c.policy.term_text_zh for c in versions)
    raise InvalidQuery(f"award_year: {year} is not a year of the policy term {terms}; the ledger keeps claims for the"
                       f" award years {years[0]} to {years[-1]}: ask for one of those, or leave award_year out",
                       zh=f"award_year：{year} 年度不在政策期 {terms_zh} 内；台账只记录 {years[0]} 至 {years[-1]}"
                          " 年度的申请，请选择其中一年，或去掉 award_year", field="award_year")


def claim_item(row: dict, catalogue: Catalogue) -> dict[str, Any]:
    """A queue row in the contract's shape, with the programme's, bureau's and tier's names beside their codes."""
    return {"id": row["id"], "uscc": row["uscc"], "name": row.get("name"), "programme": row["programme"],
            "status": row["status"], "award_year": row["award_year"], "entitled_amount": row["entitled"],
            "approved_amount": row.get("approved"), "paid_amount": row.get("paid") or "0.00",
            "unpaid_amount": row.get("unpaid"), "lead_bureau": row["lead"], "tier": row.get("tier"),
            "subject": row.get("subject"), "submitted_at": row["submitted_at"],
            **labels.names(catalogue, programme=row["programme"], bureau=row["lead"], tier=row.get("tier"))}


def _tag(asked: object) -> str:
    """What a cursor carries of the query it was given for: a page's cursor sent with other filters or another `q`
    answered an empty last page, "no more", where there were rows (a second-round probe). A filter's several values
    in any order are one filter (status=pending,approved is status=approved,pending)."""
    if isinstance(asked, ClaimFilter):
        asked = replace(asked, status=tuple(sorted(set(asked.status))), programme=tuple(sorted(set(asked.programme))))
    return hashlib.sha256(repr(asked).encode()).hexdigest()[:8]


_TAG = re.compile(r"[0-9a-f]{8}")


def _cursor_part(cursor: str | None, asked: object) -> str | None:
    """The cursor's own part (a position, a USCC), its tag checked against the query it is sent with; a cursor
    with no tag (given before cursors carried one) is taken as it is. One whose tag is not a tag at all is not a
    cursor this resource gave (the caller says so), not one of other filters."""
    if cursor is None or "." not in cursor:
        return cursor
    own, _, tag = cursor.rpartition(".")
    if not _TAG.fullmatch(tag):
        return cursor  # the caller's own check refuses it as no cursor of this resource
    if tag != _tag(asked):
        raise InvalidQuery(f"cursor: {cursor!r} was given for other filters (or another q) than this request's, or"
                           " was changed; send the same filters as the request whose next_cursor it was, with the"
                           " cursor as it came, or leave cursor out to start from the first page",
                           zh=f"cursor：{cursor!r} 是在其他筛选条件（或其他 q）下给出的翻页游标，或已被改动；"
                              "请使用给出该 next_cursor 的那次请求的相同筛选条件并原样发送游标，或去掉 cursor"
                              " 从第一页开始",
                           field="cursor")
    return own


def claim_page(read_models: ReadModels, catalogue: Catalogue, wanted: ClaimFilter, limit: int,
               cursor: str | None) -> dict[str, Any]:
    position = _cursor_part(cursor, wanted)
    # "²".isdigit(), yet int("²") fails; a position is a 64-bit integer in both stores (SQLite overflowed past it)
    if position is not None and not (position.isascii() and position.isdigit() and int(position) <= MAX_POSITION):
        raise InvalidQuery(f"cursor: {cursor!r} is not a cursor this resource gave; send next_cursor as it came",
                           zh=f"cursor：{cursor!r} 不是本资源给出的翻页游标；请原样发送上一页返回的 next_cursor",
                           field="cursor")
    rows, after = read_models.claims(wanted, limit, int(position) if position else None)
    return {"claims": [claim_item(r, catalogue) for r in rows],
            "next_cursor": None if after is None else f"{after}.{_tag(wanted)}"}


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"at most {MAX_LIMIT} a page"), WHOLE]


@router.get("/v1/claims", response_model=ClaimPage, responses=responses(401, 422))
def list_claims(by: PrincipalDep, ledger: LedgerDep, read_models: ReadModelsDep,
                status: Annotated[QueryText | None, Query(description="one or more of " + ", ".join(STATUSES) +
                                                          ", comma separated")] = None,
                programme: Annotated[QueryText | None, Query(description="programme codes, comma separated")] = None,
                bureau: Annotated[QueryText | None, Query(description="the lead bureau's code")] = None,
                uscc: Annotated[Uscc | None, Query()] = None,
                award_year: Annotated[int | None, Query(ge=1900, le=2999), WHOLE] = None,
                unpaid: Annotated[bool, Query(description="only approved claims with money still to pay")] = False,
                limit: Limit = 100, cursor: Annotated[query_text(40) | None, Query()] = None
                ) -> dict[str, Any]:
    """Claims oldest first, filtered; `next_cursor` pages on (a claim recorded meanwhile is never skipped)."""
    catalogue = ledger.catalogue()
    wanted = claim_filter(catalogue, status=status, programme=programme, bureau=bureau, uscc=uscc,
                          award_year=policy_year(award_year, ledger.versions), unpaid=unpaid)
    return claim_page(read_models, catalogue, wanted, limit, cursor)


@router.get("/v1/organisations", response_model=OrganisationPage, responses=responses(401, 422))
def find_organisations(by: PrincipalDep, read_models: ReadModelsDep,
                       q: Annotated[query_text(200), Query(description="a USCC prefix or part of the name")] = "",
                       limit: Limit = 50, cursor: Annotated[query_text(27) | None, Query()] = None
                       ) -> dict[str, Any]:
    """Organisations whose USCC starts with `q` or whose name contains it, by USCC, in cursor pages."""
    found, after = read_models.organisations(q, limit, organisation_cursor(cursor, q))
    return {"organisations": found, "next_cursor": organisation_next(after, q)}


def organisation_cursor(cursor: str | None, q: str) -> str | None:
    """A page of organisations' cursor (its last organisation's USCC, tagged with the `q` it was given for) as
    given, else `invalid_request`: the search page took any and said "nothing found" (a pages probe)."""
    uscc = _cursor_part(cursor, q.strip())
    if uscc is not None and not USCC_CURSOR.fullmatch(uscc):
        raise InvalidQuery(f"cursor: {cursor!r} is not a cursor this resource gave; send next_cursor as it came",
                           zh=f"cursor：{cursor!r} 不是本资源给出的翻页游标；请原样发送上一页返回的 next_cursor",
                           field="cursor")
    return uscc


def organisation_next(after: str | None, q: str) -> str | None:
    return None if after is None else f"{after}.{_tag(q.strip())}"

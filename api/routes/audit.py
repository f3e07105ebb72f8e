"""Auditors: the tamper-evidence chain checked end to end, its digest, and the log for external replay."""
from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from api import language
from api.deps import LedgerDep, requires
from api.long_queries import long_query
from api.problems import responses
from api.schemas.audit import ConsistencyPublic, EventPagePublic, KeyPublic, SignedDigestPublic, VerifyPublic
from api.schemas.fields import WHOLE
from ledger.audit.chain import ALGORITHM, AuditChain, InvalidDigest
from ledger.audit.tampering import read_models_verdict, what_to_do
from ledger.domain.errors import InvalidInput
from ledger.principals import Principal, Role

router = APIRouter(tags=["audit"])
Verifier = Annotated[Principal, Depends(requires(Role.AUDITOR, Role.ADMIN, doing="verify the audit chain"))]
# A signed head reveals nothing a receipt (which any principal may fetch) does not: any principal may read one,
# and prove a later one extends it.
HeadReader = Annotated[Principal, Depends(requires(Role.BUREAU, Role.FINANCE, Role.AUDITOR, Role.ADMIN,
                                                   doing="read the chain's signed head"))]
ENCODING = (f"{ALGORITHM}: link(n) = SHA-256(link(n-1) || bytes(n)), link(0) = 32 zero bytes; bytes(n) is"
            " notification id, aggregate id (lowercase hyphenated UUID), version, topic and the stored state,"
            " each as an 8-byte big-endian length then the value (integers in decimal ASCII)")


def _chain(request: Request) -> AuditChain:
    return request.app.state.audit_chain


@router.get("/v1/audit/verify", response_model=VerifyPublic, responses=responses(401, 403, 422))
def verify_chain(by: Verifier, request: Request,
                 position: Annotated[int | None, Query(ge=0, description="a saved digest's position"), WHOLE] = None,
                 digest: Annotated[str | None, Query(description="the saved digest at that position")] = None,
                 read_models: Annotated[bool, Query(description="also compare the read models (the figures the"
                                                                " pages, queue and reconciliation show) with a"
                                                                " replay of the events, as `award-ledger verify"
                                                                " --read-models` does (the whole log, in memory)")
                                        ] = False,
                 ) -> dict[str, Any]:
    """Recompute the tamper-evidence chain end to end, optionally against a saved digest and the read models too."""
    saved = None
    if (position is None) != (digest is None):
        raise InvalidInput("give both position and digest of a saved digest, or neither",
                           zh="请同时提供已保存摘要的 position 和 digest，或两者都不提供")
    if position is not None:
        saved = {"position": position, "digest": digest, "algorithm": ALGORITHM}
    try:
        with long_query(request).slot():  # the whole log: one of the process's LEDGER_LONG_QUERIES, else 503 busy
            report = _chain(request).verify(saved, app=request.app.state.ledger,
                                            signing_key=request.app.state.notary.signer.key_id)
            if read_models and report["ok"]:
                report |= _read_models(request.app.state.settings.database_url)
    except InvalidDigest as err:
        raise InvalidInput(str(err), zh=err.zh) from None
    if (todo := what_to_do(report)) is not None:  # the reason's next step, as the command line says it
        report = report | {"what_to_do": todo[0], "what_to_do_zh": todo[1]}
    if saved is not None and report.get("failure") == "saved_digest_mismatch":
        report = _unsigned(report)
    if language.of(request) == "zh":  # the reason and what to do in the reader's language, as refusals are
        report = report | {k: report[f"{k}_zh"] for k in ("reason", "what_to_do") if report.get(f"{k}_zh")}
    return report


def _unsigned(report: dict[str, Any]) -> dict[str, Any]:
    """A digest sent as a bare position and digest carries no signature: one that does not match may be mistyped or
    another ledger's as well as a sign of tampering, which the route cannot tell apart. It said tampering as fact and
    to restore a backup over a hand-typed zero digest (an audit probe), where `verify --digest` and the audit page,
    which check the digest's signature first, said whose it was. Said so, the check of the signed file first."""
    check = ("First check the signed digest file it came from with `award-ledger verify --digest FILE` or the audit"
             " page's saved-digest check, which say whether this ledger issued it; only if it did: ")
    check_zh = ("请先用 `award-ledger verify --digest 文件` 或审计页面的“核对保存的摘要”核对其签名文件，"
                "确认它是否由本台账签发；只有确认是本台账签发的，才：")
    return report | {
        "reason": "the digest sent does not match this ledger's events at its position; a digest sent by position"
                  " and value carries no signature, so it may be mistyped or another ledger's. If this ledger issued"
                  f" it: {report['reason']}",
        "reason_zh": "所发送的摘要与本台账该位置的事件不符；仅按位置和值发送的摘要不带签名，可能是输错了或属于"
                     f"另一台账。如确由本台账签发，则：{report['reason_zh']}",
        "what_to_do": check + report["what_to_do"][0].lower() + report["what_to_do"][1:],
        "what_to_do_zh": check_zh + report["what_to_do_zh"]}


def _read_models(url: str) -> dict[str, Any]:
    """The read models against a replay of the log (projections/consistency.py): an auditor with the API alone
    was told `ok` over figures edited in the rm_* tables (an audit probe: 900,000 approved where the events say
    200,000, on the reconciliation, the awards and the queue)."""
    from projections.consistency import check

    return read_models_verdict(check(url))


@router.get("/v1/audit/digest", response_model=SignedDigestPublic, responses=responses(401, 403))
def chain_digest(by: HeadReader, request: Request) -> dict[str, Any]:
    """The chain's head and Merkle root, signed with the ledger's Ed25519 key, to keep outside the system."""
    return request.app.state.notary.digest()


@router.get("/v1/audit/consistency", response_model=ConsistencyPublic, responses=responses(401, 403, 422))
def consistency(by: HeadReader, request: Request,
                first: Annotated[int, Query(ge=0, le=2**62, description="tree_size of the earlier digest"), WHOLE],
                second: Annotated[int, Query(ge=0, le=2**62, description="tree_size of the later digest"), WHOLE],
                ) -> dict[str, Any]:
    """The RFC 9162 proof that the tree of a later digest extends that of an earlier one."""
    try:
        return request.app.state.notary.consistency(first, second)
    except ValueError as err:  # the notary's words, in Chinese too (ledger/audit/notary.py)
        raise InvalidInput(str(err), zh=getattr(err, "zh", None)) from None


@router.get("/v1/audit/keys", response_model=list[KeyPublic], responses=responses(401, 403))
def signing_keys(by: HeadReader, request: Request) -> list[dict[str, str]]:
    """Every public key the ledger has signed digests and receipts with, oldest first (any principal, as a digest)."""
    return request.app.state.notary.known_keys()


@router.get("/v1/audit/events", response_model=EventPagePublic, responses=responses(401, 403, 422))
def stored_events(by: Verifier, ledger: LedgerDep, request: Request,
                  after: Annotated[int, Query(ge=0, le=2**62, description="the last position already read"), WHOLE] = 0,
                  limit: Annotated[int, Query(ge=1, le=1000), WHOLE] = 100) -> dict[str, Any]:
    """A page of the event log as stored, in notification order, for replay and re-hashing outside."""
    page = ledger.recorder.select_notifications(start=after + 1, limit=limit)
    links = _chain(request).links([n.id for n in page])
    events = []
    for n in page:
        row = {"position": n.id, "aggregate_id": str(n.originator_id), "version": n.originator_version,
               "topic": n.topic, "event": n.topic.rsplit(":", 1)[-1], "recorded_at": None,
               "state_base64": base64.b64encode(n.state).decode(), "data": None, "link": links.get(n.id)}
        try:
            event = ledger.mapper.to_domain_event(n)
            row["data"] = {k: v for k, v in json.loads(json.dumps(event.__dict__, default=str)).items()
                           if k not in ("originator_id", "originator_version", "timestamp")}
            row["recorded_at"] = event.timestamp.isoformat()
        except Exception as err:  # stored bytes changed in the store: served as stored, said so
            # The feed is what an auditor re-hashes outside; it answered 500 once one stored event could not be read,
            # just when the auditor needs to look at it (an audit probe).
            row["unreadable"] = f"{type(err).__name__}: {str(err)[:200]}"
        events.append(row)
    head = ledger.recorder.max_notification_id() or 0
    last = page[-1].id if page else after
    return {"events": events, "next_after": last if last < head else None, "encoding": ENCODING}

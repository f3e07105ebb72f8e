"""AwardLedger: the ledger's use cases, one method each, always get -> decide -> save in one transaction.

Every method takes the acting principal and an optional idempotency key and returns an `Outcome`: the
answer as plain JSON-ready data, the notification position of its last event (for read-your-writes), and
whether it was replayed from an earlier call with the same key. A refused command raises a `LedgerError`
and writes nothing. A concurrent conflict on any aggregate the decision read is retried from the top.
"""
from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from itertools import product
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    LRUCache,
    ProcessingEvent,
    project_aggregate,
)
from eventsourcing.domain import Aggregate, EventSourcingError
from eventsourcing.persistence import IntegrityError, OperationalError, PersistenceError, RecordConflictError
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.utils import TopicError

from ledger import beijing, refused_keys, views
from ledger import catalogue as catalogues
from ledger.audit import intact, snapshots
from ledger.audit.snapshots import CheckedSnapshots
from ledger.audit.tampering import Unfolded
from ledger.bulk_read import select_many
from ledger.catalogue.model import CapScope, Catalogue, Programme
from ledger.connection import (
    STORE_ERRORS,
    HeldConnection,
    NoConnectionFree,
    check_idle,
    pool_exhausted,
    sqlite_locked,
    unheld,
)
from ledger.domain import errors
from ledger.domain.award_account import AwardAccount
from ledger.domain.bank_statement import BankStatement, StatementLine, content_hash
from ledger.domain.certification import Certification
from ledger.domain.claim import Claim
from ledger.domain.fund_year import FundYear
from ledger.domain.idempotency import IdempotencyRecord
from ledger.domain.innovation_body import InnovationBody
from ledger.domain.moment import command_moment, one_moment
from ledger.domain.organisation import Organisation
from ledger.domain.payout import Payout
from ledger.domain.recovery import Recovery
from ledger.domain.text import half_width, typed_full_width
from ledger.domain.values import Uscc, a_or_an, money, yuan
from ledger.domain.year_close import YearClose
from ledger.key_locks import KeyLocks
from ledger.messages import status_zh, thing_zh
from ledger.payout_checks import check_payout
from ledger.pg_recorder import LedgerRecorder
from ledger.principals import Principal, Role
from ledger.rules import ClaimFacts, entitle, find_programme, prepare
from ledger.rules.accounts import body_year_cap, read_cap_key
from ledger.rules.ladders import tier_zh
from ledger.rules.subjects import fresh_subject, parse_subject, subject_for
from ledger.rules.term import require_in_term
from ledger.rules.tiers import full_width_tier
from ledger.store import register_transcodings
from ledger.usecases.common import fingerprint as command_fingerprint
from ledger.usecases.common import optional_text, path_segment, plain_reference
from ledger.usecases.common import require_role as _require_role
from ledger.usecases.common import text as _text
from ledger.usecases.common import uuid_of as _uuid
from ledger.usecases.corrections import Corrections
from ledger.usecases.imports import CertificationImports
from ledger.usecases.proposals import Proposals, unproposed

A = TypeVar("A", bound=Aggregate)

# Aggregates that every command reading them also writes. A command may decide on this process's own last
# saved copy of one without asking the store for newer events: if another process has moved it on, the
# save's version no longer follows the store's and conflicts, and the command is decided again on fresh
# state. A refusal decided on a saved copy is never given; it too is decided again on fresh state first.
WRITTEN_WHEN_READ: tuple[type[Aggregate], ...] = (Claim, AwardAccount, FundYear, Payout)


def fold_events(aggregate: Aggregate | None, events: Iterable[Any]) -> Aggregate | None:
    """eventsourcing's `project_aggregate` without its per-event `isinstance` against a runtime-checkable
    Protocol (which inspects every member of the Protocol on each call): every event here is the ledger's own,
    read through its mapper. Those checks were about 4 % of a claim's command under load (bench/RESULTS.md,
    issue 17)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


log = logging.getLogger("ledger.application")

# What folding events raises when the store no longer holds them whole: a version missing (or the first event), an
# event's topic changed, its state no longer decoding. Store faults and refusals pass through as they are: the
# library's persistence errors are EventSourcingErrors too, and a store that went away is not a tampered one (a
# PostgreSQL restart under load answered one 500 when they were taken for tampering).
FOLD_FAULTS = (EventSourcingError, TopicError, AssertionError, AttributeError, KeyError, TypeError, ValueError)
NOT_FOLD_FAULTS = (errors.LedgerError, PersistenceError, *STORE_ERRORS)


@contextmanager
def unfolded_as_tampering(aggregate_id: UUID) -> Iterator[None]:
    """Reading `aggregate_id` raises `Unfolded` (code `tampering`) where its stored events no longer fold."""
    try:
        yield
    except NOT_FOLD_FAULTS:
        raise
    except FOLD_FAULTS as fault:
        raise Unfolded(aggregate_id, fault) from fault


@dataclass(frozen=True)
class Outcome:
    view: dict[str, Any]
    position: int | None
    replayed: bool = False


def _key_used(key: str) -> errors.Conflict:
    return errors.Conflict(f"Idempotency-Key {key!r} was already used for a different command; use a new key"
                           " for a new command",
                           zh=f"Idempotency-Key {key!r} 已用于另一项操作；新的操作请使用新的键值")


def _booked_twice(year: int, document_ref: str, booked: dict) -> errors.Conflict:
    """A budget document is booked once: the same one again (a clerk re-sending after a timeout) doubled the
    year's fund for good and let approvals past the real budget (a finance probe)."""
    return errors.Conflict(
        f"{year}'s fund already holds an appropriation of {yuan(booked['amount'])} on document"
        f" {booked['document_ref']}; a supplementary budget comes on its own document: send its document_ref. A"
        f" request sent again after a timeout is told by its Idempotency-Key; see GET /v1/appropriations/{year}",
        zh=f"{year} 年专项资金已按文件 {booked['document_ref']} 安排 {yuan(booked['amount'])} 元；追加预算另有文号，"
           f"请填写其 document_ref。超时后重发的请求请使用相同的 Idempotency-Key；可查看 GET /v1/appropriations/{year}",
        field="document_ref")


class AwardLedger(Proposals, CertificationImports, Corrections, Application[UUID]):
    """The books of the policy: certifications, claims, decisions, appropriations, payouts, reversals."""

    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "50000", "AGGREGATE_CACHE_FASTFORWARD": "y"}
    # Every approval of a year touches its fund, and shared caps collect many claims: snapshots keep a cold
    # start from replaying all of them.
    snapshotting_intervals: ClassVar[dict[type[Aggregate], int]] = {FundYear: 200, AwardAccount: 200}
    max_attempts = 60

    def __init__(self, env: dict[str, str] | None = None, *, seal_key: bytes | None = None) -> None:
        self.seal_key = seal_key  # seals the snapshots this process takes, checks those it uses (ledger.audit)
        super().__init__(env)
        self.versions: tuple[Catalogue, ...] = catalogues.catalogues()
        datastore = getattr(self.recorder, "datastore", None)
        # On PostgreSQL a command's reads and its save share one pooled connection (ledger/connection.py).
        self._held = HeldConnection(datastore).held if isinstance(datastore, PostgresDatastore) else unheld
        # A command of several transactions holds its Idempotency-Key for its whole run (ledger/key_locks.py).
        self.key_locks = KeyLocks(datastore if isinstance(datastore, PostgresDatastore) else None)
        self._saved: LRUCache[UUID, Aggregate] = LRUCache(maxsize=50_000)  # see WRITTEN_WHEN_READ
        self._attempt = threading.local()  # .trust: may use _saved; .trusted: did use it; .scope: see _get_or_none

    def construct_snapshot_store(self) -> CheckedSnapshots:
        recorder = self.factory.aggregate_recorder(purpose="snapshots")
        return CheckedSnapshots(self.mapper, recorder, self.chain_point, lambda: self.seal_key)

    def take_snapshot(self, aggregate_id: UUID, version: int | None = None,
                      projector_func: Any = project_aggregate) -> None:
        """Snapshot the aggregate as recorded, anchored at its last event's chain point and sealed."""
        aggregate = self.repository.get(aggregate_id, version=version, projector_func=projector_func)
        self.snapshots.put([snapshots.take(aggregate, self.chain_point, self.seal_key,  # type: ignore[union-attr]
                                           self.mapper.transcoder.encode)])

    def chain_point(self, aggregate_id: UUID, version: int) -> tuple[int, str] | None:
        """Where one recorded event stands in the chain: its notification id and link."""
        return self.recorder.chain_point(aggregate_id, version)  # type: ignore[attr-defined]

    def register_transcodings(self, transcoder: Any) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)

    # ------------------------------------------------------------------ organisations and bodies

    def register_organisation(self, by: Principal, *, uscc: str, name: str, in_district: bool,
                              key: str | None = None) -> Outcome:
        _require_role(by, Role.ADMIN, Role.BUREAU, doing="register organisations")
        code = Uscc.parse(uscc).value
        name = _text(name, "name")

        def decide() -> tuple[list[Aggregate], dict]:
            if self._exists(Organisation.create_id(code)):
                raise errors.Conflict(f"organisation {code} is already registered; GET /v1/organisations/{code}",
                                      zh=f"企业 {code} 已登记；见 GET /v1/organisations/{code}")
            org = Organisation(uscc=code, name=name, in_district=bool(in_district), by=by.name)
            return [org], views.organisation(org)

        return self._run(by, key, "register_organisation", {"uscc": code, "name": name, "in": in_district}, decide)

    def register_body(self, by: Principal, *, body_id: str, name: str, kind: str, lead_uscc: str,
                      recognised_on: date, key: str | None = None) -> Outcome:
        _require_role(by, Role.ADMIN, Role.BUREAU, doing="register innovation bodies")
        lead = Uscc.parse(lead_uscc).value
        # Rule 13 awards a body once: "ｂｏｄｙ1" beside "body1" would be a second body to award (an input probe).
        body_id, name = path_segment(body_id, "id", "编号"), _text(name, "name")
        # A day ahead (2099 for 2023) kept the lead outside its own body on every claim's day, for good: no route
        # corrects a body's day, and sending the right one is a conflict (an input probe). As every other fact.
        beijing.not_ahead(recognised_on, "recognised_on", "认定日期",
                          "register a body on or after the day it was recognised, with that day",
                          "请在认定当日或之后登记创新组织，并填写认定日期")
        kinds = self.catalogue().body_kinds
        if kind not in kinds and (plain := half_width(kind)) is not None and (
                wide := next((k for k in (plain, plain.lower()) if k in kinds), None)) is not None:
            # ｅｒｃ was told it is no new-type innovation organisation (a regression probe): the kind to type
            en, zh = typed_full_width("kind", "kind", kind, wide)
            raise errors.InvalidInput(en[0].upper() + en[1:], zh=zh)
        if kind not in kinds:
            raise errors.InvalidInput(f"kind {kind!r} is not a new-type innovation organisation; use one of "
                                      + ", ".join(kinds),
                                      zh=f"kind {kind!r} 不是新型创新组织的类型；请改为以下之一："
                                         + "、".join(f"{k}（{names[0]}）" for k, names in kinds.items()))

        def decide() -> tuple[list[Aggregate], dict]:
            if self._exists(InnovationBody.create_id(body_id)):
                raise errors.Conflict(f"innovation body {body_id!r} is already registered",
                                      zh=f"创新组织 {body_id!r} 已登记")
            org = self._organisation(lead)
            # The lead is a member from the recognition on, as a member added late is (a regression probe: a new body
            # led by a unit holding an approved standards award took a second member's 1,000,000 past its cap).
            counted = self._count_late(org, body_id, recognised_on, by)
            body = InnovationBody(body_id=body_id, name=name, kind=kind, lead_uscc=lead, recognised_on=recognised_on,
                                  by=by.name)
            org.join(body_id, kind, recognised_on, recognised_on, True, by.name)
            # The lead is a member from the recognition on: that membership opens claims as a member's does.
            made = self._reopen(org, recognised_on, by, "membership", f"{body_id}/{lead}",
                                lambda prog: prog.requires_membership and not prog.body_kind)
            return [body, org, *made, *counted], views.body(body)

        args = {"id": body_id, "name": name, "kind": kind, "lead": lead, "on": recognised_on}
        return self._run(by, key, "register_body", args, decide)

    def add_member(self, by: Principal, *, body_id: str, uscc: str, joined_on: date,
                   key: str | None = None) -> Outcome:
        _require_role(by, Role.ADMIN, Role.BUREAU, doing="add members to innovation bodies")
        code = Uscc.parse(uscc).value
        beijing.not_ahead(joined_on, "joined_on", "加入日期",
                          "add a member on or after the day it joined, with that day",
                          "请在加入当日或之后登记成员，并填写加入日期")

        def decide() -> tuple[list[Aggregate], dict]:
            body = self._get(InnovationBody, InnovationBody.create_id(body_id), f"innovation body {body_id!r}")
            org = self._organisation(code)
            if code in body.members:
                raise errors.Conflict(f"{code} is already a member of {body_id!r}",
                                      zh=f"{code} 已是 {body_id!r} 的成员")
            counted = self._count_late(org, body_id, max(joined_on, body.recognised_on), by)
            body.add_member(code, joined_on, by.name)
            org.join(body_id, body.kind, joined_on, body.recognised_on, False, by.name)
            made = self._reopen(org, max(joined_on, body.recognised_on), by, "membership", f"{body_id}/{code}",
                                lambda prog: prog.requires_membership and not prog.body_kind)
            return [body, org, *made, *counted], views.body(body)

        return self._run(by, key, "add_member", {"body": body_id, "uscc": code, "on": joined_on}, decide)

    def _count_late(self, org: Organisation, body_id: str, start: date, by: Principal) -> list[Aggregate]:
        """A membership from `start`, recorded after the unit's claims capped per innovation organisation per year
        (A11's standards awards, "summed over its member units") on or after that day: the new body's cap counts them
        from now on (reserved, and consumed for an approved one), or, where they would take it past its limit, the
        membership is refused `conflict` naming them. A race probe approved a unit's 1,000,000 under its own body,
        then recorded it in a body that had used 800,000 from a day before: the body's units held 2,000,000 for the
        year, and the same two commands sent at once did so too. The unit's such claims are on the caps of the
        bodies it belongs to already (a claim counts under each), read as the store has them now; a claim submitted
        while this decides counts the new body at its approval (rule 12). Each claim counted records it
        (`Claim.CountedOn`), so the cap is released with the claim: a rules probe's rejected 200,000 went on holding
        the body's cap, and the awards page never showed it. Returns the accounts and claims to save."""
        catalogue = self.catalogue()
        limits = {prog.code: cap.limit for prog in catalogue.programmes.values() for cap in prog.caps
                  if cap.scope is CapScope.ORGANISATION_YEAR}
        if not limits or not org.memberships:
            return []
        years = range(min(catalogue.policy.years), max(catalogue.policy.years) + 2)  # an award year may be next
        # Read as the store has them now, never this process's saved copy (WRITTEN_WHEN_READ): a claim's copy another
        # process has moved on would not conflict on save, since this command does not write it.
        trusting = getattr(self._attempt, "trust", False)
        self._attempt.trust = False
        try:
            held: dict[str, None] = {}  # the unit's claims there, in the order found
            for member, code, year in product(dict.fromkeys(m["body_id"] for m in org.memberships), limits, years):
                account = self._get_or_none(AwardAccount, AwardAccount.create_id(body_year_cap(code, member, year)))
                held |= {cid: None for cid, entry in (account.entries.items() if account else ())
                         if entry.get("uscc") == org.uscc and entry["status"] in ("pending", "approved")}
            late = [claim for cid in held if (claim := self._get_or_none(Claim, UUID(cid))) is not None
                    and claim.effective_on >= start and claim.status in ("pending", "approved")]
            counted: dict[str, AwardAccount] = {}
            claims: list[Claim] = []
            for claim in late:
                key = body_year_cap(claim.programme, body_id, claim.award_year)
                account = counted.get(key) or self._account(key)
                if str(claim.id) in account.entries:
                    continue
                amount = claim.approved_amount if claim.status == "approved" else claim.entitled_amount
                if account.state().used + amount > limits[claim.programme]:
                    raise _late_overrun(org.uscc, body_id, start, late, limits[claim.programme], account.state().used)
                account.reserve(str(claim.id), claim.programme, amount, claim.gross_amount, claim.tier, by.name,
                                org.uscc)
                if claim.status == "approved":
                    account.consume(str(claim.id), amount, by.name)
                claim.count_on(key, amount, body_id, start, by.name)
                claims.append(claim)
                counted[key] = account
        finally:
            self._attempt.trust = trusting
        return [*counted.values(), *claims]

    # ------------------------------------------------------------------ certifications

    def record_certification(self, by: Principal, *, uscc: str, programme: str, effective_on: date,
                             document_ref: str, tier: str | None = None, subject: str | None = None,
                             body_id: str | None = None, source: dict | None = None, key: str | None = None) -> Outcome:
        decide, args = self._certifying(by, uscc=uscc, programme=programme, effective_on=effective_on,
                                        document_ref=document_ref, tier=tier, subject=subject, body_id=body_id,
                                        source=source)
        return self._run(by, key, "record_certification", args, decide)

    def _certifying(self, by: Principal, *, uscc: str, programme: str, effective_on: date, document_ref: str,
                    tier: str | None = None, subject: str | None = None, body_id: str | None = None,
                    source: dict | None = None) -> tuple[Callable[[], tuple[list[Aggregate], dict]], dict]:
        """The request's checks, then the decision to record it (an official list runs many in one save).

        The decision refuses before it changes anything, so a list can skip a refused row and keep the rest."""
        prog = self._programme_for(by, programme, effective_on)
        code = Uscc.parse(uscc).value
        catalogue = self.catalogue_on(effective_on)
        require_in_term(catalogue.policy, effective_on, "the certification's effective date")
        tier = _certified_tier(prog, tier)
        document_ref = _text(document_ref, "document_ref")
        about = None if subject is None else subject_for(subject, catalogue.subject_kinds, prog.subject_kind,
                                                         required=False, programme=prog.code)
        fresh_subject(subject)
        if prog.body_kind and body_id is None:
            raise errors.MissingFact(f"{prog.code} recognises an innovation body: give body_id, the body it"
                                     " recognises (register it with POST /v1/innovation-bodies first)",
                                     zh=f"{prog.zh}是对创新组织的认定：请在 body_id 中填写被认定的创新组织"
                                        "（须先通过 POST /v1/innovation-bodies 登记）", field="body_id")

        def decide() -> tuple[list[Aggregate], dict]:
            org = self._organisation(code)
            touched: list[Aggregate] = []
            body = None
            if body_id is not None:
                body = self._get(InnovationBody, InnovationBody.create_id(body_id), f"innovation body {body_id!r}")
                if prog.body_kind:
                    _check_recognised_body(catalogue, prog, body, code)
                    _certified_once_recognised(catalogue, prog, body, effective_on)
            self._refuse_duplicate(org, prog, tier, about and about.text, body_id)
            cert = Certification(uscc=code, programme=prog.code, tier=tier, effective_on=effective_on,
                                 document_ref=document_ref, subject=about and about.text, body_id=body_id, by=by.name)
            touched.append(cert)
            if body is not None and prog.body_kind:
                body.certify(prog.code, str(cert.id), by.name)
                touched.append(body)
            if source is not None:
                cert.note_source(by=by.name, **source)
            org.note_certification(str(cert.id), prog.code, by.name)
            touched.append(org)
            if prog.kind.value == "designation":
                org.designate(prog.code, effective_on, str(cert.id), by.name)
                touched += self._reopen(org, effective_on, by, "designation", str(cert.id),
                                        lambda p: p.requires_designation == prog.code)
            met: list[errors.LedgerError] = []
            made = self._propose(org, cert, effective_on, by, "certification", str(cert.id), met=met)
            view = views.certification(cert) | {"proposed_claims": [str(c.id) for c in made]}
            if not made and (why := unproposed(prog, tier, met)) is not None:
                view["unproposed"] = why  # an official list's line, the single answer and its page say it
            return touched + made, view

        args = {"uscc": code, "p": programme, "tier": tier, "on": effective_on, "doc": document_ref,
                "subject": about and about.text, "body": body_id, "source": source}
        return decide, args

    def _refuse_duplicate(self, org: Organisation, prog: Programme, tier: str | None, subject: str | None,
                          body_id: str | None, but: str | None = None) -> None:
        """The same certification recorded again (one the organisation holds, unrevoked, for the same programme,
        subject and body, which stands or stood at this tier) is `conflict`, naming it: recorded twice, it
        proposed its award twice (a probe imported one official list twice in other bytes). `but`: the
        certification being upgraded, which is not its own duplicate."""
        programme = prog.code
        for other_id, other_programme in org.certifications.items():
            if other_programme != programme or other_id == but:
                continue
            other = self._get(Certification, UUID(other_id), f"certification {other_id}")
            if (other.revoked or (other.subject, other.body_id) != (subject, body_id)
                    or tier not in {t["tier"] for t in other.tiers}):
                continue
            at = f" at {tier}" if tier else ""
            raise errors.Conflict(f"{org.uscc} already holds this certification: {programme}{at}"
                                  f"{f' for {subject}' if subject else ''}{f' of body {body_id}' if body_id else ''}"
                                  f" is certification {other_id}, recorded from {other.effective_on}; an upgrade"
                                  f" is POST /v1/certifications/{other_id}/upgrades, a correction revokes it first",
                                  zh=f"{org.uscc} 已有此项认定：{prog.zh}{f'（{tier_zh(prog, tier)}）' if tier else ''}"
                                     f"{f'，对象 {subject}' if subject else ''}"
                                     f"{f'，创新组织 {body_id}' if body_id else ''}"
                                     f" 即认定 {other_id}（自 {other.effective_on} 起）；晋级请用 POST"
                                     f" /v1/certifications/{other_id}/upgrades，更正须先撤销原认定",
                                  existing=other_id)

    def record_upgrade(self, by: Principal, *, certification_id: str, tier: str, effective_on: date,
                       document_ref: str, key: str | None = None) -> Outcome:
        cert_id = _uuid(certification_id, "certification")
        document_ref = _text(document_ref, "document_ref")

        def decide() -> tuple[list[Aggregate], dict]:
            cert = self._get(Certification, cert_id, f"certification {certification_id}")
            prog = self._programme_for(by, cert.programme, effective_on)
            if cert.revoked:
                raise errors.InvalidState(f"certification {certification_id} was revoked from {cert.revoked_on}; a"
                                          " revoked certification is not upgraded: record the new level as a new"
                                          " certification (POST /v1/certifications)",
                                          zh=f"认定 {certification_id} 已自 {cert.revoked_on} 起撤销，不能晋级；请将新"
                                             "等次作为新的认定记录（POST /v1/certifications）")
            require_in_term(self.catalogue_on(effective_on).policy, effective_on, "the upgrade's effective date")
            new = _certified_tier(prog, tier)
            ladder = prog.ladder_of(new)  # type: ignore[arg-type]
            if len(ladder) < 2 or cert.tier not in ladder:
                # A3.mic's tiers climb nothing ("as-required; no ladder"); A6's champions stand on no ladder; a tier
                # on another ladder than the one held: never "not above X on the ladder X" (rules and regress probes).
                no_ladder = not prog.ladders
                en = (f"{prog.code}'s tiers do not form a ladder" if no_ladder else
                      f"{prog.code} tiers {cert.tier} and {new} are not rungs of one ladder")
                held, asked = tier_zh(prog, cert.tier), tier_zh(prog, new)  # the tiers by name, as the pages say them
                zh = (f"{prog.zh}的各等次不构成晋级序列" if no_ladder else
                      f"{prog.zh}的等次{held}与{asked}不在同一晋级序列中")
                raise errors.NotAnUpgrade(f"{en}, so {cert.tier} is not upgraded to {new}; record {new} as a new"
                                          " certification (POST /v1/certifications)",
                                          zh=f"{zh}，{held}不能晋级为{asked}；请将{asked}作为新的认定记录"
                                             "（POST /v1/certifications）")
            if ladder.index(new) <= ladder.index(cert.tier) and cert.tier == ladder[-1]:  # type: ignore[arg-type]
                # At the top already: there is no tier above to fill in (a clerk's stale form read "fill in a tier
                # above …" beside the page's "no tier is left").
                raise errors.NotAnUpgrade(f"{prog.code} certification {certification_id} already stands at {cert.tier},"
                                          f" the top of its ladder {' < '.join(ladder)}: there is no tier above it"
                                          " to upgrade to",
                                          zh=f"该{prog.zh}认定已处于其晋级序列"
                                             f"{' < '.join(tier_zh(prog, t) for t in ladder)}的最高等次"
                                             f"{tier_zh(prog, cert.tier)}，没有可晋级的更高等次")
            if ladder.index(new) <= ladder.index(cert.tier):  # type: ignore[arg-type]
                raise errors.NotAnUpgrade(f"{prog.code} tier {new} is not above {cert.tier} on the ladder"
                                          f" {' < '.join(ladder)}; an upgrade must climb its ladder",
                                          zh=f"{prog.zh}的等次{tier_zh(prog, new)}在晋级序列"
                                             f"{' < '.join(tier_zh(prog, t) for t in ladder)}中不高于现有等次"
                                             f"{tier_zh(prog, cert.tier)}；晋级只能升到更高等次，请填写高于"
                                             f"{tier_zh(prog, cert.tier)}的等次")
            _climbs_on(cert, prog, effective_on)
            org = self._organisation(cert.uscc)
            # Another certification of the organisation that holds the new rung is that rung recorded already: the
            # upgrade would make two of it (a regression probe had two little giants proposed for one honour, and a
            # claim naming neither stood alone and escaped both revocations).
            self._refuse_duplicate(org, prog, new, cert.subject, cert.body_id, but=str(cert.id))
            cert.upgrade(new, effective_on, document_ref, by.name)
            met: list[errors.LedgerError] = []
            made = self._propose(org, cert, effective_on, by, "upgrade of certification", str(cert.id), met=met)
            closed = self._supersede_rungs(org, cert, made, by)
            touched = [cert, org, *made, *closed] if made else [cert]
            view = views.certification(cert) | {"proposed_claims": [str(c.id) for c in made]}
            if not made and (why := unproposed(prog, new, met)) is not None:
                view["unproposed"] = why  # the top-up it opens met a refusal, or is paid by a figure not held
            return touched, view

        args = {"cert": certification_id, "tier": tier, "on": effective_on, "doc": document_ref}
        return self._run(by, key, "record_upgrade", args, decide)

    # ------------------------------------------------------------------ claims and decisions

    def submit_claim(self, by: Principal, *, uscc: str, programme: str, award_year: int, effective_on: date,
                     tier: str | None = None, rank: int | None = None, subject: str | None = None,
                     certification_id: str | None = None, body_id: str | None = None,
                     basis_amount: Decimal | None = None, requested_amount: Decimal | None = None,
                     document_ref: str | None = None, key: str | None = None) -> Outcome:
        prog = self._programme_for(by, programme, effective_on)
        code = Uscc.parse(uscc).value
        catalogue = self.catalogue_on(effective_on)
        basis = None if basis_amount is None else money(basis_amount)
        requested = None if requested_amount is None else money(requested_amount)
        _sent_only_what_applies(prog, tier, rank)
        fresh_subject(subject)

        def decide() -> tuple[list[Aggregate], dict]:
            org = self._organisation(code)
            facts = ClaimFacts(code, prog.code, award_year, effective_on, tier, rank, subject, body_id, basis,
                               requested, certification_id)
            facts = self._with_certification(catalogue, facts, org)
            if not _rank_applies(prog, facts.tier, rank):
                facts = replace(facts, rank=None)
            plan = prepare(catalogue, facts, org.facts(effective_on))
            accounts = self._open_accounts(plan)
            entitlement = entitle(plan, {a.key: a.state() for a in accounts})
            claim = Claim(uscc=code, programme=prog.code, award_year=award_year, effective_on=effective_on,
                          tier=entitlement.tier, rank=facts.rank, subject=entitlement.subject,
                          body_id=entitlement.body_id,
                          certification_id=facts.certification_id, basis_amount=basis, requested_amount=requested,
                          document_ref=document_ref, gross_amount=entitlement.gross,
                          entitled_amount=entitlement.amount, explanation=entitlement.explanation(),
                          accounts=list(entitlement.accounts), policy_version=entitlement.policy_version,
                          pays_award=prog.pays_awards, lead=prog.lead, by=by.name)
            for account in accounts:
                account.reserve(str(claim.id), prog.code, entitlement.amount, entitlement.standing,
                                entitlement.tier, by.name, code)
            replaced = self._replace_proposals(org, claim, by)
            replaced += self._held_proposals(claim, accounts, org, by)
            named: list[Aggregate] = []
            if (subject_named := getattr(self._attempt, "named", None)) is not None:
                # The very copy the subject was checked on: saved at the next version, it conflicts with any claim
                # that named a subject on it since (a second regression probe: a fresh copy read here let two
                # processes' claims both pass, at versions 3 and 4).
                cert, named_subject = subject_named
                cert.name_subject(str(claim.id), named_subject, by.name)
                named.append(cert)
            return [claim, *accounts, *([org] if org.pending_events else []), *replaced, *named], views.claim(claim)

        args = {"uscc": code, "p": programme, "y": award_year, "on": effective_on, "tier": tier, "rank": rank,
                "subject": subject, "cert": certification_id, "body": body_id, "basis": basis, "req": requested,
                "doc": document_ref}
        return self._run(by, key, "submit_claim", args, decide)

    def approve_claim(self, by: Principal, *, claim_id: str, amount: Decimal | None = None, note: str | None = None,
                      dry_run: bool = False, key: str | None = None) -> Outcome:
        """Approve a pending claim, re-assessed first (rule 12); `dry_run` answers what the approval would book
        (the re-assessed entitlement beside the amount) and writes nothing, for a page to show before it books."""
        cid = _uuid(claim_id, "claim")
        decided = None if amount is None else money(amount)

        def decide() -> tuple[list[Aggregate], dict]:
            claim = self._pending_claim(by, cid, "approve")
            # One copy of each organisation for the re-assessment and the proposals below: reading the claim's
            # twice cost the command bench a fifth of its rate (bench/RESULTS.md, stop 52).
            load = _loaded_once(self._organisation_or_none)
            if claim.tops_up is not None:
                self._award_stands(claim)
            elif claim.certification_id is None:
                self._rests_on_none_now(claim, load(claim.uscc))
            recorded = claim.entitled_amount
            try:
                accounts = self._reassess(claim, by, load(claim.uscc))
            except (errors.AlreadyAwarded, errors.Superseded) as outranked:
                raise _closing_told(outranked) from None
            approved = claim.entitled_amount if decided is None else decided
            if approved > claim.entitled_amount:
                raise errors.CapExceeded(f"approval of {yuan(approved)} is above the claim's entitlement of"
                                         f" {yuan(claim.entitled_amount)}; an approval may lower an amount, never"
                                         " raise it",
                                         zh=f"批准金额 {yuan(approved)} 元高于应享金额 {yuan(claim.entitled_amount)}"
                                            " 元；审批只能调低金额，不能调高", field="amount")
            if approved <= 0:
                raise errors.InvalidAmount("an approval must be for more than 0.00; reject the claim instead",
                                           zh="批准金额必须大于 0.00；如不予支持请驳回申请", field="amount")
            for account in accounts:
                if account.key in claim.accounts:  # not the ones a re-assessment moved it off
                    account.consume(str(cid), approved, by.name)
            touched: list[Aggregate] = [claim, *accounts]
            if claim.pays_award:
                try:
                    touched.append(self._charge_fund(claim, approved, by))
                except errors.FundExhausted as short:
                    raise _reassessed_told(short, recorded, claim.entitled_amount) from None
            claim.approve(approved, note, by.name)
            touched += self._outranked(claim, accounts, by)
            touched += self._outranked_proposals(claim, accounts, by, load)
            if approved < claim.entitled_amount:
                # A lowered approval frees what the claim had reserved beyond it: a certification recorded while the
                # reservation filled a cap proposed nothing, and is proposed now (a proposals probe: recorded
                # first, it would have been); the open proposals were decided again just above.
                touched += self._freed_proposals([claim], {a.key: a for a in accounts}, by, load,
                                                 because="the lowered approval of claim", reassess=False)
            return list({id(a): a for a in touched}.values()), views.claim(claim)

        return self._run(by, key, "approve_claim", {"claim": claim_id, "amount": decided, "note": note}, decide,
                         dry_run=dry_run)

    def reject_claim(self, by: Principal, *, claim_id: str, reason: str, key: str | None = None) -> Outcome:
        cid = _uuid(claim_id, "claim")
        reason = _text(reason, "reason")

        def decide() -> tuple[list[Aggregate], dict]:
            claim = self._pending_claim(by, cid, "reject")
            accounts = [self._account(k) for k in claim.accounts]
            for account in accounts:
                account.release(str(cid), by.name)
            claim.reject(reason, by.name)
            again = self._freed_proposals([claim], {a.key: a for a in accounts}, by)
            return list({id(a): a for a in [claim, *accounts, *again]}.values()), views.claim(claim)

        return self._run(by, key, "reject_claim", {"claim": claim_id, "reason": reason}, decide)

    # ------------------------------------------------------------------ money: appropriations, payouts, reversals

    def record_appropriation(self, by: Principal, *, year: int, amount: Decimal, document_ref: str,
                             key: str | None = None) -> Outcome:
        _require_role(by, Role.FINANCE, doing="record appropriations")
        value = money(amount)
        document_ref = _text(document_ref, "document_ref")
        if value <= 0:
            raise errors.InvalidAmount("an appropriation must be more than 0.00", zh="安排金额必须大于 0.00",
                                       field="amount")
        policy = self._policy_for_year(year, field="year")

        def decide() -> tuple[list[Aggregate], dict]:
            fund = self._get_or_none(FundYear, FundYear.create_id(year)) or FundYear(year=year)
            if (booked := fund.booked(document_ref)) is not None:
                raise _booked_twice(year, document_ref, booked)
            fund.appropriate(value, document_ref, by.name)
            return [fund], views.fund_year(fund, policy.special_fund_floor)

        return self._run(by, key, "record_appropriation", {"y": year, "a": value, "doc": document_ref}, decide)

    def correct_appropriation(self, by: Principal, *, year: int, appropriation_ref: str, amount: Decimal,
                              reason: str, document_ref: str, key: str | None = None) -> Outcome:
        """The appropriation booked on `appropriation_ref` for `year` now reads `amount` (0.00 withdraws it, and its
        document may be booked again): a clerk's mistyped figure, or a budget cut, on the correcting `document_ref`.
        Refused when the year's approvals would then pass what is appropriated (`fund_exhausted`), as an approval
        is; the fund year's version settles a race with an approval as it settles two approvals."""
        _require_role(by, Role.FINANCE, doing="correct appropriations")
        value = money(amount)
        appropriation_ref = _text(appropriation_ref, "appropriation_ref")
        reason = _text(reason, "reason")
        document_ref = _text(document_ref, "document_ref")
        if value < 0:
            raise errors.InvalidAmount("an appropriation reads 0.00 (withdrawn) or more", zh="安排金额不能小于 0.00",
                                       field="amount")
        policy = self._policy_for_year(year, field="year")

        def decide() -> tuple[list[Aggregate], dict]:
            fund = self._get_or_none(FundYear, FundYear.create_id(year))
            booked = _booked_on(fund, year, appropriation_ref)
            was = booked["amount"]
            if value == was:
                raise errors.Conflict(
                    f"the appropriation on {booked['document_ref']} already reads {yuan(was)}; send the amount the"
                    " document appropriates (0.00 withdraws it)",
                    zh=f"文件 {booked['document_ref']} 的安排金额已是 {yuan(was)} 元；请填写该文件实际安排的金额"
                       "（0.00 表示撤销该笔安排）", field="amount")
            left = fund.appropriated - was + value
            if left < fund.approved:
                raise errors.FundExhausted(
                    f"{year}'s approvals charge {yuan(fund.approved)} to its fund; with the appropriation on"
                    f" {booked['document_ref']} at {yuan(value)} the fund would hold {yuan(left)} in all, less than"
                    f" that. Book the replacing budget first, on its own document, or revoke approvals of {year} first",
                    zh=f"{year} 年度已批准 {yuan(fund.approved)} 元列支专项资金；文件 {booked['document_ref']} 的安排"
                       f"改为 {yuan(value)} 元后，专项资金合计仅 {yuan(left)} 元，少于已批准金额。"
                       "请先按其文号记录替代的预算安排，或先撤销该年度的批准", field="amount")
            fund.correct(booked["document_ref"], value, was, reason, document_ref, by.name,
                         at=command_moment().isoformat())
            return [fund], views.fund_year(fund, policy.special_fund_floor)

        args = {"y": year, "of": appropriation_ref, "a": value, "reason": reason, "doc": document_ref}
        return self._run(by, key, "correct_appropriation", args, decide)

    def record_payout(self, by: Principal, *, claim_id: str, amount: Decimal, paid_on: date, bank_ref: str,
                      key: str | None = None) -> Outcome:
        _require_role(by, Role.FINANCE, doing="record payouts")
        cid = _uuid(claim_id, "claim", "claim_id")
        value = money(amount)
        bank_ref = plain_reference(bank_ref, "bank_ref", "银行流水号")  # one bank transaction, one payout
        if value <= 0:
            raise errors.InvalidAmount("a payout must be more than 0.00", zh="拨付金额必须大于 0.00", field="amount")

        def decide() -> tuple[list[Aggregate], dict]:
            claim = self._get(Claim, cid, f"claim {claim_id}", field="claim_id")
            self._intact(cid, f"claim {claim_id}")
            _payable(claim, claim_id, value)
            # A reference whose payouts were all reversed is free again: a payout booked in error (the wrong claim or
            # amount) is reversed and the same transfer booked right, under its own reference (a finance probe
            # could only make one up, and the statement's line then matched nothing).
            booking, same = 0, self._get_or_none(Payout, Payout.create_id(bank_ref))
            while same is not None and same.reversed:
                booking += 1
                same = self._get_or_none(Payout, Payout.booking_id(bank_ref, booking))
            check_payout(claim, paid_on, bank_ref, same)
            payout = Payout.book(booking, claim_id=claim_id, uscc=claim.uscc, programme=claim.programme,
                                 award_year=claim.award_year, amount=value, paid_on=paid_on, bank_ref=bank_ref,
                                 by=by.name)
            claim.record_payout(str(payout.id), value, by.name, paid_on=paid_on)
            return [payout, claim], views.payout(payout, claim)

        args = {"claim": claim_id, "a": value, "on": paid_on, "ref": bank_ref}
        return self._run(by, key, "record_payout", args, decide)

    def reverse_payout(self, by: Principal, *, payout_id: str, reason: str, document_ref: str | None = None,
                       key: str | None = None) -> Outcome:
        """`document_ref`: what the reversal rests on (the bank's return notice), optional as the contract's body
        is `{reason}`; kept on the payout's and the claim's events, as every correction keeps its document."""
        _require_role(by, Role.FINANCE, doing="reverse payouts")
        pid = _uuid(payout_id, "payout", "payout_id")
        reason = _text(reason, "reason")
        document_ref = None if document_ref is None else _text(document_ref, "document_ref")

        def decide() -> tuple[list[Aggregate], dict]:
            payout = self._get(Payout, pid, f"payout {payout_id}", field="payout_id")
            self._intact(pid, f"payout {payout_id}")
            if payout.reversed:  # and what to do instead (a finance probe read only "已冲回")
                why = f" ({payout.reversal_reason})" if payout.reversal_reason else ""
                raise errors.InvalidState(
                    f"payout {payout_id} ({yuan(payout.amount)}, bank_ref {payout.bank_ref!r}) was already"
                    f" reversed{why}: a payout is reversed once. If the money was paid out again, record that as a new"
                    " payout (POST /v1/payouts, with the new transfer's bank_ref; a payout booked in error is booked"
                    " again under its own bank_ref)",
                    zh=f"拨付 {payout_id}（{yuan(payout.amount)} 元，银行流水号 {payout.bank_ref!r}）已冲回"
                       + (f"（{payout.reversal_reason}）" if payout.reversal_reason else "")
                       + "：一笔拨付只冲回一次。如已重新拨付，请以新的银行流水号另行登记拨付（POST /v1/payouts）；"
                         "如系记错申请或金额，请以原银行流水号重新登记",
                    field="payout_id")
            claim = self._get(Claim, UUID(payout.claim_id), f"claim {payout.claim_id}")
            self._intact(claim.id, f"claim {payout.claim_id}")
            if claim.status == "revoked":  # booked in error on an award revoked since: its recovery owes less
                return self._reversed_on_revoked(by, payout, claim, reason, document_ref), views.payout(payout, claim)
            payout.reverse(reason, by.name, document_ref)
            claim.reverse_payout(payout_id, by.name, reason, document_ref)
            return [payout, claim], views.payout(payout, claim)

        # The fingerprint names the document only when one was sent: a key's first answer from before stays its own.
        return self._run(by, key, "reverse_payout", {"payout": payout_id, "reason": reason}
                         | ({} if document_ref is None else {"document_ref": document_ref}), decide)

    @staticmethod
    def statement_id(lines: list[StatementLine]) -> str:
        """The id a statement of these lines is imported as (the same lines, the same statement)."""
        return str(BankStatement.create_id(content_hash(lines)))

    def imported_statement(self, lines: list[StatementLine]) -> dict | None:
        """The statement these lines were imported as before (its view), or None: a preview says so before an import
        that would record nothing (a clerk's probe saw no word of it, before or after)."""
        if not lines:
            return None
        known = self._get_or_none(BankStatement, BankStatement.create_id(content_hash(lines)))
        return None if known is None else views.bank_statement(known, already_imported=True)

    def import_bank_statement(self, by: Principal, *, lines: list[StatementLine], source: str | None = None,
                              key: str | None = None, refused: list[dict] | None = None) -> Outcome:
        """Record a statement once; the same lines again answer with the first import (`replayed`). `refused`: the
        file's lines left out (each {line, code, message, zh}), kept with it."""
        _require_role(by, Role.FINANCE, doing="import bank statements")
        source = optional_text(source, "source")
        if not lines:
            raise errors.InvalidInput("the statement has no lines: send at least one line (a bank transaction)",
                                      zh="银行对账单没有任何明细行；请至少发送一行交易明细")
        digest = content_hash(lines)

        def decide() -> tuple[list[Aggregate], dict]:
            known = self._get_or_none(BankStatement, BankStatement.create_id(digest))
            if known is not None:
                raise _AlreadyImported(views.bank_statement(known, already_imported=True))
            statement = BankStatement(digest=digest, source=source, lines=[ln.recorded() for ln in lines],
                                      by=by.name, refused=list(refused or []))
            return [statement], views.bank_statement(statement, already_imported=False)

        try:
            return self._run(by, key, "import_bank_statement", {"digest": digest}, decide)
        except _AlreadyImported as known:
            # Imported by a request sent at once with the same key, which committed between this one's look for
            # the key's answer and its look for the statement: the key's first answer, as for any command.
            first = None if key is None else self._replay(by, key, command_fingerprint("import_bank_statement",
                                                                                        {"digest": digest}))
            return first or Outcome(known.view, None, replayed=True)

    def close_year(self, by: Principal, *, year: int, reconciliation: dict, digest: dict, as_of: str,
                   key: str | None = None) -> Outcome:
        """Record the year's close: its reconciliation as of `as_of` and the signed digest it rests on (once)."""
        _require_role(by, Role.FINANCE, doing="close a year")
        self._policy_for_year(year)

        def decide() -> tuple[list[Aggregate], dict]:
            known = self._get_or_none(YearClose, YearClose.create_id(year))
            if known is not None:
                raise errors.Conflict(f"{year} was closed by {known.by} as of {beijing.shown(known.as_of)}; a later"
                                      " correction shows as a post-close adjustment in the reconciliation, not a new"
                                      " close",
                                      zh=f"{year} 年度已由财政账号 {known.by} 结账（截至"
                                         f" {beijing.shown(known.as_of)}）；此后的更正在对账结果中显示为结账后调整，"
                                         "无需也不能再次结账")
            closed = YearClose(year=year, reconciliation=reconciliation, digest=digest, as_of=as_of, by=by.name)
            return [closed], views.year_close(closed)

        return self._run(by, key, "close_year", {"year": year, "as_of": as_of}, decide)

    def year_close(self, year: int, at: datetime | None = None) -> dict | None:
        """The year's close as recorded (as known at `at`, when given), or None while it is open."""
        cid = YearClose.create_id(year)
        found = self._get_or_none(YearClose, cid) if at is None else self.aggregate_as_of(cid, at)
        return None if found is None else views.year_close(found)

    # ------------------------------------------------------------------ reads of single aggregates

    def organisation(self, uscc: str) -> dict:
        return views.organisation(self._organisation(Uscc.parse(uscc).value))

    def body_known(self, body_id: str) -> bool:
        """Whether an innovation body of this id is registered (the certification form marks an unknown one beside
        its other faults)."""
        return self._get_or_none(InnovationBody, InnovationBody.create_id(body_id)) is not None

    def upgrade_day_refused(self, certification_id: str, effective_on: date) -> errors.LedgerError | None:
        """What `record_upgrade` would say of `effective_on` alone (outside the term, before the certification or
        the rung it climbs from), or None: the upgrade form marks it beside its other faults, where the command's
        checks stop at the first."""
        try:
            cert = self._get(Certification, _uuid(certification_id, "certification"),
                             f"certification {certification_id}")
            require_in_term(self.catalogue_on(effective_on).policy, effective_on, "the upgrade's effective date")
            prog = self.catalogue_on(cert.effective_on).programme(cert.programme)
            if prog is not None:
                _climbs_on(cert, prog, effective_on)
        except errors.LedgerError as err:
            return err
        return None

    def year_refused(self, year: int) -> errors.LedgerError | None:
        """What an appropriation (or its correction) would say of `year` alone, or None: outside the policy's
        years (finance's forms mark it beside their other faults)."""
        try:
            self._policy_for_year(year, field="year")
        except errors.LedgerError as err:
            return err
        return None

    def appropriation_ref_refused(self, year: int, appropriation_ref: str) -> errors.LedgerError | None:
        """What a correction of `year`'s appropriation would say of `appropriation_ref` alone (no appropriation of
        the year is booked on it), or None; None too for a year outside the policy's, which `year_refused` says.
        The correction form marks it beside its other faults, where the command's checks stop at the first."""
        if self.year_refused(year) is not None:
            return None
        try:
            _booked_on(self._get_or_none(FundYear, FundYear.create_id(year)), year,
                       _text(appropriation_ref, "appropriation_ref"))
        except errors.LedgerError as err:
            return err
        return None

    def payout_refused(self, claim_id: str, amount: Decimal) -> errors.LedgerError | None:
        """What `record_payout` would say of its claim and amount alone (no such claim, one not approved or paid in
        full, an amount above what is still to pay), or None: the payout form marks it beside its other faults, where
        the command's checks stop at the first (an empty bank reference hid an amount above the approval)."""
        try:
            cid = _uuid(claim_id, "claim", "claim_id")
            _payable(self._get(Claim, cid, f"claim {claim_id}", field="claim_id"), claim_id, money(amount))
        except errors.LedgerError as err:
            return err
        return None

    def claim(self, claim_id: str, *, with_history: bool = True) -> dict:
        cid = _uuid(claim_id, "claim")
        view = views.claim(self._get(Claim, cid, f"claim {claim_id}"))
        if with_history:
            # The claim as a reader opens it (GET /v1/claims/{id}, its page) is checked against the chain as a
            # command's is: a type changed to another that still folds (Rejected → Withdrawn) read as withdrawn.
            self._intact(cid, f"claim {claim_id}")
            own = list(self.events.get(cid))
            view["history"] = views.claim_history(own, self.events.get(Recovery.create_id(str(cid))),
                                                  payouts=self._payouts_recorded(own))
        return view

    def _payouts_recorded(self, claim_events: list[Any]) -> dict[str, Any]:
        """The `Payout.Recorded` event of each payout the claim's events name, by payout id: its amount and bank
        reference, which the claim's own echo of a payout (and of a reversal on a standing award) does not carry.
        Read in one query (ledger/bulk_read.py) where the store allows: a claim may have hundreds of payouts."""
        ids = sorted({UUID(str(pid)) for e in claim_events if (pid := getattr(e, "payout_id", None))})
        found = select_many(self.recorder, ids)
        if found is None:
            firsts = {i: next(iter(self.events.get(i, limit=1)), None) for i in ids}
        else:
            firsts = {i: self.mapper.to_domain_event(stored[0]) for i, stored in found.items() if stored}
        return {str(i): e for i, e in firsts.items() if e is not None}

    def certification(self, certification_id: str) -> dict:
        """The certification, with the proposals resting on it that are still open (its organisation's index)."""
        cid = _uuid(certification_id, "certification")
        cert = self._get(Certification, cid, f"certification {certification_id}")
        org = self._get_or_none(Organisation, Organisation.create_id(cert.uscc))
        open_ = [pid for pid, p in (org.proposals if org else {}).items() if p["certification_id"] == str(cid)]
        return views.certification(cert) | {"proposed_claims": open_, "revocation": self._revocation(cert)}

    def _revocation(self, cert: Certification) -> dict | None:
        """The revocation as its event holds it: why, on what document, from which day, by whom and when (the API gave
        the day alone, where the page gave all five: a corrections probe)."""
        if cert.revoked_on is None:
            return None
        revoked = next((e for e in reversed(list(self.events.get(cert.id))) if type(e).__name__ == "Revoked"), None)
        return None if revoked is None else views.revocation(revoked, cert.revoked_on)

    def payout(self, payout_id: str) -> dict:
        payout = self._get(Payout, _uuid(payout_id, "payout"), f"payout {payout_id}")
        return views.payout(payout, self._get(Claim, UUID(payout.claim_id), "claim"))

    def payouts_of(self, claim_id: str, payout_ids: list[str]) -> list[dict]:
        """The claim's payouts, each as `payout` answers it, the claim read once: read again for each, its page
        took time in the square of its payouts (800 took 7.8 s: a stall probe)."""
        claim = self._get(Claim, _uuid(claim_id, "claim"), f"claim {claim_id}")
        return [views.payout(self._get(Payout, _uuid(pid, "payout"), f"payout {pid}"), claim) for pid in payout_ids]

    def fund_year(self, year: int, as_of: datetime | None = None) -> dict:
        """A year's fund: its appropriations (each on its document), what approvals charge, its corrections; as the
        ledger knew it at `as_of` when given."""
        policy = self._policy_for_year(year)
        fid = FundYear.create_id(year)
        found = self._get_or_none(FundYear, fid) if as_of is None else self.aggregate_as_of(fid, as_of)
        return views.fund_year(found or FundYear(year=year), policy.special_fund_floor)

    def aggregate_as_of(self, aggregate_id: UUID, at: datetime) -> Aggregate | None:
        """The aggregate as the ledger knew it at `at` (recorded time), or None if it did not exist yet."""
        version = None
        with unfolded_as_tampering(aggregate_id):
            for event in self.events.get(aggregate_id):
                if event.timestamp > at:
                    break
                version = event.originator_version
            return None if version is None else self.repository.get(aggregate_id, version=version)

    def catalogue(self) -> Catalogue:
        return self.versions[-1]

    def _programme_zh(self, code: str) -> str:
        """A programme as a Chinese refusal names it: its name, its code beside it (工程研究中心认定奖励（A3.erc）)."""
        found = self.catalogue().programme(code)
        return found.zh if found is not None else f" {code}"

    def _bureau_zh(self, code: str) -> str:
        """A bureau as a Chinese refusal names it: its name, its code beside it (区科技局（kjj）); the bare code was
        said on an existing claim's refusals (由 kjj 牵头: a regression probe), the name on a new one's."""
        found = self.catalogue().bureau(code)
        return f"{found.name_zh}（{code}）" if found is not None and getattr(found, "name_zh", None) else code

    def catalogue_on(self, day: date) -> Catalogue:
        """The version in force on the day; outside every term, the newest (whose term check then refuses)."""
        return next((c for c in self.versions if c.policy.in_term(day)), self.versions[-1])

    # ------------------------------------------------------------------ machinery

    def _run(self, by: Principal, key: str | None, command: str, args: dict[str, Any],
             decide: Callable[[], tuple[Sequence[Aggregate], dict]], *, dry_run: bool = False) -> Outcome:
        """Decide and save, retried on conflicts. A dry run decides on fresh state and saves nothing."""
        fingerprint = command_fingerprint(command, args)
        keep_refusal = key is not None and getattr(key, "keeps_refusal", True)
        key = None if key is None else str(key)
        if dry_run:
            try:
                with self._held():
                    return Outcome(decide()[1] | {"dry_run": True}, None)
            except errors.LedgerError as refusal:
                if (told := self._kept_part_told(refusal)) is refusal:
                    raise
                raise told from None
        storage_faults, trust, cut_off = 0, True, False
        for attempt in range(self.max_attempts):
            self._attempt.trust, self._attempt.trusted, self._attempt.copies = trust, False, set()
            saving, sent = False, []
            try:
                with self._held(), one_moment():  # one timestamp for all the attempt's events
                    if key is not None and (replay := self._replay(by, key, fingerprint)) is not None:
                        return replay
                    touched, view = decide()
                    touched = list(touched)
                    if key is not None and touched:  # a decision that changes nothing leaves no record
                        covers = [f"{e.originator_id}@{e.originator_version}" for a in touched
                                  for e in a.pending_events]
                        touched.append(IdempotencyRecord(principal=by.name, key=key, fingerprint=fingerprint,
                                                         result=json.dumps(view), covers=covers))
                        # Saved only if no refusal was kept for the key meanwhile (the recorders check, under the
                        # lock every save and keep_refusal take): else it conflicts, and the retry replays it.
                        saving = self._begin_save()
                        recordings = self.save(*touched, idempotency=(by.name, key))
                    else:
                        sent = [e for a in touched for e in a.pending_events]  # before the save collects them
                        saving = bool(touched) and self._begin_save()
                        recordings = self.save(*touched)
            except errors.LedgerError as refusal:
                # The same key sent at once: the first commits while this one decides, and this one then finds
                # what the first wrote ("already registered"). It was the same command: give the first answer.
                if key is not None and (replay := self._replay(by, key, fingerprint)) is not None:
                    return replay
                if not self._attempt.trusted:
                    told = self._kept_part_told(refusal)
                    if keep_refusal and refused_keys.kept(told) and not self._keep_refusal(
                            by, key, fingerprint, told) and (replay := self._replay(by, key, fingerprint)):
                        return replay  # the same key saved a command since it was looked up: that is its answer
                    if told is refusal:
                        raise
                    raise told from None
                trust = False  # refused on a saved copy: only fresh state may refuse
                continue
            except (IntegrityError, RecordConflictError):
                if key is None and saving and (done := self._committed_after_all(sent, view)) is not None:
                    return done
                # Someone else changed an aggregate this decision read: decide again on fresh state.
                if not self._attempt.trusted:
                    time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 25)))
                trust = False
                continue
            except NoConnectionFree as busy:
                cut_off = cut_off or (saving and self._save_cut_off(busy))
                busy.save_cut_off = cut_off  # type: ignore[attr-defined]
                raise  # it waited for a connection already: a busy process, not a fault to try again on
            except OperationalError as fault:
                # A save the store dropped may still have committed (the connection lost between the commit and its
                # acknowledgement): whatever this command raises next, nobody may be told nothing was written (a
                # retry probe: `busy`, "nothing was written", for a claim its key then replayed).
                cut_off = cut_off or (saving and self._save_cut_off(fault))
                fault.save_cut_off = cut_off  # type: ignore[attr-defined]
                if pool_exhausted(fault) or sqlite_locked(fault):
                    raise  # it waited already (for a connection, for SQLite's write lock): said at once as busy
                storage_faults += 1
                self.check_connections()
                if storage_faults >= 3:
                    raise
                time.sleep(0.05 * storage_faults)
                continue
            except Exception:
                # Decided on a saved copy that another save has since overtaken (a reservation it does not hold
                # yet, say): whatever that raised, decide again on fresh state; on fresh state it stands.
                if not self._attempt.trusted:
                    raise
                trust = False
                continue
            finally:
                self._attempt.trust = False
            position = max((r.notification.id for r in recordings), default=None)
            return Outcome(view, position)
        if key is not None and (replay := self._replay(by, key, fingerprint)) is not None:
            return replay
        raise errors.ConcurrencyExhausted(f"{command} met {self.max_attempts} concurrent conflicts in a row and"
                                          " wrote nothing; send it again (with the same Idempotency-Key)",
                                          zh="并发冲突次数过多，未写入任何内容；请使用相同的 Idempotency-Key 重新提交")

    def _committed_after_all(self, sent: list, view: dict) -> Outcome | None:
        """A save without a key whose connection was lost once it was sent, tried again (as every save is) and then
        refused as a conflict: the first attempt may have committed, and its events are what the retry met. If the
        store holds this save's own first event, as sent, that attempt was recorded: its answer, not a second
        decision, which would record the command twice (a claim has no natural id: a second claim). Nothing when
        the save was not cut off (a conflict with another command, decided again as always)."""
        said = getattr(self.recorder, "save_cut_off", None)
        if not sent or said is None or not said():
            return None
        first = sent[0]
        stored = self.recorder.select_events(first.originator_id, gt=first.originator_version - 1,
                                             lte=first.originator_version)
        mine = self.mapper.to_stored_event(first)
        if not stored or (stored[0].topic, stored[0].state) != (mine.topic, mine.state):
            return None
        log.warning("a save cut off after it was sent had committed (%s@%s): answered, not decided again",
                    first.originator_id, first.originator_version)
        return Outcome(view, self.recorder.max_notification_id())

    def _begin_save(self) -> bool:
        begin = getattr(self.recorder, "begin_save", None)
        if begin is not None:
            begin()
        return True

    def _save_cut_off(self, fault: BaseException) -> bool:
        """Whether a save that raised `fault` may have committed all the same: on PostgreSQL, its connection was
        lost once its statement was sent (ledger/pg_recorder.py); on SQLite, any fault but a wait that ran out."""
        said = getattr(self.recorder, "save_cut_off", None)
        return said() if said is not None else not (sqlite_locked(fault) or pool_exhausted(fault))

    def _replay(self, by: Principal, key: str, fingerprint: str) -> Outcome | None:
        """The first answer to the key: what its command wrote, or the refusal it was given (raised again)."""
        record = self._get_or_none(IdempotencyRecord, IdempotencyRecord.create_id(by.name, key))
        if record is None:
            refused = self.recorder.refusal(by.name, key)  # type: ignore[attr-defined]
            if refused is None:
                return None
            first_fingerprint, answer = refused
            if first_fingerprint == fingerprint:
                raise refused_keys.ReplayedRefusal(answer)
        elif record.fingerprint == fingerprint:
            return Outcome(json.loads(record.result), None, replayed=True)
        raise _key_used(key)

    def first_answer(self, by: Principal, key: str) -> dict[str, Any] | None:
        """The answer the principal's own command with this Idempotency-Key was given, or None (no such command):
        the page a form redirects to says what the command answered (why a certification proposed nothing)."""
        try:
            record = self._get_or_none(IdempotencyRecord, IdempotencyRecord.create_id(by.name, key))
        except (ValueError, TypeError):
            return None
        return None if record is None else json.loads(record.result)

    def answered_once(self, by: Principal, key: str, query: str, args: dict[str, Any],
                      answer: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
        """A POST that writes nothing (the policy sandbox) sent with an Idempotency-Key: the same key and body get
        the first answer again, and the key sent with another body (or used before for a command) is `conflict`,
        as the contract has it for every POST. The first answer is kept beside the log, where refusals are kept
        (ledger.refused_keys): no event, no link in the chain. (answer, whether it was the kept one)."""
        fingerprint = command_fingerprint(query, args)
        if (first := self._kept_answer(by, key, fingerprint)) is not None:
            return first, True
        found, stored = answer(), None
        try:
            stored = refused_keys.kept_answer(found)
            self.recorder.keep_refusal(by.name, key, fingerprint, stored)  # type: ignore[attr-defined]
        except STORE_ERRORS:
            log.warning("could not keep the answer of Idempotency-Key %r for %s", key, by.name, exc_info=True)
            return found, False
        first = self._kept_answer(by, key, fingerprint)  # the same key sent at once: the first kept is the answer
        return (first, True) if first is not None and first != refused_keys.answer_kept(stored) else (found, False)

    def _kept_answer(self, by: Principal, key: str, fingerprint: str) -> dict[str, Any] | None:
        if self._get_or_none(IdempotencyRecord, IdempotencyRecord.create_id(by.name, key)) is not None:
            raise _key_used(key)
        kept = self.recorder.refusal(by.name, key)  # type: ignore[attr-defined]
        if kept is None:
            return None
        first_fingerprint, stored = kept
        if first_fingerprint != fingerprint:
            raise _key_used(key)
        return refused_keys.answer_kept(stored)

    def _keep_refusal(self, by: Principal, key: str, fingerprint: str, refusal: errors.LedgerError) -> bool:
        """Keep the refusal for the key (ledger.refused_keys), unless the key's first answer is kept already (a
        command saved with it, or a refusal): whether it was kept. If the store cannot take it now, its error
        goes up (503, nothing written, send it again with the same key): a refusal answered but not kept would
        let the same key be decided afresh later, and pay once what refused it had changed (a probe)."""
        return bool(self.recorder.keep_refusal(  # type: ignore[attr-defined]
            by.name, key, fingerprint, refused_keys.answer_of(refusal),
            record_id=IdempotencyRecord.create_id(by.name, key)))

    def check_connections(self) -> None:
        """After a storage error: replace the pool's dead connections (PostgreSQL; nothing to do on SQLite)."""
        check_idle(getattr(self.recorder, "datastore", None))

    def save(self, *objs: Any, **kwargs: Any) -> list:
        """eventsourcing's `save`, collecting our aggregates' events directly: its `collect_events` checks each
        object against two runtime-checkable Protocols first, about 12 µs each for an aggregate (which is not
        an event, so every member of the Protocol is looked at), and a claim saves four or five aggregates.
        Anything else (a domain event, another library's object) is collected by the library as before. The
        library's deprecated `notify` hook, a no-op the ledger does not override, is not called."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for obj in objs:
            if isinstance(obj, Aggregate):
                processing_event.events.extend(obj.collect_events())
                processing_event.aggregates[obj.id] = obj
            elif obj is not None:
                processing_event.collect_events(obj)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list:
        recordings = super()._record(processing_event)
        # The saved objects are no longer touched by the command that made them (its view is already taken).
        for aggregate_id, aggregate in processing_event.aggregates.items():
            if isinstance(aggregate, WRITTEN_WHEN_READ):
                self._saved.put(aggregate_id, aggregate)
        return recordings

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(list(self.events.get(aggregate_id, limit=1)))

    def _get(self, cls: type[A], aggregate_id: UUID, what: str, what_zh: str | None = None, *,
             field: str | None = None) -> A:
        """The aggregate, or NotFound naming it (and the request's `field` that named it, for a form to mark)."""
        found = self._get_or_none(cls, aggregate_id)
        if found is None:
            raise errors.NotFound(f"{what} is not in the ledger; check the id",
                                  zh=f"台账中没有{what_zh or thing_zh(what)}；请核对编号",
                                  **({} if field is None else {"field": field}))
        return found

    def _kept_part_told(self, refusal: errors.LedgerError) -> errors.LedgerError:
        """A refusal over a revoked award's kept part (ledger/rules/ladders.py `_held_by_kept`) said as it stands:
        the rules say it frees once repaid, and give `if_written_off` for a part written off, which only the award's
        recovery knows ("claim again once it is repaid" of money written off: a regression probe)."""
        written_off = getattr(refusal, "if_written_off", None)
        claim_id = refusal.context.get("earlier_claim")
        if written_off is None or not isinstance(claim_id, str):
            return refusal
        claim = self._get_or_none(Claim, _uuid(claim_id, "claim"))
        recovery = None if claim is None or claim.recovery_id is None else self._get_or_none(
            Recovery, _uuid(claim.recovery_id, "recovery"))
        return written_off if recovery is not None and recovery.written_off > 0 else refusal

    def _intact(self, aggregate_id: UUID, what: str) -> None:
        """Refuse (`tampering`) to decide on a record whose stored events were changed after they were recorded:
        they may still fold, into an amount nobody approved (ledger/audit/intact.py). A record this attempt read
        from the copy this process saved is not read from the store at all: it is decided on what was recorded
        (and a refusal on it is decided again on the store, checked then). An approval right after its submission
        so costs nothing more (bench/bench_commands.py: 0.28 of raw INSERTs with the check on every approval, 0.37
        without, against a target of 0.35)."""
        if not (getattr(self._attempt, "trust", False) and aggregate_id in self._attempt.copies):
            intact.check(self.recorder, aggregate_id, what, thing_zh(what))

    def _get_or_none(self, cls: type[A], aggregate_id: UUID) -> A | None:
        scope = getattr(self._attempt, "scope", None)
        if scope is None:
            return self._read(cls, aggregate_id)
        # One decision over many rows (an official list): a row sees what the rows before it changed.
        if aggregate_id not in scope:
            scope[aggregate_id] = self._read(cls, aggregate_id)
        found = scope[aggregate_id]
        reads = getattr(self._attempt, "row_reads", None)
        if reads is not None and found is not None and aggregate_id not in reads:
            reads[aggregate_id] = len(found.pending_events)  # a refused row must leave this as it is
        return found if isinstance(found, cls) else None

    def _read(self, cls: type[A], aggregate_id: UUID) -> A | None:
        try:  # a plain try, not `unfolded_as_tampering`: every command reads several aggregates
            return self._read_folded(cls, aggregate_id)
        except NOT_FOLD_FAULTS:
            raise
        except FOLD_FAULTS as fault:
            raise Unfolded(aggregate_id, fault) from fault

    def _read_folded(self, cls: type[A], aggregate_id: UUID) -> A | None:
        if getattr(self._attempt, "trust", False) and cls in WRITTEN_WHEN_READ:
            try:
                saved = self._saved.get(aggregate_id)
            except KeyError:
                pass
            else:
                if isinstance(saved, cls):
                    self._attempt.trusted = True
                    self._attempt.copies.add(aggregate_id)
                    return deepcopy(saved)
        if cls in self.snapshotting_intervals:
            found = self._snapshotted(aggregate_id)
        else:
            # Never snapshotted: one query for its events, not one for a snapshot that cannot exist first.
            found = fold_events(None, self.events.get(aggregate_id))
        if not isinstance(found, cls):
            return None
        return found

    def _snapshotted(self, aggregate_id: UUID) -> Aggregate | None:
        """An aggregate that may have snapshots, as the store has it now (a copy, for a command to change)."""
        cache = self.repository.cache
        if not isinstance(self.recorder, LedgerRecorder) or self.snapshots is None or cache is None:
            return self._from_repository(aggregate_id)
        try:
            cache.get(aggregate_id)
        except KeyError:
            pass
        else:
            return self._from_repository(aggregate_id)  # in the cache: fast-forward it, one query
        snapshot, stored = self.recorder.select_latest(aggregate_id, self.snapshots.recorder.events_table_name)
        events = [self.mapper.to_domain_event(e) for e in ([snapshot] if snapshot else []) + stored]
        if snapshot is not None and not list(snapshots.usable(events[:1], self.chain_point, self.seal_key,
                                                              self.mapper.transcoder.encode)):
            events = list(self.events.get(aggregate_id))  # a snapshot that fails its checks: replay instead
        found = fold_events(None, events)
        if found is None:
            return None
        cache.put(aggregate_id, found)
        return self._copied(aggregate_id, found)

    def _from_repository(self, aggregate_id: UUID) -> Aggregate | None:
        try:
            found = self.repository.get(aggregate_id, projector_func=fold_events, deepcopy_from_cache=False)
        except AggregateNotFoundError:
            return None
        return self._copied(aggregate_id, found) if self.repository.cache is not None else found

    def _copied(self, aggregate_id: UUID, cached: Aggregate) -> Aggregate:
        """A command's own copy of a cached record, taken under the lock eventsourcing fast-forwards that record
        under. Its repository copies after letting the lock go, so another thread bringing the record up to date
        meanwhile tore the copy: a 500 ("dictionary changed size during iteration", the races probe, two servers on
        one store), or worse a copy whole but torn, with the version of an event whose change it lacks, decided on
        and saved (tests/store/test_cached_copies.py)."""
        repository = self.repository
        lock = repository._use_fastforward_lock(aggregate_id)  # eventsourcing 9.5's own per-record lock
        try:
            with lock:
                return deepcopy(cached)
        finally:
            repository._disuse_fastforward_lock(aggregate_id)

    def _organisation(self, uscc: str) -> Organisation:
        return self._get(Organisation, Organisation.create_id(uscc),
                         f"organisation {uscc} (register it with POST /v1/organisations first)",
                         f"单位 {uscc}（请先以 POST /v1/organisations 登记）")

    def _account(self, key: str) -> AwardAccount:
        return self._get_or_none(AwardAccount, AwardAccount.create_id(key)) or AwardAccount(key=key)

    def _open_accounts(self, plan: Any) -> list[AwardAccount]:
        """The accounts a claim will reserve on, refused if one is closed (a revoked certification's slot: its
        revocation ended every claim resting on it, and none may rest on it again)."""
        accounts = [self._account(k.text) for k in plan.keys]
        for account in accounts:
            if (why := account.closed_because) is not None:
                raise errors.NotEligible(f"{why}; its revocation ended every claim resting on it, and no claim may"
                                         " rest on it again", zh=f"所依据的认定已撤销（{why}）；"
                                         "撤销时已终止依据它的全部申请，任何申请都不能再依据它")
        return accounts

    def _programme_for(self, by: Principal, code: str, day: date, revoking: bool = False) -> Programme:
        """The programme, for its lead bureau only; `revoking` a certification is said so (the refusal read "only the
        lead bureau may record and approve" to a bureau revoking one: a bureau probe)."""
        _require_role(by, Role.BUREAU, doing="revoke certifications" if revoking else
                      "record certifications and claims")
        catalogue = self.catalogue_on(day)
        prog = find_programme(catalogue, code)
        if by.bureau != prog.lead:
            lead, own = (getattr(catalogue.bureau(b), "name_zh", b) for b in (prog.lead, by.bureau))
            does, does_zh = ((f"revokes its certifications; ask {prog.lead} to revoke it",
                              f"撤销其认定；请由{lead}（{prog.lead}）撤销") if revoking else
                             ("records and decides it", "记录和审批"))
            raise errors.NotLeadBureau(f"{prog.code} (Art. {prog.article}) is led by {prog.lead}; {by.name} speaks for"
                                       f" {by.bureau}. Only the lead bureau {does}",
                                       zh=f"{prog.name_zh}（{prog.code}，第{prog.article}条）由{lead}（{prog.lead}）"
                                          f"牵头；{by.name} 属于{own}（{by.bureau}）。只有牵头部门可以{does_zh}")
        return prog

    def _pending_claim(self, by: Principal, cid: UUID, doing: str) -> Claim:
        _require_role(by, Role.BUREAU, doing=f"{doing} claims")
        claim = self._get(Claim, cid, f"claim {cid}")
        self._intact(cid, f"claim {cid}")
        if by.bureau != claim.lead:
            raise errors.NotLeadBureau(f"claim {cid} is under {claim.programme}, led by {claim.lead}; {by.name} may"
                                       f" not {doing} it",
                                       zh=f"申请 {cid} 属于{self._programme_zh(claim.programme)}"
                                          f"，由{self._bureau_zh(claim.lead)}牵头；{by.name}"
                                          " 无权审批，请由牵头部门审批")
        if claim.status == "proposed":  # a proposals probe: "already proposed" did not say what to do
            confirm = f"POST /v1/claims/{cid}/confirm"
            raise errors.InvalidState(
                f"claim {cid} is a proposal (免申即享), not yet submitted: confirm it first ({confirm}: re-assessed, it"
                f" becomes pending) and then decide it, or dismiss it (POST /v1/claims/{cid}/withdraw with a reason)",
                zh=f"申请 {cid} 是待确认的免申即享奖补，尚未提交：请先确认（{confirm}，重新核算后转为待审批）再审批，"
                   f"或将其撤回（POST /v1/claims/{cid}/withdraw，并填写 reason）")
        if claim.status != "pending":
            # What to do instead: an approval stands until it is revoked (a clerk's stale tab was told only that
            # pending claims are decided, a clerk's probe).
            then, then_zh = ((f"; an approval is corrected by revoking it (POST /v1/claims/{cid}/revoke), with a reason"
                              " and the document it rests on",
                              f"；更正已批准的奖励请将其撤销（POST /v1/claims/{cid}/revoke），并填写理由和依据文件")
                             if claim.status == "approved" else ("", ""))
            raise errors.InvalidState(f"claim {cid} is already {claim.status}; only a pending claim can be"
                                      f" decided{then}", zh=f"申请 {cid} 已是{status_zh(claim.status)}状态；"
                                                            f"只有待审批的申请可以审批{then_zh}")
        return claim

    def _with_certification(self, catalogue: Catalogue, facts: ClaimFacts,
                            org: Organisation | None = None) -> ClaimFacts:
        """Rule 2 and 13: a claim resting on a certification takes its subject, body and tier from it; a
        recognition claim naming only its body rests on the body's certification."""
        # Rule 1 before any certification's own dates: a claim dated before the term is outside_policy_term, named
        # with it, whether or not it names a certification (a probe's was told not_eligible, a day before the
        # certification's, only when it did).
        require_in_term(catalogue.policy, facts.effective_on, "the claim's effective date")
        self._attempt.named = None  # (certification, subject) where the claim names its certification's subject
        prog = find_programme(catalogue, facts.programme)
        cert_id = facts.certification_id
        if cert_id is None and prog.body_kind and facts.body_id is not None:
            body = self._get(InnovationBody, InnovationBody.create_id(facts.body_id),
                             f"innovation body {facts.body_id!r}")
            _check_recognised_body(catalogue, prog, body, facts.uscc)
            cert_id = self._body_certification(body, prog, facts.effective_on, facts.tier)
        if cert_id is None:
            cert_id = self._held_certification(prog, facts, org)
        if cert_id is None:
            return facts
        cert = self._get(Certification, _uuid(cert_id, "certification"), f"certification {cert_id}")
        if cert.programme != facts.programme:
            raise errors.InvalidInput(f"certification {cert_id} is under {cert.programme}, not {facts.programme};"
                                      " claim under the certification's own programme",
                                      zh=f"认定 {cert_id} 属于 {cert.programme}，不是 {facts.programme}；"
                                         f"请按该认定所属的政策条目 {cert.programme} 申请")
        if cert.uscc != facts.uscc:
            raise errors.NotEligible(f"certification {cert_id} was recorded for {cert.uscc}, not {facts.uscc}: a"
                                     " certification's award is paid to the unit it was recorded for",
                                     zh=f"认定 {cert_id} 记录在 {cert.uscc} 名下，不是 {facts.uscc}；认定的奖励只拨付给"
                                        "认定记录所属的单位，请以该单位申请")
        if cert.revoked:
            raise errors.NotEligible(f"certification {cert_id} was revoked from {cert.revoked_on}; its revocation"
                                     " ended every claim resting on it, and no claim (of any date) may rest on it"
                                     " again", zh=f"认定 {cert_id} 已自 {cert.revoked_on} 起撤销；撤销时已终止依据"
                                                  "它的全部申请，任何日期的申请都不能再依据它")
        if facts.body_id is not None and cert.body_id is not None and facts.body_id != cert.body_id:
            raise errors.InvalidInput(f"certification {cert_id} recognises body {cert.body_id}, not {facts.body_id};"
                                      " leave body_id out",
                                      zh=f"认定 {cert_id} 认定的是创新组织 {cert.body_id}，不是 {facts.body_id}；"
                                         "请不要填写 body_id")
        subject = cert.subject
        if cert.subject is None and prog.needs_subject:
            subject = self._unnamed_subject(catalogue, prog, cert, facts)
        elif facts.subject is not None:
            named = subject_for(facts.subject, catalogue.subject_kinds, None, required=False, programme=prog.code)
            if cert.subject is None or named.key != parse_subject(cert.subject, catalogue.subject_kinds).key:  # type: ignore[union-attr]
                raise errors.InvalidInput(
                    f"certification {cert_id} is for {cert.subject or 'no named subject'}, and a claim resting on it"
                    f" is for the same: leave subject out (you sent {facts.subject!r})",
                    zh=f"认定 {cert_id} " + (f"针对的事项是 {cert.subject}" if cert.subject else "未指明事项")
                       + f"，依据它的申请与之相同：请不要填写 subject（本次填写的是 {facts.subject!r}）",
                    field="subject")
        tier = cert.tier_on(facts.effective_on)
        if cert.tier is not None and tier is None:
            raise errors.NotEligible(f"certification {cert_id} takes effect on {cert.effective_on},"
                                     f" after the claim's effective date {facts.effective_on}",
                                     zh=f"认定 {cert_id} 自 {cert.effective_on} 起生效，晚于申请的生效日期"
                                        f" {facts.effective_on}；请填写不早于 {cert.effective_on} 的生效日期")
        reached = next((t["effective_on"] for t in cert.tiers
                        if t["tier"] == facts.tier and t["effective_on"] > facts.effective_on), None)
        if facts.tier is not None and facts.tier != tier and tier is not None and reached is not None:
            raise errors.NotEligible(
                f"certification {cert_id} stands at {facts.tier!r} from {reached}, after the claim's effective date"
                f" {facts.effective_on}: date the claim on or after {reached}",
                zh=f"认定 {cert_id} 自 {reached} 起为{_tier_name_zh(prog, facts.tier)}（{facts.tier}）等次，晚于申请的"
                   f"生效日期 {facts.effective_on}；请填写不早于 {reached} 的生效日期")
        if facts.tier is not None and facts.tier != tier and tier is not None and _below(prog, facts.tier, tier):
            # Rule 3: "a lower or equal rung after a higher one is already_awarded": the certification has risen
            # past the rung asked for, which the higher rung's award covers (it pays only the difference).
            raise errors.AlreadyAwarded(f"certification {cert_id} stands at {tier!r} on {facts.effective_on}, above"
                                        f" {facts.tier!r} on its ladder: a lower rung after a higher one is not paid"
                                        f" (rule 3); claim {tier!r} (leave tier out), which pays only the difference",
                                        zh=f"认定 {cert_id} 于 {facts.effective_on} 的等次为{tier_zh(prog, tier)}，"
                                           f"高于所申请的{tier_zh(prog, facts.tier)}：晋升到较高等次后不再奖励较低"
                                           f"等次（规则 3）；请申请{tier_zh(prog, tier)}（不要填写 tier），只补足差额")
        if facts.tier is not None and facts.tier != tier:
            raise errors.InvalidInput(f"tier {facts.tier!r} disagrees with certification {cert_id},"
                                      f" which stands at {tier!r} on {facts.effective_on}; leave tier out",
                                      zh=f"等次{tier_zh(prog, facts.tier)}与认定 {cert_id} 不符：该认定于"
                                         f" {facts.effective_on} 的等次为{tier_zh(prog, tier)}；请不要填写 tier")
        return replace(facts, tier=tier, subject=subject, body_id=facts.body_id or cert.body_id,
                       certification_id=cert_id)

    def _unnamed_subject(self, catalogue: Catalogue, prog: Programme, cert: Certification,
                         facts: ClaimFacts) -> str:
        """The subject of a claim resting on a certification recorded without one, under a programme whose awards
        are keyed by their subject (A9's project, A11's standard: a list imported without a `subject` column, or a
        certification recorded without it). The claim names it, and every claim resting on the certification, at
        any of its rungs, names the same: the certification is one prize or standard, so an upgrade's top-up is
        on the ladder of the subject its first rung was paid for (a probe found such a certification refused every
        claim: `missing_field` without a subject, "leave subject out" with one)."""
        wanted, cert_id = prog.subject_kind or "project", str(cert.id)
        if facts.subject is None:
            raise errors.MissingFact(
                f"certification {cert_id} was recorded without the {wanted} it is for, and {prog.code} awards are"
                f' keyed by it: give subject as "{wanted}:…" (the {wanted} the certification is for)',
                zh=f"认定 {cert_id} 记录时未写明所针对的 {wanted}，而{prog.zh}的奖励按奖励事项计算：请填写"
                   f' subject，格式为 "{wanted}:…"（该认定所针对的 {wanted}）', field="subject")
        named = subject_for(facts.subject, catalogue.subject_kinds, prog.subject_kind, required=True,
                            programme=prog.code)
        claimed = self._subject_claimed_on(cert)
        self._attempt.named = (cert, named.text)  # type: ignore[union-attr]  # recorded on it with the claim
        if claimed is not None and not _same_subject(facts.subject, claimed[1], prog):
            raise errors.InvalidInput(
                f"certification {cert_id} was recorded without a subject, and claim {claimed[0]} resting on it is for"
                f" {claimed[1]!r}: every claim on one certification is for the same {wanted}; send subject"
                f" {claimed[1]!r} (you sent {facts.subject!r})",
                zh=f"认定 {cert_id} 记录时未写明事项，依据它的申请 {claimed[0]} 针对的是 {claimed[1]!r}：依据同一认定的"
                   f"申请针对同一 {wanted}；请将 subject 填写为 {claimed[1]!r}（本次填写的是 {facts.subject!r}）",
                field="subject", claim_id=claimed[0])
        return named.text  # type: ignore[union-attr]

    def _subject_claimed_on(self, cert: Certification) -> tuple[str, str] | None:
        """The first claim resting on the certification, at any rung, that still binds the subject it named: (claim
        id, subject). The certification records each (`Certification.name_subject`). A claim withdrawn or rejected
        named it to no effect; one approved, or approved and then revoked (its paid part owed back or kept), made
        the prize that project's (a second regression probe: after a revocation, claims naming another project
        were paid a second prize in full)."""
        for claim_id, subject in getattr(cert, "claimed_subjects", {}).items():
            claim = self._get_or_none(Claim, UUID(claim_id))
            if claim is not None and claim.status in ("proposed", "pending", "approved", "revoked"):
                return claim_id, subject
        return None

    def _held_certification(self, prog: Programme, facts: ClaimFacts, org: Organisation | None) -> str | None:
        """A claim naming no certification, for the tier a certification of the organisation stands at on the
        claim's day (its subject and body agreeing, where the claim names them), rests on that certification: it
        is the fact the claim is for. So it replaces the certification's proposal, is paid once per certification
        (rule 2), and revoking the certification ends it (a probe found such a claim left approved, and paid on,
        after its certification was revoked). None where no single certification fits: the claim stands alone,
        as the contract lets it. Where none in force fits and a revoked one does (at any rung it ever held, on any
        day), the claim rests on that one and is refused for its revocation: leaving certification_id out paid an
        honour the bureau had revoked from its first day (a corrections probe), where naming it is refused."""
        if facts.tier is None or prog.body_kind:
            return None
        if org is None:  # the decision's own copy when it has one, else read once
            org = self._get_or_none(Organisation, Organisation.create_id(facts.uscc))
        found, risen, revoked, later = [], [], [], []
        for cert_id, code in (org.certifications.items() if org is not None else ()):
            if code != prog.code:
                continue
            cert = self._get(Certification, UUID(cert_id), f"certification {cert_id}")
            # A revoked one at any rung it ever held, whatever the day: no claim of any date may rest on it (a
            # regression probe's little giant, dated before the revoked upgrade, stood alone and was paid). One in
            # force that held the rung before the claim's day and has risen since is the fact too: resting on it,
            # the claim is told to claim the rung it stands at (a second regression probe was told instead of a
            # revoked one's revocation).
            held = [t["tier"] for t in cert.tiers if cert.revoked or t["effective_on"] <= facts.effective_on]
            if facts.tier not in held:
                # One in force that reaches the rung only after the claim's day is the fact as well, the claim dated
                # too early: standing alone it replaced the certification's proposal, its revocation missed the
                # claim, and an honour revoked from its first day was paid 1,000,000 (a bureau probe). Resting on
                # it, the claim is told the day to date it from.
                if facts.tier in (t["tier"] for t in cert.tiers) and self._fits(prog, cert, facts):
                    later.append(cert_id)
                continue
            now = cert.revoked or cert.tier_on(facts.effective_on) == facts.tier
            if not self._fits(prog, cert, facts):
                continue
            (revoked if cert.revoked else found if now else risen).append(cert_id)
        for fits in (found, risen, later):
            if len(fits) > 1:
                # Two of the organisation's certifications fit the claim: it stood alone, and revoking either ended
                # nothing (a regression probe's standard, claimed for S1 beside a certification with no subject, was
                # paid 1,000,000 on two revoked from their first day). It names the one it rests on.
                raise errors.InvalidInput(
                    f"{facts.uscc} holds {len(fits)} {prog.code} certifications the claim fits ({', '.join(fits)}):"
                    " name the one it rests on (certification_id)",
                    zh=f"{facts.uscc} 有 {len(fits)} 项{prog.zh}认定与本申请相符（{'、'.join(fits)}）：请以"
                       " certification_id 指明所依据的认定", field="certification_id", certifications=fits)
            if fits:
                return fits[0]
        return revoked[0] if revoked else None

    def _fits(self, prog: Programme, cert: Certification, facts: ClaimFacts) -> bool:
        """Whether the certification's body and subject agree with those the claim names (where it names them)."""
        if facts.body_id is not None and cert.body_id not in (None, facts.body_id):
            return False
        if facts.subject is not None and cert.subject is None and prog.needs_subject:
            claimed = self._subject_claimed_on(cert)  # recorded without one: a claim named it
            if claimed is not None and not _same_subject(facts.subject, claimed[1], prog):
                return False
        if facts.subject is not None and cert.subject is not None:
            try:
                wanted = parse_subject(facts.subject, (cert.subject.partition(":")[0],)).key
            except errors.LedgerError:
                return False
            if wanted != cert.subject.casefold():
                return False
        return True

    def _body_certification(self, body: InnovationBody, prog: Programme, day: date,
                            tier: str | None = None) -> str | None:
        """The body's certification under the programme in force on the day: the one at the claim's `tier`, if
        exactly one unrevoked stands there; else the latest unrevoked; else the latest revoked (which the claim
        is then refused for). A body with two (a second recorded at another tier, or one revoked as recorded in
        error) had its claims rest on whichever was recorded last (a probe)."""
        in_force = []
        for cert_id in reversed(getattr(body, "certifications", {}).get(prog.code, [])):
            cert = self._get(Certification, UUID(cert_id), f"certification {cert_id}")
            if cert.tier_on(day) is not None or cert.tier is None:
                in_force.append((cert_id, cert))
        live = [(cert_id, cert) for cert_id, cert in in_force if not cert.revoked]
        fits = [cert_id for cert_id, cert in live if tier is not None and cert.tier_on(day) == tier]
        if len(fits) == 1:
            return fits[0]
        if live or in_force:
            return (live or in_force)[0][0]
        if prog.tiers:
            raise errors.NotEligible(f"innovation body {body.body_id} has no {prog.code} certification in force on"
                                     f" {day}: the level of a recognition award comes from the body's certification;"
                                     " record it first (POST /v1/certifications with body_id)",
                                     zh=f"创新组织 {body.body_id} 在 {day} 没有有效的{prog.zh}认定；认定奖励的等次"
                                        "取自该组织的认定，请先记录认定（POST /v1/certifications，填写 body_id）")
        return None

    def _rests_on_none_now(self, claim: Claim, org: Organisation | None) -> None:
        """A claim made naming no certification, and resting on none then, is looked at again at its approval
        (rule 12: as the ledger is): a certification recorded since that it would now rest on decides it, as at a
        submission now. One revoked, or reaching the claim's tier only after its day, refuses the approval (the
        claim stays pending); one in force leaves it standing alone, as it was made. A regression probe had a hidden
        champion claimed first, its certification recorded and revoked from its first day, then approved and paid
        1,000,000; and a claim dated before a certification recorded later, approved the same."""
        facts = ClaimFacts(claim.uscc, claim.programme, claim.award_year, claim.effective_on, claim.tier, claim.rank,
                           claim.subject, claim.body_id, claim.basis_amount, claim.requested_amount, None)
        try:
            self._with_certification(self.catalogue_on(claim.effective_on), facts, org)
        except errors.InvalidInput as err:
            # Two recorded since that it fits: it stands alone (an approval names no certification, and a probe's
            # claim could then never be approved); revoking either ends it (`_alone_on`).
            if err.context.get("field") != "certification_id":
                raise
        self._attempt.named = None  # a subject named on a certification is a submission's to record, not this

    def _award_stands(self, top_up: Claim) -> None:
        """A top-up is approved only while the award it completes stands (approved, not revoked)."""
        award = self._get(Claim, _uuid(top_up.tops_up, "claim"), f"claim {top_up.tops_up}")
        if award.status != "approved":
            raise errors.InvalidState(f"claim {top_up.id} tops up claim {award.id}, which is {award.status}: there"
                                      " is no award left to top up; withdraw this claim",
                                      zh=f"申请 {top_up.id} 补足的申请 {award.id} 已是{status_zh(award.status)}状态："
                                         "已无奖励可补足；请撤回本申请")
        family, held = self._topping(award, [self._get(Claim, _uuid(t, "claim"), f"claim {t}")
                                              for t in award.top_ups if t != str(top_up.id)])
        if [str(c.id) for c in family] != list(top_up.topping) or held != top_up.topped_amount:
            # What the award's earlier top-ups hold moved since this one was made (a revoked one's paid part
            # repaid, say): its figure rests on what they held then, so it is made again (a regression probe's
            # approval stayed at the old figure and left the rung 100,000 short).
            raise errors.Conflict(f"claim {top_up.id} was made when claim {award.id} and its top-ups held"
                                  f" {yuan(top_up.topped_amount or Decimal('0.00'))}; they hold {yuan(held)} now"
                                  " (an earlier top-up revoked, repaid or written off since): withdraw this top-up"
                                  f" and top up again (POST /v1/claims/{award.id}/top-up) for what is short now",
                                  zh=f"申请 {top_up.id} 提出时，申请 {award.id} 及其补足申请合计为"
                                     f" {yuan(top_up.topped_amount or Decimal('0.00'))} 元，现为 {yuan(held)} 元"
                                     "（此后有补足申请被撤销、还款或核销）：请撤回本补足申请，再对原奖励重新补足"
                                     f"（POST /v1/claims/{award.id}/top-up）", earlier_claim=str(award.id))

    def _plan_again(self, claim: Claim, org: Organisation | None = None) -> Any:
        """The rules' plan for a recorded claim's facts, on the ledger as it is (its organisation's facts now; `org`:
        the deciding command's copy of it, where it has one)."""
        facts = ClaimFacts(claim.uscc, claim.programme, claim.award_year, claim.effective_on, claim.tier, claim.rank,
                           claim.subject, claim.body_id, claim.basis_amount, claim.requested_amount,
                           claim.certification_id, claim.tops_up, tuple(claim.topping), claim.topped_amount)
        return prepare(self.catalogue_on(claim.effective_on), facts,
                       (org or self._organisation(claim.uscc)).facts(claim.effective_on))

    def _reassess(self, claim: Claim, by: Principal, org: Organisation | None = None) -> list[AwardAccount]:
        """Rule 12: run the rules again on the ledger as it is; record a re-assessment if the figure moved.

        Returns every account the claim now draws on (and any it left, released), for the decision to save."""
        plan = self._plan_again(claim, org)
        keys = [k.text for k in plan.keys]
        accounts = {k: self._account(k) for k in dict.fromkeys([*keys, *claim.accounts])}
        entitlement = entitle(plan, {k: a.state() for k, a in accounts.items()}, claim_id=str(claim.id),
                              approving=True)
        cid = str(claim.id)
        moved = (entitlement.amount != claim.entitled_amount or list(entitlement.accounts) != list(claim.accounts))
        if not moved:
            return list(accounts.values())
        previous = list(claim.accounts)
        claim.reassess(claim.entitled_amount, entitlement.amount, entitlement.gross, entitlement.explanation(),
                       list(entitlement.accounts), previous, entitlement.policy_version, by.name)
        for k, account in accounts.items():
            held = cid in account.entries and account.entries[cid]["status"] == "pending"
            if k not in keys:
                if held:
                    account.release(cid, by.name)
            elif held:
                account.revise(cid, entitlement.amount, entitlement.standing, by.name)
            else:
                account.reserve(cid, claim.programme, entitlement.amount, entitlement.standing, entitlement.tier,
                                by.name, claim.uscc)
        return list(accounts.values())

    def _outranked(self, approved: Claim, accounts: list[AwardAccount], by: Principal) -> list[Aggregate]:
        """The organisation's other pending claims on a ladder or subject this approval awarded on, which now
        come to nothing (a lower rung after the higher one was awarded, rule 3; a lower standing on the subject,
        rule 4): re-assessed to nothing now, an event of their own (rule 12), so that what they reserved on caps
        is freed for others and the totals stop counting what can no longer be paid. They stay pending for the
        bureau to reject or withdraw; their approval would be refused with the same code. A claim that still
        comes to something is left to its own approval's re-assessment."""
        cid = str(approved.id)
        loaded = {a.key: a for a in accounts}
        others = dict.fromkeys(other for a in accounts if a.key.startswith(("ladder:", "subject:"))
                               for other, entry in a.entries.items() if other != cid and entry["status"] == "pending")
        touched: list[Aggregate] = []
        for other in others:
            claim = self._get_or_none(Claim, UUID(other))
            if claim is not None and claim.status == "pending" and claim.entitled_amount > 0:
                touched += self._reassessed_to_nothing(claim, loaded, by)
        return touched

    def _outranked_proposals(self, approved: Claim, accounts: list[AwardAccount], by: Principal,
                             load: Callable[[str], Organisation | None] | None = None) -> list[Aggregate]:
        """The open proposals that draw on an account this approval changed (its ladder, its subject, a cap it used),
        decided again on the accounts as it left them: one left nothing to pay (a lower rung's proposal, certified
        apart, after the higher rung's award was approved: confirming it is refused `already_awarded`; another unit's
        standard once the body's cap for the year is used up: `cap_exceeded`) is closed as withdrawn, naming the
        approved claim (`Outranked`), rather than left in the bureau's queue and its open total at a figure no one
        can be paid; one left less (the little giant's 1,000,000 once the SME honour's 200,000 is approved) is
        re-assessed to what confirming it gives (`Reassessed`, the old and new figures), as the queue shows it. Not a
        decline: a later fact may propose a closed one again. Looked for among the organisation's own proposals and,
        where the approval used a cap per innovation organisation (A11), its member units'; a cap per project or for
        the fund shared with other organisations is checked when a proposal is confirmed."""
        loaded = {a.key: a for a in accounts}
        changed = set(loaded)
        touched: list[Aggregate] = []
        for org in self._proposing(approved.uscc, changed, load or self._organisation_or_none):
            for proposal, now in self._decided_again(org, changed, loaded, skip=str(approved.id)):
                if isinstance(now, errors.AlreadyAwarded | errors.Superseded | errors.CapExceeded):
                    why = ("the cap it would draw on is used up" if isinstance(now, errors.CapExceeded)
                           else "the award it proposed leaves nothing to pay")
                    proposal.outrank_proposal(str(approved.id), f"outranked by claim {approved.id}, approved by"
                                              f" {by.name}: {why}", by.name)
                    org.close_proposal(str(proposal.id), "outranked", by.name)
                    touched += [proposal, org]
                elif not isinstance(now, errors.LedgerError):  # another refusal: confirming it will say so
                    touched += self._reassessed_proposal(proposal, now, by)
        return touched

    def _held_proposals(self, pending: Claim, accounts: list[AwardAccount], org: Organisation, by: Principal
                        ) -> list[Aggregate]:
        """The open proposals that draw on an account a claim going pending (submitted, or a proposal confirmed) now
        reserves on, re-assessed to what confirming them gives with that reservation counted (`Reassessed`, old and
        new): the queue, the open total and /metrics showed what the cap no longer held (a proposals probe). One
        that would come to nothing or be refused is left for its confirmation to say so: the pending claim may still
        be rejected, which re-assesses it back (`_freed_proposals`), and its approval closes it
        (`_outranked_proposals`). Looked for where `_outranked_proposals` looks: the organisation's own and, for a
        cap per innovation organisation (A11), its member units'. An organisation with no open proposal costs
        nothing here."""
        loaded = {a.key: a for a in accounts}
        changed = set(loaded)
        touched: list[Aggregate] = []
        for other in self._proposing(pending.uscc, changed, lambda u: org if u == org.uscc
                                     else self._organisation_or_none(u)):
            for proposal, now in self._decided_again(other, changed, loaded, skip=str(pending.id), confirming=True):
                if not isinstance(now, errors.LedgerError) and now.amount > 0:
                    touched += self._reassessed_proposal(proposal, now, by)
        return touched

    def _decided_again(self, org: Organisation, changed: set[str], loaded: dict[str, AwardAccount],
                       skip: str | None = None, confirming: bool = False) -> Iterator[tuple[Claim, Any]]:
        """Each open proposal of `org` that draws on one of the `changed` accounts, decided again on them as the
        deciding command leaves them (unsaved): (the proposal, its entitlement now, or the refusal confirming it
        would meet). Decided as an approval re-assesses it, or, `confirming`, as its confirmation would decide it
        now (a pending claim on its ladder counts, rule 3's deduction of what was awarded being the approval's)."""
        for pid in list(org.proposals):
            proposal = self._get_or_none(Claim, UUID(pid)) if pid != skip else None
            if proposal is None or proposal.status != "proposed":
                continue
            try:
                plan = self._plan_again(proposal, org)  # the deciding command's copy, read once
                if not changed.intersection(k.text for k in plan.keys):
                    continue
                states = self._states(plan, loaded)
                yield proposal, (entitle(plan, states) if confirming else
                                 entitle(plan, states, claim_id=pid, approving=True))
            except errors.LedgerError as refusal:
                yield proposal, refusal

    def _reassessed_proposal(self, proposal: Claim, now: Any, by: Principal) -> list[Aggregate]:
        """The proposal at the figure confirming it gives now (`Reassessed`, old and new), where that moved."""
        if now.amount == proposal.entitled_amount:
            return []
        proposal.reassess(proposal.entitled_amount, now.amount, now.gross, now.explanation(), list(now.accounts),
                          list(proposal.accounts), now.policy_version, by.name)
        return [proposal]

    def _proposing(self, uscc: str, keys: Iterable[str], load: Callable[[str], Organisation | None]
                   ) -> list[Organisation]:
        """The organisations whose proposals a decision on `uscc`'s claim changing the accounts `keys` may move: its
        own, and the member units of each innovation body whose per-organisation cap (A11) is among them; those with
        an open proposal or a certification that may propose one. `load`: how the deciding command loads an
        organisation (one it already changed is the one to change again)."""
        usccs = [uscc]
        bodies = [read_cap_key(k).body_id for k in keys if k.startswith("cap:")]
        for body_id in dict.fromkeys(b for b in bodies if b):
            body = self._get_or_none(InnovationBody, InnovationBody.create_id(body_id))
            usccs += list(body.members) if body is not None else []
        found = (load(u) for u in dict.fromkeys(usccs))
        return [org for org in found if org is not None and (org.proposals or org.certifications)]

    def _organisation_or_none(self, uscc: str) -> Organisation | None:
        return self._get_or_none(Organisation, Organisation.create_id(uscc))

    def _freed_proposals(self, ended: list[Claim], accounts: dict[str, AwardAccount], by: Principal,
                         load: Callable[[str], Organisation | None] | None = None,
                         known: dict[UUID, Aggregate] | None = None, because: str | None = None,
                         reassess: bool = True) -> list[Aggregate]:
        """What ended claims (rejected, withdrawn, revoked) held on caps, ladders and subjects is offered again, as
        `_outranked_proposals` takes it away: an open proposal drawing on a freed account is re-assessed to what
        confirming it gives now (up from the figure a cap or a ladder had cut it to: `Reassessed`, old and new), and a
        proposal an approval closed as outranked is proposed again where the freed accounts now give it something (a
        new proposal, "proposed because the revocation of claim X was recorded..."), so 免申即享 follows a correction
        as it follows a fact. `accounts`: those the ending changed, unsaved, read as it left them; `load` and `known`:
        the organisations and other aggregates the deciding command holds (a certification it is revoking); `because`:
        the fact a new proposal names (the claim's ending, by default; a repayment on a revoked award frees too);
        `reassess`: False where the deciding command has decided the open proposals already (an approval)."""
        freed = {k for claim in ended for k in claim.accounts if k in accounts}
        if not freed:
            return []
        loaded = dict(accounts)
        made: list[Aggregate] = []
        load = load or self._organisation_or_none
        seen: set[str] = set()
        for claim in ended:
            for org in self._proposing(claim.uscc, freed, load):
                if org.uscc in seen:
                    continue
                seen.add(org.uscc)
                for proposal, now in (self._decided_again(org, freed, loaded) if reassess else ()):
                    if not isinstance(now, errors.LedgerError):  # refused: confirming it will say why
                        made += self._reassessed_proposal(proposal, now, by)
                made += self._proposed_again(org, claim, freed, loaded, by, known or {}, because)
        return made

    def _proposed_again(self, org: Organisation, ended: Claim, freed: set[str], loaded: dict[str, AwardAccount],
                        by: Principal, known: dict[UUID, Aggregate], because: str | None = None) -> list[Aggregate]:
        """The organisation's certifications of fixed-amount awards that now open a claim on what was freed: one an
        approval had closed as outranked, or one recorded while a cap was full (it proposed nothing then). What
        `_propose` declines to offer twice (an open proposal, one the bureau dismissed, a fact a claim was made
        for) it declines here too."""
        made: list[Aggregate] = []
        ending = {"revoked": "revocation", "rejected": "rejection"}.get(ended.status, "withdrawal")
        fact = because or f"the {ending} of claim"
        for cert_id in list(org.certifications):
            cert = known.get(UUID(cert_id)) or self._get_or_none(Certification, UUID(cert_id))
            if not isinstance(cert, Certification) or cert.revoked:
                continue
            when = max(t["effective_on"] for t in cert.tiers)
            again = self._propose(org, cert, when, by, fact, str(ended.id), loaded, freed)
            if again:
                made += [*again, org]
        return made

    def _states(self, plan: Any, loaded: dict[str, AwardAccount]) -> dict[str, Any]:
        """The states of a plan's accounts, those this decision already loaded (and changed) read as they are."""
        for k in plan.keys:
            if k.text not in loaded:
                loaded[k.text] = self._account(k.text)
        return {k.text: loaded[k.text].state() for k in plan.keys}

    def _reassessed_to_nothing(self, claim: Claim, loaded: dict[str, AwardAccount], by: Principal
                               ) -> list[Aggregate]:
        """`claim` re-assessed as its approval would be, recorded only if it comes to nothing by a ladder or a
        subject (the accounts already loaded by this decision are the ones read and changed)."""
        plan = None
        try:
            plan = self._plan_again(claim)
            keys = [k.text for k in plan.keys]
            for k in dict.fromkeys([*keys, *claim.accounts]):
                if k not in loaded:
                    loaded[k] = self._account(k)
            entitle(plan, {k: loaded[k].state() for k in keys}, claim_id=str(claim.id), approving=True)
            return []
        except (errors.AlreadyAwarded, errors.Superseded) as refusal:
            nothing = {"rule": refusal.code, "article": None, "detail": refusal.detail, "amount": "0.00",
                       "detail_zh": refusal.in_language("zh") or refusal.detail}
            worked = getattr(refusal, "steps", None) or (plan.why.steps if plan is not None else ())
            explanation = [*(step.as_dict() for step in worked), nothing]
        except errors.LedgerError:
            return []  # refused for another reason: its approval will say so
        cid = str(claim.id)
        claim.reassess(claim.entitled_amount, Decimal("0.00"), claim.gross_amount, explanation,
                       list(claim.accounts), list(claim.accounts), claim.policy_version, by.name)
        held = [loaded[k] for k in claim.accounts if cid in loaded[k].entries
                and loaded[k].entries[cid]["status"] == "pending"]
        for account in held:
            account.revise(cid, Decimal("0.00"), Decimal("0.00"), by.name)
        return [claim, *held]

    def _charge_fund(self, claim: Claim, amount: Decimal, by: Principal) -> FundYear:
        fund = self._get_or_none(FundYear, FundYear.create_id(claim.award_year))
        if fund is None or fund.headroom < amount:
            have = "nothing" if fund is None else f"{yuan(fund.appropriated)} with {yuan(fund.headroom)} left"
            raise errors.FundExhausted(f"the {claim.award_year} special fund has {have}; approving {yuan(amount)}"
                                       " would pass its appropriation. Finance must record a (further)"
                                       f" appropriation for {claim.award_year} first",
                                       zh=f"{claim.award_year} 年度专项资金{_fund_zh(fund)}；批准 {yuan(amount)}"
                                          " 元将超出"
                                          f"已安排金额。请财务先记录 {claim.award_year} 年度的（追加）资金安排")
        fund.charge(str(claim.id), amount, by.name)
        return fund

    def _policy_for_year(self, year: int, *, field: str | None = None):
        for version in self.versions:
            if year in version.policy.years:
                return version.policy
        term = self.versions[-1].policy
        raise errors.OutsidePolicyTerm(f"year {year} does not overlap the policy term {term.term_text}",
                                       zh=f"{year} 年度不在政策期 {term.term_text_zh} 内", term=term.term_text,
                                       years=list(term.years), **({} if field is None else {"field": field}))


def _climbs_on(cert: Certification, prog: Programme, effective_on: date) -> None:
    """An upgrade's day against the certification's own: on or after the day it took effect and the day the rung it
    climbs from did (the upgrade form reads it beside its other fields too: `AwardLedger.upgrade_day_refused`)."""
    if effective_on < cert.effective_on:
        raise errors.InvalidInput(f"the upgrade's effective date {effective_on} is before the certification's"
                                  f" {cert.effective_on}; send a day on or after {cert.effective_on}",
                                  zh=f"晋级的生效日期 {effective_on} 早于该认定的生效日期 {cert.effective_on}；"
                                     f"请填写不早于 {cert.effective_on} 的日期")
    since = cert.tiers[-1]["effective_on"]
    if effective_on < since:  # the rung it climbs from came later: its history read national, then provincial
        raise errors.InvalidInput(
            f"the upgrade's effective date {effective_on} is before the rung it climbs from ({cert.tier}, in"
            f" force from {since}); an upgrade takes effect on or after it: send a day on or after {since},"
            " or, if the earlier rungs were recorded wrongly, revoke the certification and record it again",
            zh=f"晋级的生效日期 {effective_on} 早于当前等次（{tier_zh(prog, cert.tier)}，自 {since} 起）的"
               f"生效日期；晋级须在其后生效：请填写不早于 {since} 的日期；"
               "如先前等次记录有误，请撤销该认定后重新记录")


def _payable(claim: Claim, claim_id: str, value: Decimal) -> None:
    """Refuse a payout of `value` on `claim` unless it is approved and owes at least that: `record_payout`'s
    check, and the payout form's reading of its claim and amount alone (`AwardLedger.payout_refused`)."""
    if claim.status != "approved":
        raise errors.InvalidState(f"claim {claim_id} is {claim.status}; only approved claims are paid",
                                  zh=f"申请 {claim_id} 状态为{status_zh(claim.status)}；"
                                     "只有已批准的申请才能拨付", field="claim_id")
    if claim.outstanding_amount <= 0:
        # Paid in full: no amount cures it ("pay at most 0.00", the amount marked to fix: a finance probe).
        raise errors.OverApproved(
            f"claim {claim_id} is paid in full ({yuan(claim.paid_amount)} of the approved"
            f" {yuan(claim.approved_amount)}); nothing more is paid on it. If the bank paid it again, record"
            " nothing here and have the money returned; a payout booked on it in error is reversed first;"
            " more money for the award is a top-up the lead bureau records",
            zh=f"申请 {claim_id} 已全额拨付（批准 {yuan(claim.approved_amount)} 元，已拨付"
               f" {yuan(claim.paid_amount)} 元），不能再拨付。如银行重复付款，请勿在此登记，并追回该笔款项；"
               "如有误登记的拨付，请先冲回；如需增加奖补金额，须由牵头部门登记追加",
            field="claim_id")
    if value > claim.outstanding_amount:
        raise errors.OverApproved(
            f"paying {yuan(value)} would exceed the approved {yuan(claim.approved_amount)}"
            f" ({yuan(claim.paid_amount)} already paid, {yuan(claim.outstanding_amount)} outstanding); pay"
            f" at most {yuan(claim.outstanding_amount)}",
            zh=f"拨付 {yuan(value)} 元将超过批准金额 {yuan(claim.approved_amount)} 元（已拨付"
               f" {yuan(claim.paid_amount)} 元，待拨付 {yuan(claim.outstanding_amount)} 元）；本次最多拨付"
               f" {yuan(claim.outstanding_amount)} 元", field="amount")


def _booked_on(fund: FundYear | None, year: int, appropriation_ref: str) -> dict:
    """The appropriation `fund` (the fund of `year`) holds on `appropriation_ref`, or NotFound listing those it
    holds: `correct_appropriation`'s check, and the correction form's reading of its document alone
    (`AwardLedger.appropriation_ref_refused`)."""
    booked = None if fund is None else fund.booked(appropriation_ref)
    if fund is None or booked is None:
        docs = [] if fund is None else [a["document_ref"] for a in fund.appropriations]
        held, held_zh = ("; ".join(docs), "；".join(docs)) if docs else ("none", "无")
        raise errors.NotFound(
            f"{year}'s fund holds no appropriation on document {appropriation_ref} (it holds: {held}); send"
            " the document an appropriation was booked on, as the year's finance page and"
            f" GET /v1/appropriations/{year} list them",
            zh=f"{year} 年专项资金没有按文件 {appropriation_ref} 安排的资金（现有：{held_zh}）；"
               f"请填写已安排资金所依据的文号，可在该年度的财务对账页面或 GET /v1/appropriations/{year} 查看",
            field="appropriation_ref")
    return booked


def _fund_zh(fund: FundYear | None) -> str:
    return "尚未安排" if fund is None else f"已安排 {yuan(fund.appropriated)} 元，余额 {yuan(fund.headroom)} 元"


class _AlreadyImported(Exception):  # control flow inside import_bank_statement, never escapes it
    def __init__(self, view: dict) -> None:
        self.view = view


def _sent_only_what_applies(prog: Programme, tier: str | None, rank: int | None) -> None:
    """A claim's tier or rank under a programme that has none is refused where it is sent (an otherfacts probe: a
    voucher claim with a tier and a rank was taken, the tier dropped and the rank kept). Checked at submission
    only: a claim recorded before keeps what it was recorded with, and replays never refuse it."""
    if tier is not None and not prog.tiers:
        raise errors.UnknownTier(f"{prog.code} has no tiers; leave tier out (you sent {tier!r})",
                                 zh=f"{prog.zh}不分等次；请不要填写 tier（本次填写的是 {tier!r}）", field="tier")
    if rank is not None and not prog.ranked:
        raise errors.InvalidInput(f"{prog.code} does not pay by rank; leave rank out (you sent {rank})",
                                  zh=f"{prog.zh}不按排名奖励；请不要填写 rank（本次填写的是 {rank}）", field="rank")


def _rank_applies(prog: Programme, tier: str | None, rank: int | None) -> bool:
    """Whether a claim's rank counts under its tier, once the tier is known (sent, or the certification's). A rank
    under a tier of a ranked programme that pays no rank (A11's international standards: rule 11 ranks the national
    and industry ones) is not kept: kept, it held a rank slot, and another unit's claim on the same standard was
    refused `conflict` for it (a regression probe). Not refused: a rank sent for every A11 claim alike is easily
    written, and changes nothing the tier pays."""
    found = None if rank is None or prog.rank_shares or tier is None else prog.tier(tier)
    return found is None or found.max_rank is not None


def _certified_tier(prog: Programme, tier: str | None) -> str | None:
    if prog.kind.value == "designation" or not prog.tiers:
        if tier is not None:
            raise errors.UnknownTier(f"{prog.code} has no tiers; leave tier out",
                                     zh=f"{prog.zh}不分等次；请不要填写 tier")
        return None
    if tier is None:
        raise errors.MissingFact(f"{prog.code} certifications need a tier: " + ", ".join(t.code for t in prog.tiers),
                                 zh=f"{prog.zh}的认定须填写等次 tier，为以下之一：" + _tiers_zh(prog))
    if prog.tier(tier) is None:
        if (wide := full_width_tier(prog, tier)) is not None:  # ｐｒｏｖｉｎｃｉａｌ: the code to type
            raise wide
        # A tier written as part of its Chinese name (小巨人 for 专精特新小巨人) is told the code to write for it.
        near = [t for t in prog.tiers if tier in t.name_zh or tier.lower() == t.name_en.lower()]
        hint, hint_zh = (f" (for {near[0].name_zh} write {near[0].code})",
                         f"（“{near[0].name_zh}”请写作 {near[0].code}）") if len(near) == 1 else ("", "")
        raise errors.UnknownTier(f"{prog.code} has no tier {tier!r}{hint}; its tiers are "
                                 + ", ".join(t.code for t in prog.tiers),
                                 zh=f"{prog.zh}没有等次 {tier!r}{hint_zh}；请改为以下之一：" + _tiers_zh(prog))
    return tier


def _tiers_zh(prog: Programme) -> str:
    """A programme's tiers for a Chinese reader: each code with its Chinese name."""
    return "、".join(f"{t.code}（{t.name_zh}）" for t in prog.tiers)


def _tier_name_zh(prog: Programme, tier: str) -> str:
    """A tier's Chinese name (the catalogue's), else its code."""
    found = prog.tier(tier)
    return found.name_zh if found is not None else tier


def _below(prog: Programme, lower: str, higher: str) -> bool:
    """Whether tier `lower` is a rung below `higher` on one of the programme's ladders."""
    ladder = prog.ladder_of(higher)
    return lower in ladder and ladder.index(lower) < ladder.index(higher)


def _same_subject(sent: str, named: str, prog: Programme) -> bool:
    """Whether a subject sent names the one a claim already named (one normalisation, `ledger/rules/subjects.py`);
    a subject that does not parse names nothing."""
    kinds = (prog.subject_kind or "project",)
    try:
        return parse_subject(sent, kinds).key == parse_subject(named, kinds).key
    except errors.LedgerError:
        return False


def _late_overrun(uscc: str, body_id: str, start: date, late: list[Claim], limit: Decimal,
                  used: Decimal) -> errors.Conflict:
    named = ", ".join(f"{c.id} ({c.programme}, {c.award_year}, {c.status})" for c in late[:5])
    named_zh = "，".join(f"{c.id}（{c.programme}，{c.award_year} 年度，{status_zh(c.status)}）" for c in late[:5])
    return errors.Conflict(
        f"{uscc} holds claim(s) from {start.isoformat()} that the cap of body {body_id!r} ({yuan(limit)} per"
        f" innovation organisation per year) would have to count, past what it has left ({yuan(limit - used)}):"
        f" {named}. Withdraw"
        " or reject a pending one, or revoke an approved one (a correction, with its document), then record the"
        " membership; or, if the unit joined later, record the day it joined",
        zh=f"{uscc} 持有 {start.isoformat()} 及以后的申请，{body_id!r} 每个创新组织每年 {yuan(limit)} 元的上限须将其"
           f"计入，将超出其剩余额度（{yuan(limit - used)} 元）：{named_zh}。请先撤回或驳回待审的申请，"
           "或撤销已批准的申请（作为更正，附依据文件），再登记成员；如该单位加入日期更晚，请按实际加入日期登记")


def _reassessed_told(refused: errors.FundExhausted, recorded: Decimal, now: Decimal) -> errors.FundExhausted:
    """A fund refusal of an approval the re-assessment moved (rule 12) names both figures: the figure it names is
    not the one the claim showed, and nothing of the re-assessment is recorded on a refusal (a pages probe read
    "approving 3,000,000.00" on a claim that showed 2,000,000.00)."""
    if recorded == now:
        return refused
    return errors.FundExhausted(
        f"{refused.detail}. The claim was re-assessed at approval (rule 12): {yuan(recorded)} as recorded,"
        f" {yuan(now)} now; an amount within the fund's headroom may be approved with a note",
        zh=f"{refused.zh or refused.detail}。该申请在审批时已重新核定（规则 12）：记录为 {yuan(recorded)} 元，现为"
           f" {yuan(now)} 元；可在专项资金余额内调低批准金额并写明审批意见",
        **refused.context)


def _closing_told(refusal: errors.LedgerError) -> errors.LedgerError:
    """An approval refused because the claim now comes to nothing (a higher rung or a better award was approved),
    saying what closes it: it stays pending, and only the bureau's rejection or withdrawal takes it out of the queue
    (an oracle probe read the refusal and did not know what to do with the claim)."""
    refusal.detail = (f"{refusal.detail.rstrip('.')}. Nothing is owed on this claim now: it stays pending; reject it"
                      " (or withdraw it) to close it")
    if refusal.zh:
        refusal.zh = f"{refusal.zh.rstrip('。')}。此申请现已无应付金额，仍为待审：请驳回（或撤回）以结案"
    return refusal


def _loaded_once(load: Callable[[str], Organisation | None]) -> Callable[[str], Organisation | None]:
    """`load`, each organisation loaded once: a decision changing it in two places changes one copy."""
    seen: dict[str, Organisation | None] = {}

    def once(uscc: str) -> Organisation | None:
        if uscc not in seen:
            seen[uscc] = load(uscc)
        return seen[uscc]

    return once


def _check_recognised_body(catalogue: Catalogue, prog: Programme, body: InnovationBody, uscc: str) -> None:
    """Rule 13: an Art. 3 recognition is of a body of the programme's kind, recorded for its lead unit."""
    want_zh, want_en = catalogue.body_kinds.get(prog.body_kind, ("", prog.body_kind))  # type: ignore[arg-type]
    if body.kind != prog.body_kind:
        have_zh, have_en = catalogue.body_kinds.get(body.kind, ("", body.kind))
        raise errors.NotEligible(f"innovation body {body.body_id} is {a_or_an(have_en)} ({have_zh}), not"
                                 f" {a_or_an(want_en)} ({want_zh}); {prog.code} recognises {want_en}s only",
                                 zh=f"创新组织 {body.body_id} 是{have_zh or have_en}，不是{want_zh or want_en}；"
                                    f"{prog.zh}只认定{want_zh or want_en}", field="body_id")
    if body.lead_uscc != uscc:
        raise errors.NotEligible(f"innovation body {body.body_id} ({want_en}, {want_zh}) is led by {body.lead_uscc},"
                                 f" not {uscc}: its {prog.code} recognition is recorded for, and paid to, its lead"
                                 " unit only, once per body",
                                 zh=f"创新组织 {body.body_id}（{want_zh or want_en}）的牵头单位是 {body.lead_uscc}，"
                                    f"不是 {uscc}；其{prog.zh}认定只记录在牵头单位名下并拨付给牵头单位，"
                                    "每个组织一次，请以牵头单位记录", field="uscc")



def _certified_once_recognised(catalogue: Catalogue, prog: Programme, body: InnovationBody, effective_on: date) -> None:
    """Rule 13: a body's Art. 3 certification (its level) is dated on or after the body's recognition; one dated
    before it recorded a level the body could not yet hold (a rules probe's, a year before the alliance was
    recognised, was kept). Checked after the policy term (rule 1), which names a date before the term first."""
    if effective_on >= body.recognised_on:
        return
    kind_zh, kind_en = catalogue.body_kinds.get(prog.body_kind, ("", prog.body_kind))  # type: ignore[arg-type]
    raise errors.NotEligible(
        f"innovation body {body.body_id} ({kind_en}) is recognised from {body.recognised_on.isoformat()}, after"
        f" this certification's effective date {effective_on.isoformat()}: a certification under {prog.code} is"
        " dated on or after the body's recognition; check the date on the certificate against the body's"
        " recognition document",
        zh=f"创新组织 {body.body_id}（{kind_zh or kind_en}）自 {body.recognised_on.isoformat()} 起认定，晚于本次"
           f"认定的生效日期 {effective_on.isoformat()}：对{kind_zh or kind_en}的认定记录（{prog.code}）不得早于"
           "该组织本身的认定日期；请对照该组织的认定文件，核对本次认定文件上的日期", field="effective_on")


__all__ = ["AwardLedger", "Outcome"]

"""Every recorded claim's facts run again, in recorded order, through the one rules pipeline (ledger/rules).

The replay keeps its own account tallies in memory, built only from the claims it replays, and decides each
claim as it was decided (approved ones approved, rejected, withdrawn or revoked ones released), so a claim is
judged against what the rules give the claims before it, not against the booked figures. An approved claim
is approved at most at its new entitlement (`recheck`), or, with `approved_share`, at the share of its
entitlement that was approved then (the sandbox: a bureau that approved 80 % of an award approves 80 % of the
draft's). `award-ledger recheck` uses it with the catalogue in force; the policy sandbox runs two side by side
over one stream. It reads the log once, page by page, and never writes to the store.
"""
from __future__ import annotations

import copy
import marshal
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any
from uuid import UUID

from ledger.catalogue.model import Catalogue
from ledger.domain.errors import LedgerError
from ledger.replay_fold import FOLDED, RELEASED, Folded, by_day, wanted, wanted_topics
from ledger.rules import AccountState, Entitlement, Entry, entitle, prepare
from ledger.rules.accounts import LEGACY_KEEPS_PAID, keeps_paid
from ledger.spill import HOT, PICKLED, Codec, ColdStore, Spilled

__all__ = ["FOLDED", "RELEASED", "Replay", "Replayed", "SharedAccount", "stored_events", "wanted", "wanted_topics"]
ZERO = Decimal("0.00")
OUTRANKED = ("already_awarded", "superseded")  # what an approval re-assesses another pending claim to nothing by
DEDUCTS_AWARDED = ("ladder:", "subject:")  # at approval these deduct only what others were awarded (rule 3)


@dataclass(slots=True)
class Replayed:
    """One claim as booked, and as the rules give it now."""

    claim_id: str
    uscc: str
    programme: str
    award_year: int
    status: str
    booked: Decimal                # approved amount if approved, else the entitlement booked
    booked_explanation: list[dict]
    now: Decimal                   # what the rules give it now (0.00 when they refuse it)
    # How the rules came to it: the steps as dicts, or the Entitlement that lists them when asked (most rows of
    # a simulation are summed, never explained, so the dicts are made only for the ones shown).
    why: list[dict] | Entitlement | None = None
    refusal: str | None = None     # the code the rules now refuse it with, if they do
    lead: str = ""                 # the lead bureau the claim was booked under

    @property
    def now_explanation(self) -> list[dict]:
        return self.why.explanation() if isinstance(self.why, Entitlement) else list(self.why or ())

    @property
    def differs(self) -> bool:
        return self.booked != self.now

    @property
    def comes_to(self) -> Decimal:
        """What the claim is worth to its organisation: approved or pending, its amount; released, nothing; a
        revocation after approval, its amount taken back; a repayment on a revoked award, the money come back."""
        return self.now if self.status in ("approved", "pending", "revocation", "repayment", "reversal") else ZERO

    def as_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "uscc": self.uscc, "programme": self.programme,
                "award_year": self.award_year, "status": self.status, "booked": str(self.booked),
                "now": str(self.now), "difference": str(self.now - self.booked), "refusal": self.refusal,
                "booked_explanation": self.booked_explanation, "now_explanation": self.now_explanation}


class Replay:
    """Folds a stream of domain events; yields a `Replayed` for each claim once it is decided or the log ends."""

    def __init__(self, catalogue_on: Callable[[date], Catalogue], *, approved_share: bool = False,
                 folded: Folded | None = None, compact: bool = False, cold: ColdStore | None = None,
                 hot: int = HOT, alone: bool = False) -> None:
        self.catalogue_on = by_day(catalogue_on)
        self.approved_share = approved_share
        # Alone: this replay sees only some organisations' claims (ledger/sandbox/shards.py), which is exact only
        # while each claim draws on accounts of its own organisation alone; the first that does not raises
        # `SharedAccount` (the caller then replays the whole log together).
        self.alone = alone
        # Compact: a claim released without approval leaves its accounts (no rule reads an entry that is not
        # live: caps sum the live ones, ladders, once-only slots, ranks and supersession look at live ones only),
        # and an account left with no entry is dropped, so the tallies hold only what the rules can still read.
        self.compact = compact
        self.plan: tuple[str, Any] | None = None  # the last claim's Plan, for a twin replay (ledger/sandbox/twin.py)
        self.held: tuple[str, dict[str, Entry]] = ("", {})  # the last revoked claim's entries, likewise
        self.revoking: tuple[UUID | None, Any] = (None, None)  # the last revoked claim's approval, likewise
        # Two replays side by side share one fold of the organisations (the sandbox): facts do not depend on
        # the catalogue, only the sums do. Whoever shares it folds each event into it once.
        self.folded = Folded(cold, hot) if folded is None else folded
        # What grows with the organisations and their claims goes into a `Spilled` mapping when a cold store is
        # given: the most recently written `hot` entries in memory, the rest in a temporary file (flat memory).
        self.cold, self.hot = cold, hot
        # Each account's tally as the rules read it, replaced (never rebuilt) when one of its entries moves.
        self.accounts: MutableMapping[str, AccountState] = self.mapping(ACCOUNTS)
        # The claims submitted and not yet decided (the work queue's size, not the log's): in memory.
        self.claims: dict[str, tuple[Replayed, list[str], Entry | None]] = {}  # id -> (row, accounts, entry)
        # For a revocation after approval (rare): the year to correct, the amount the books approved and the
        # accounts the claim's entry is on (so the revocation reads those, not every account).
        self.approved_years: MutableMapping[UUID, tuple[int, Decimal, tuple[str, ...]]] = self.mapping(APPROVALS)
        # A revoked award that still counts its paid part (rarer still): what it counts at most under this
        # replay's catalogue, on which accounts, and its standing there before it kept only its paid part; kept
        # when repayments bring it down to nothing, as a repayment reversed puts it back.
        self.kept: MutableMapping[str, tuple[Decimal, tuple[str, ...], Decimal]] = self.mapping()
        # A revoked award's paid part, as its revocation row left it in the totals: (uscc, programme, award year,
        # the most it counts under this replay's catalogue, what it counts now), until repaid in full.
        self.charged: dict[str, tuple[str, str, int, Decimal, Decimal]] = {}
        # An approved award on no account (a programme paid as required: A3.mic, A4.matching, A12.talent), for its
        # revocation to take back: (uscc, programme, what this replay awarded it).
        self.unheld: MutableMapping[str, tuple[str, str, Decimal]] = self.mapping()
        self.proposals: dict[str, Any] = {}  # open proposals' facts, for when one is confirmed (issue 19)
        # The pending claims' submissions, for the rules' second run at approval (rule 12), and the last such run's
        # answer (claim id, row's figures, accounts, entry) for a twin replay, as `plan` is.
        self.submitted: dict[str, tuple[Any, tuple, int | None]] = {}
        self.reassessed: tuple[str, Any, list[str], Entry | None] = ("", None, [], None)

    def mapping(self, codec: Codec = PICKLED) -> MutableMapping:
        """A new mapping for state that grows with the log: spilled past `hot` entries if there is a cold store
        (its values written with `codec`)."""
        return Spilled(self.cold, self.hot, codec) if self.cold is not None else {}

    def run(self, events: Iterable[Any]) -> Iterator[Replayed]:
        for event in events:
            self.folded.fold(event)
            yield from self.claim(event)
        yield from self.finish()

    def fold(self, event: Any) -> None:
        """Keep the organisations and fund years the rules read up to date."""
        self.folded.fold(event)

    def claim(self, event: Any) -> Iterator[Replayed]:
        """The rows a claim event decides; any other event, or a claim event this replay does not know, none."""
        kind, name = self.folded.kind(event)
        if kind == "Claim" and (row := self.decide(str(event.originator_id), name, event)) is not None:
            yield row

    def decide(self, cid: str, name: str, event: Any) -> Replayed | None:
        """The row claim event `name` of claim `cid` decides, if it decides one."""
        if name == "Submitted":
            self._submitted(cid, event)
        elif name == "Proposed":  # a proposal reserves nothing: it is replayed only once confirmed
            self.proposals[cid] = event
        elif name == "Confirmed" and cid in self.proposals:
            self._submitted(cid, _Confirmed(self.proposals.pop(cid), event))
        elif name == "Reassessed" and cid in self.claims:
            self.claims[cid][0].booked = event.entitled_amount
            self.claims[cid][0].booked_explanation = event.explanation
            if not event.entitled_amount and cid in self.submitted:
                self._outranked(cid)
        elif (name == "Approved" or name in RELEASED) and cid in self.claims:
            return self._decided(cid, name, event)
        elif name == "Revoked" and (approval := self._approval(event.originator_id)) is not None:
            return self._revoked(cid, event, approval)
        elif name in ("RepaymentRecorded", "RepaymentReversed"):  # either way, kept_amount says what it keeps now
            return self._repaid(cid, event)
        elif name == "PayoutReversed" and getattr(event, "kept_amount", None) is not None:
            # a payout of a revoked award reversed: it keeps less, as after a repayment (a standing award's
            # reversal carries no kept_amount and moves nothing the rules read)
            return self._repaid(cid, event, "a payout of the revoked award reversed: it was paid, and owes, less",
                                "reversal")
        return None

    def _approval(self, claim_id: UUID) -> tuple[int, Decimal, tuple[str, ...]] | None:
        """What a revocation takes back, once: the approved claim's award year, approved amount and accounts."""
        approval = self.approved_years.pop(claim_id, None)
        self.revoking = (claim_id, approval)
        return approval

    def _approved(self, claim_id: UUID, year: int, amount: Decimal, keys: list[str]) -> None:
        self.approved_years[claim_id] = (year, amount, tuple(keys))

    def finish(self) -> Iterator[Replayed]:
        """The claims still pending when the log ends, as they stand."""
        for row, _, _ in self.claims.values():
            yield row
        self.claims, self.submitted = {}, {}

    def _decided(self, cid: str, name: str, event: Any) -> Replayed:
        row, keys, entry = self.claims.pop(cid)
        submission = self.submitted.pop(cid, None)
        if name == "Approved":
            if submission is not None and self._moved(cid, submission, keys, entry):
                keys, entry = self._reassess(cid, submission[0], row, keys, entry)
            elif submission is not None:  # unmoved: the second run's answer is the first's, for a twin to take
                self.reassessed = (cid, (row.now, row.why, row.refusal), list(keys), entry)
            entitled_then = row.booked
            row.status, row.booked = "approved", event.amount
            if self.approved_share and entitled_then > 0:
                # Multiply before dividing: the catalogue in force then gives back the approved amount exactly.
                row.now = min(row.now, (row.now * event.amount / entitled_then).quantize(ZERO, ROUND_DOWN))
            else:
                row.now = min(row.now, event.amount)  # never above what the rules give now
            self._approved(event.originator_id, row.award_year, event.amount, keys)
            if not keys:
                self.unheld[cid] = (row.uscc, row.programme, row.now)
        else:
            row.status = RELEASED[name]
        if entry is not None:
            status = "approved" if row.status == "approved" and row.now > 0 else "rejected"
            # Kept even compacted when approved (at nothing): a revocation reads the entry it takes back.
            self._settle(keys, entry, entry.settled(status, row.now),
                         drop=self.compact and row.status != "approved")
        return row

    def _revoked(self, cid: str, event: Any, approval: tuple[int, Decimal, tuple[str, ...]]) -> Replayed:
        """An approval taken back: its entries are released, and a row takes back out of the totals the share the
        books released: the unpaid part (what was paid stays charged to its fund year and becomes a recovery)."""
        year, approved, keys = approval
        released = getattr(event, "released_amount", None)
        paid = getattr(event, "kept_amount", None)  # what was paid: money that left, whatever the catalogue
        held = self._held(cid, keys)
        self.held = (cid, held)
        first = next(iter(held.values()), None)
        alone = self.unheld.pop(cid, None)  # an award on no account: what it was awarded, all the same
        if first is not None:
            uscc, programme, awarded = first.uscc or "", first.programme, first.amount
        else:
            uscc, programme, awarded = alone or ("", "", ZERO)
        # What the award keeps: what was paid, never more than the catalogue replayed would have awarded. It
        # counts on the caps and ladders that keep paid parts, and the row takes back the rest; a draft paying
        # another amount keeps the same money (it was a payout, not a rate), so the caps and the totals agree.
        kept = min(paid or ZERO, awarded)
        if first is not None:
            families = getattr(event, "kept_on", None) or LEGACY_KEEPS_PAID  # as the books kept it then
            counting = [k for k in held if kept > 0 and keeps_paid(k, families)]
            if counting:
                self.kept[cid] = (first.amount, tuple(counting), first.gross)
                self._settle(counting, first, Entry(cid, first.programme, "approved", kept, min(first.gross, kept),
                                                    first.tier, first.uscc, True))
            self._settle([k for k in held if k not in counting], first, first.settled("revoked", ZERO),
                         drop=self.compact)
        amount = awarded
        if paid is not None:
            amount -= kept
            # Whenever the books say what was paid, so that both replays of a simulation answer its repayments
            # in step (ledger/sandbox/simulation.py pairs their rows).
            self.charged[cid] = (uscc, programme, year, awarded, kept)
        elif released is not None and approved > 0:  # a revocation recorded before kept_amount was: its share
            amount = (amount * released / approved).quantize(ZERO, ROUND_DOWN)
        return Replayed(cid, uscc, programme, year, "revocation", -amount, [], -amount,
                        [{"rule": "revoked", "detail": "the approval was revoked: its amount is taken back"}])

    def _repaid(self, cid: str, event: Any, detail: str = "money repaid on the revoked award is taken back",
                status: str = "repayment") -> Replayed | None:
        """Money repaid on a revoked award stops counting where it was awarded, as the books take it off
        (ledger/usecases/recoveries.py `_unkept`): the award keeps what the books still keep, never more than this
        replay's catalogue awarded it, and nothing once repaid in full. The totals follow: a row takes the repaid
        part back out of what the revocation left charged (money written off stays: it has left for good)."""
        self._unkept(cid, event)
        charged = self.charged.get(cid)
        if charged is None:
            return None
        uscc, programme, year, most, before = charged
        now = min(event.kept_amount, most)
        taken = before - now  # a repayment reversed takes a negative amount back: the money counts again
        self.charged[cid] = (uscc, programme, year, most, now)
        return Replayed(cid, uscc, programme, year, status, -taken, [], -taken,
                        [{"rule": "repaid", "detail": detail}])

    def _unkept(self, cid: str, event: Any) -> None:
        found = self.kept.get(cid)
        held = self._held(cid, found[1]) if found is not None else {}
        self.held = (cid, held)  # for a twin replay, as a revocation's
        first = next(iter(held.values()), None)
        if found is None or first is None:
            return
        kept = min(event.kept_amount, found[0])
        standing = found[2] if len(found) > 2 else first.gross
        if kept > 0:
            self._settle(list(held), first, Entry(cid, first.programme, "approved", kept, min(standing, kept),
                                                  first.tier, first.uscc, True))
        else:  # kept, at nothing, for a reversal to put back (never dropped)
            self._settle(list(held), first, first.settled("revoked", ZERO))

    def _outranked(self, cid: str) -> None:
        """A pending claim the ledger re-assessed to nothing (a Reassessed event to 0.00 is only ever that: an
        approval it comes after outranked it on a ladder or subject, AwardLedger._outranked): the rules again, as
        the ledger ran them, and if under this replay's catalogue they give it nothing by a ladder or a subject,
        its reservations go to nothing too, so they stop holding the caps others draw on."""
        row, keys, entry = self.claims[cid]
        if entry is None or entry.amount <= 0:
            return
        scratch = copy.copy(row)
        _, again = self._assess(cid, self.submitted[cid][0], scratch, approving=True)
        if again is not None or scratch.refusal not in OUTRANKED:
            return
        self._to_nothing(cid, row, keys, entry, scratch)

    def _to_nothing(self, cid: str, row: Replayed, keys: list[str], entry: Entry, scratch: Replayed) -> None:
        nothing = Entry(cid, entry.programme, entry.status, ZERO, ZERO, entry.tier, entry.uscc)
        self._settle(list(self._held(cid, keys)), entry, nothing)
        row.now, row.why, row.refusal = ZERO, scratch.why, scratch.refusal
        self.claims[cid] = (row, keys, nothing)

    def _submitted(self, cid: str, e: Any) -> None:
        row = Replayed(cid, e.uscc, e.programme, e.award_year, "pending", e.entitled_amount, e.explanation, ZERO,
                       lead=getattr(e, "lead", ""))
        keys, entry = self._assess(cid, e, row)
        if entry is not None:
            self._reserve(cid, keys, entry)
        self.claims[cid] = (row, keys, entry)
        # What the claim read, as it stands once it has reserved: unmoved at its approval, the rules' second run
        # would give what the first gave (`_moved`), and is spared.
        self.submitted[cid] = (e, self._states(keys), self.folded.version(e.uscc))

    def _reassess(self, cid: str, e: Any, row: Replayed, keys: list[str], entry: Entry | None
                  ) -> tuple[list[str], Entry | None]:
        """Rule 12, as the ledger's approval runs it: the rules again on the tallies as they are now, a ladder or a
        subject deducting only what other claims were awarded. The claim's entry follows the new figure (moved
        to the accounts it now draws on); the accounts and entry it holds after come back."""
        new_keys, new_entry = self._assess(cid, e, row, approving=True)
        if new_entry != entry or new_keys != keys:
            self._move(cid, keys, new_keys, new_entry)
        self.reassessed = (cid, (row.now, row.why, row.refusal), new_keys, new_entry)
        return new_keys, new_entry

    def _states(self, keys: list[str]) -> tuple[AccountState | None, ...]:
        """The tallies on `keys` as they stand (immutable: a change replaces the state)."""
        accounts = self.accounts
        return tuple(accounts.get(k) for k in keys)

    def _moved(self, cid: str, submission: tuple[Any, tuple, int | None], keys: list[str],
               entry: Entry | None) -> bool:
        """Whether the rules at approval could give other than at submission: refused then, the organisation
        changed since, a tally it reads replaced since (the very same state objects otherwise), or another
        claim's pending entry on a ladder or subject, which an approval does not deduct (rule 3)."""
        e, states, version = submission
        if entry is None or self.folded.version(e.uscc) != version:
            return True
        accounts = self.accounts
        for key, then in zip(keys, states, strict=True):
            now = accounts.get(key)
            if now is not then or now is None:
                return True
            if key.startswith(DEDUCTS_AWARDED) and any(x.claim_id != cid and x.status == "pending"
                                                       for x in now.entries):
                return True
        return False

    def _move(self, cid: str, touched: list[str], keys: list[str], entry: Entry | None) -> None:
        """Claim `cid`'s entry becomes `entry` on each of `keys` (in its place where it had one, else added last),
        and leaves the other accounts in `touched` (None: it leaves them all)."""
        accounts = self.accounts
        for key in dict.fromkeys([*touched, *keys]):
            state = accounts.get(key)
            had = state is not None and any(x.claim_id == cid for x in state.entries)
            if entry is not None and key in keys:
                if had:
                    settle(accounts, [key], cid, entry)
                else:
                    accounts[key] = AccountState(key, (entry,) if state is None else (*state.entries, entry))
            elif had:
                settle(accounts, [key], cid, None)

    def _assess(self, cid: str, e: Any, row: Replayed, plan: Any = None, *,
                approving: bool = False) -> tuple[list[str], Entry | None]:
        """The rules on the submission: `row` gets what they give (or the refusal), and the accounts the claim
        draws on and the one entry it reserves on each (None when refused) come back. `plan`: prepared already.
        `approving`: the second run at approval (rule 12), where the claim's own entry is in the tallies."""
        keys: list[str] = []
        try:
            if plan is None:
                facts, organisation = self.folded.facts(e)
                if organisation is None:
                    raise LedgerError(f"organisation {e.uscc} is not in the log before its claim",
                                      zh=f"事件日志中，企业 {e.uscc} 的登记不在其申请之前")
                plan = prepare(self.catalogue_on(e.effective_on), facts, organisation)
            keys = [k.text for k in plan.keys]
            if self.alone:
                shared = next((k.text for k in plan.keys if k.organisation != plan.facts.uscc), None)
                if shared is not None:
                    raise SharedAccount(shared)
            self.plan = (cid, plan)
            if approving:
                entitlement = entitle(plan, self._tallies(cid, keys, held=True), claim_id=cid, approving=True)
            else:
                entitlement = entitle(plan, self._tallies(cid, keys))
        except LedgerError as refused:
            row.now, row.refusal, row.why = ZERO, refused.code, [{"rule": refused.code, "detail": refused.detail,
                                                                  "detail_zh": refused.in_language("zh")}]
            return keys, None
        row.now, row.why, row.refusal = entitlement.amount, entitlement, None
        # One entry, the same on every account the claim reserves on (entries are immutable).
        return keys, Entry(cid, e.programme, "pending", entitlement.amount, entitlement.standing, entitlement.tier,
                           e.uscc)

    def _tallies(self, cid: str, keys: list[str], *, held: bool = False) -> dict[str, AccountState]:
        """The tallies the claim reads, as they stood before it (`held`: as they stand, its own entry in them)."""
        accounts = self.accounts
        return {k: accounts[k] for k in keys if k in accounts}

    def _reserve(self, cid: str, keys: list[str], entry: Entry) -> None:
        accounts = self.accounts
        for key in keys:
            state = accounts.get(key)
            accounts[key] = AccountState(key, (entry,) if state is None else (*state.entries, entry))

    def _held(self, cid: str, keys: Iterable[str]) -> dict[str, Entry]:
        """The claim's entry on each of its accounts (`keys`) that still holds it."""
        accounts = self.accounts
        return {k: x for k in dict.fromkeys(keys) if (state := accounts.get(k)) is not None
                for x in state.entries if x.claim_id == cid}

    def _settle(self, keys: list[str], old: Entry, new: Entry, *, drop: bool = False) -> None:
        """The claim's entry (`old`) becomes `new` on each of its accounts (or, `drop`, leaves them)."""
        settle(self.accounts, keys, old.claim_id, None if drop else new)


def settle(accounts: MutableMapping[str, AccountState], keys: Iterable[str], cid: str, new: Entry | None) -> None:
    """Claim `cid`'s entry becomes `new` on each of `keys` (None: it leaves them; an account left empty goes)."""
    for key in dict.fromkeys(keys):
        state = accounts.get(key)
        if state is None:
            continue
        if new is not None:
            accounts[key] = AccountState(key, tuple(new if x.claim_id == cid else x for x in state.entries))
        elif entries := tuple(x for x in state.entries if x.claim_id != cid):
            accounts[key] = AccountState(key, entries)
        else:
            del accounts[key]


# How the busiest spilled mappings write their values (ledger/spill.py): plain tuples through marshal, money as
# its text (Decimal's text reads back to an equal Decimal with the same exponent), four times cheaper than
# pickling the frozen dataclasses. tests/unit/test_spill.py holds both to load(dump(v)) == v.
def _dump_account(state: AccountState) -> bytes:
    return marshal.dumps((state.key, state.earlier, tuple(
        (e.claim_id, e.programme, e.status, str(e.amount), str(e.gross), e.tier, e.uscc, e.kept)
        for e in state.entries)))


def _load_account(data: bytes) -> AccountState:
    key, earlier, entries = marshal.loads(data)
    return AccountState(key, tuple(Entry(c, p, s, Decimal(a), Decimal(g), t, u, k)
                                   for c, p, s, a, g, t, u, k in entries), earlier)


def _load_approval(data: bytes) -> tuple[int, Decimal, tuple[str, ...]]:
    year, amount, keys = marshal.loads(data)
    return year, Decimal(amount), keys


ACCOUNTS = Codec(_dump_account, _load_account)
APPROVALS = Codec(lambda v: marshal.dumps((v[0], str(v[1]), tuple(v[2]))), _load_approval)


class SharedAccount(Exception):
    """A replay of some organisations apart (`alone`) met a claim drawing on an account other organisations'
    claims may draw on too: replayed apart, it could be judged against the wrong tallies."""


class _Confirmed:
    """A confirmed proposal read as the submission it became: the proposal's facts, the confirmation's figures."""

    def __init__(self, proposed: Any, confirmed: Any) -> None:
        self.proposed, self.confirmed = proposed, confirmed

    def __getattr__(self, name: str) -> Any:
        if name in ("entitled_amount", "gross_amount", "explanation", "accounts", "policy_version"):
            return getattr(self.confirmed, name)
        return getattr(self.proposed, name)


def stored_events(app: Any, page: int = 2_000, *, topics: Callable[[str], bool] | None = None,
                  at: Callable[[int], None] | None = None) -> Iterator[Any]:
    """Every domain event of the application's log through its mapper, in recorded order, a page at a time: the
    plain path (projections/replay_log.py reads only the wanted events, faster, to the same events).

    `topics` picks the stored events worth decoding; the others are passed over as `None`, so a progress bar
    still counts every event read."""
    start = 1
    while True:
        notifications = app.recorder.select_notifications(start, page)
        if not notifications:
            return
        for notification in notifications:
            if at is not None:  # the position read, for a progress counted in log positions (api/commands/recheck.py)
                at(notification.id)
            keep = topics is None or topics(notification.topic)
            yield app.mapper.to_domain_event(notification) if keep else None
        start = notifications[-1].id + 1

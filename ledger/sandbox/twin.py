"""The draft's replay run as the baseline's twin: the rules run only where the draft can change the answer.

Both replays read one stream, the baseline first. Where a claim's programme, the policy (all but its version
label), the subject kinds and the body kinds are the same in both catalogues, `prepare` gives the same plan;
where, besides, no account the claim reads has come apart between the two replays, `entitle` gives the same
entitlement, so the draft takes the baseline's answer as it is. An account comes apart (`diverged`) the first
time a claim reserves differently on it in the two replays; from then on the draft keeps its own copy of it,
and until then it reads the baseline's: a draft that moves few claims holds few tallies of its own.

Why this is exact: a claim in step at submission stays in step (its approval, release or revocation is worked
out from the same row and the same event in both), so an account changes apart only at a submission that
reserves differently, and that is where it is marked. tests/sandbox/test_twin.py holds the answers equal to
two plain replays' for drafts that move nothing, a rate, a cap, or drop a programme.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.catalogue.model import Catalogue, Programme
from ledger.replay import OUTRANKED, Replay, Replayed
from ledger.rules import AccountState, Entry


class Twin(Replay):
    """The draft's replay, reading the baseline replay `twin`'s tallies wherever the two have not come apart."""

    def __init__(self, catalogue_on: Callable[[date], Catalogue], twin: Replay, **options: Any) -> None:
        super().__init__(catalogue_on, folded=twin.folded, cold=twin.cold, hot=twin.hot, **options)
        self.twin = twin
        # The accounts that have come apart (`apart`): those this replay keeps its own copy of (self.accounts) and,
        # as keys of a mapping that spills like the tallies do, those apart with no entry here (`emptied`).
        self.emptied: MutableMapping[str, bool] = self.mapping()
        self._same: dict[tuple[int, int, str], bool] = {}
        self.shortcuts = 0  # claims given the baseline's answer without running the rules (for the bench)
        self.replanned = 0  # claims whose baseline plan was reused with the draft's money figures (likewise)

    def _assess(self, cid: str, e: Any, row: Replayed, plan: Any = None, *,
                approving: bool = False) -> tuple[list[str], Entry | None]:
        if approving:  # the second run at approval (rule 12), when the baseline's answer could not be taken
            return super()._assess(cid, e, row, self._their_plan(cid, e), approving=True)
        base_row, base_keys, base_entry = self.twin.claims[cid]  # the baseline decided this submission already
        mine = self.catalogue_on(e.effective_on)
        base = self.twin.catalogue_on(e.effective_on)
        if self._same_rules(base, mine, e.programme):
            if not any(self.apart(k) for k in base_keys):
                self.shortcuts += 1
                row.now, row.why, row.refusal = base_row.now, base_row.why, base_row.refusal
                return list(base_keys), base_entry
            seen = self.twin.plan
            if seen is not None and seen[0] == cid:  # the same plan under this catalogue: only the sums to redo
                plan = seen[1].under(mine)
        elif self._same_plan(base, mine, e.programme):
            seen = self.twin.plan
            if seen is not None and seen[0] == cid:  # only money figures differ: `prepare` would plan the same
                self.replanned += 1
                plan = seen[1].under(mine, mine.programme(e.programme))
        return super()._assess(cid, e, row, plan)

    def _their_plan(self, cid: str, e: Any) -> Any:
        """The baseline's plan for claim `cid` under this catalogue, where `prepare` would plan the same; else None."""
        seen = self.twin.plan
        if seen is None or seen[0] != cid:
            return None
        mine, base = self.catalogue_on(e.effective_on), self.twin.catalogue_on(e.effective_on)
        if self._same_rules(base, mine, e.programme):
            return seen[1].under(mine)
        if self._same_plan(base, mine, e.programme):
            return seen[1].under(mine, mine.programme(e.programme))
        return None

    def _states(self, keys: list[str]) -> tuple[AccountState | None, ...]:
        # Only this replay's own copies can be told unmoved; a shared one is the baseline's, which its approval
        # has just replaced (`_moved` below then asks `_reassess`, which takes the baseline's answer in step).
        return tuple(self.accounts.get(k) if self.apart(k) else None for k in keys)

    def _moved(self, cid: str, submission: tuple[Any, tuple, int | None], keys: list[str],
               entry: Entry | None) -> bool:
        return not all(map(self.apart, keys)) or super()._moved(cid, submission, keys, entry)

    def _reassess(self, cid: str, e: Any, row: Replayed, keys: list[str], entry: Entry | None
                  ) -> tuple[list[str], Entry | None]:
        # The baseline has just run the rules again on this approval (`reassessed`). In step (the same rules, and
        # no account the claim is or was on come apart), its answer is this replay's, and it has written it to the
        # shared accounts already. Otherwise this replay runs them itself and writes its answer to copies of its
        # own of every account either answer touches, which come apart from then on.
        base_cid, figures, base_keys, base_entry = self.twin.reassessed
        mine, base = self.catalogue_on(e.effective_on), self.twin.catalogue_on(e.effective_on)
        touched = list(dict.fromkeys([*keys, *(base_keys if base_cid == cid else ())]))
        if base_cid == cid and self._same_rules(base, mine, e.programme) and not any(map(self.apart, touched)):
            row.now, row.why, row.refusal = figures
            return list(base_keys), base_entry
        new_keys, new_entry = self._assess(cid, e, row, approving=True)
        every = list(dict.fromkeys([*touched, *new_keys]))
        if (base_cid == cid and (new_keys, new_entry) == (base_keys, base_entry)
                and not any(map(self.apart, every))):
            return new_keys, new_entry  # the same answer as the baseline's, on accounts it has written already
        self._own(every)
        self._move(cid, every, new_keys, new_entry)
        for key in every:
            if key not in self.accounts:
                self.emptied[key] = True
        return new_keys, new_entry

    def _own(self, keys: Iterable[str]) -> None:
        """Each of `keys` still shared becomes this replay's own copy, as the baseline has left it (or empty)."""
        for key in keys:
            if not self.apart(key):
                state = self.twin.accounts.get(key)
                if state is not None:
                    self.accounts[key] = state
                else:
                    self.emptied[key] = True

    def _outranked(self, cid: str) -> None:
        # The baseline has just run the rules again on this re-assessment to nothing and written its answer to
        # the shared accounts. In step (the same rules, no account of the claim's come apart), its answer is this
        # replay's. Otherwise this replay runs them itself, on copies of its own of the claim's accounts as the
        # baseline left them, and puts its own entry back (or its own nothing) on them.
        row, keys, entry = self.claims[cid]
        if entry is None or entry.amount <= 0:
            return
        e = self.submitted[cid][0]
        base_row, base_keys, base_entry = self.twin.claims[cid]
        mine, base = self.catalogue_on(e.effective_on), self.twin.catalogue_on(e.effective_on)
        if (self._same_rules(base, mine, e.programme) and list(keys) == list(base_keys)
                and not any(map(self.apart, keys))):
            row.now, row.why, row.refusal = base_row.now, base_row.why, base_row.refusal
            self.claims[cid] = (row, keys, base_entry)
            return
        scratch = copy.copy(row)
        _, again = self._assess(cid, e, scratch, approving=True)
        self._own(keys)
        if again is None and scratch.refusal in OUTRANKED:
            self._to_nothing(cid, row, keys, entry, scratch)
        else:  # something under this catalogue: its own entry where the baseline may have put nothing
            self._settle(keys, entry, entry)

    def _same_plan(self, base: Catalogue, draft: Catalogue, code: str) -> bool:
        """Whether `prepare` gives the same plan for a claim under `code` in both catalogues: they may differ in
        the programme's money figures (rate, ceilings, tier amounts, rank shares, cap and pool limits), which
        only `entitle` reads, and in nothing else `prepare` reads (term, kinds, thresholds, the caps' scopes)."""
        key = (id(base), id(draft), code, "plan")
        found = self._same.get(key)
        if found is None:
            mine, theirs = draft.programme(code), base.programme(code)
            found = self._same[key] = (
                mine is not None and theirs is not None and _shape(mine) == _shape(theirs)
                and base.subject_kinds == draft.subject_kinds and base.body_kinds == draft.body_kinds
                and replace(base.policy, version="") == replace(draft.policy, version="")
                and {c: replace(p, limit=ZERO) for c, p in base.pools.items()}
                == {c: replace(p, limit=ZERO) for c, p in draft.pools.items()})
        return found

    def _same_rules(self, base: Catalogue, draft: Catalogue, code: str) -> bool:
        """Whether `prepare` and `entitle` read the same catalogue figures for a claim under `code` in both."""
        key = (id(base), id(draft), code)
        found = self._same.get(key)
        if found is None:
            found = self._same[key] = (
                base.programme(code) == draft.programme(code) and base.subject_kinds == draft.subject_kinds
                and base.body_kinds == draft.body_kinds
                and replace(base.policy, version="") == replace(draft.policy, version=""))
        return found

    def _state(self, key: str, cid: str) -> AccountState | None:
        """Account `key` as it stood before claim `cid` (the baseline has already reserved on its copy)."""
        if self.apart(key):
            return self.accounts.get(key)
        state = self.twin.accounts.get(key)
        if state is None or not any(x.claim_id == cid for x in state.entries):
            return state
        entries = tuple(x for x in state.entries if x.claim_id != cid)
        return AccountState(key, entries) if entries else None

    def _tallies(self, cid: str, keys: list[str], *, held: bool = False) -> dict[str, AccountState]:
        if held:  # as they stand: this replay's copy where apart, else the baseline's (the claim's own entry in it)
            return {k: s for k in keys if (s := (self.accounts.get(k) if self.apart(k) else self.twin.accounts.get(k)))
                    is not None}
        return {k: s for k in keys if (s := self._state(k, cid)) is not None}

    def _reserve(self, cid: str, keys: list[str], entry: Entry) -> None:
        fresh = self._part(cid, keys, entry)
        super()._reserve(cid, [k for k in keys if k in fresh or self.apart(k)], entry)

    def _submitted(self, cid: str, e: Any) -> None:
        super()._submitted(cid, e)
        if self.claims[cid][2] is None:
            self._part(cid, [], None)  # refused here: where the baseline reserved, the two come apart

    def _part(self, cid: str, keys: list[str], entry: Entry | None) -> set[str]:
        """Mark the accounts the claim reserves on differently in the two replays, copying them first; the keys
        marked now. One with nothing to copy that the claim is about to reserve on is marked by the reservation
        itself (it will be in self.accounts); any other is remembered as apart and empty."""
        _, base_keys, base_entry = self.twin.claims[cid]
        if entry == base_entry and (entry is None or keys == base_keys):
            return set()
        fresh = set()
        for key in dict.fromkeys([*keys, *(base_keys if base_entry is not None else ())]):
            if not self.apart(key):
                fresh.add(key)
                state = self._state(key, cid)
                if state is not None:
                    self.accounts[key] = state
                elif entry is None or key not in keys:
                    self.emptied[key] = True
        return fresh

    def _approved(self, claim_id: UUID, year: int, amount: Decimal, keys: list[str]) -> None:
        # The baseline has just kept the same year and amount; this replay keeps its own only where the claim's
        # accounts differ (a draft that moves amounts but not plans keeps none).
        if list(self.twin.approved_years[claim_id][2]) != list(keys):
            super()._approved(claim_id, year, amount, keys)

    def _approval(self, claim_id: UUID) -> tuple[int, Decimal, tuple[str, ...]] | None:
        # The baseline has just taken its approval back (`revoking`); this replay's own, where it kept one.
        mine = self.approved_years.pop(claim_id, None)
        base_id, base = self.twin.revoking
        return mine if mine is not None else (base if base_id == claim_id else None)

    def _held(self, cid: str, keys: Iterable[str]) -> dict[str, Entry]:
        # The baseline has already taken its entries back: it kept what they were (`held`) for this replay.
        base_cid, base_held = self.twin.held
        shared = {k: x for k, x in base_held.items() if not self.apart(k)} if base_cid == cid else {}
        return {**shared, **super()._held(cid, [k for k in keys if self.apart(k)])}

    def _settle(self, keys: list[str], old: Entry, new: Entry, *, drop: bool = False) -> None:
        # The accounts still shared were settled alike by the baseline (a claim in step stays in step).
        mine = [k for k in keys if self.apart(k)]
        super()._settle(mine, old, new, drop=drop)
        for key in mine:
            if key not in self.accounts:  # left empty and dropped: still apart
                self.emptied[key] = True

    def apart(self, key: str) -> bool:
        """Whether account `key` has come apart between the two replays (from then on, this replay's own)."""
        return key in self.accounts or key in self.emptied

    @property
    def diverged(self) -> set[str]:
        """Every account that has come apart (for tests and the bench: it reads every key)."""
        return {*(k for k, _ in self.accounts.items()), *(k for k, _ in self.emptied.items())}


ZERO = Decimal("0.00")


def _shape(programme: Programme) -> Programme:
    """The programme with its money figures taken out: what `prepare` reads of it."""
    return replace(programme, rate=None, max_award=None, tiers=tuple(replace(t, amount=None) for t in programme.tiers),
                   caps=tuple(replace(c, limit=ZERO) for c in programme.caps),
                   rank_shares=tuple(replace(r, share=ZERO) for r in programme.rank_shares))

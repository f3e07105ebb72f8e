"""Properties the rules keep for any sequence of claims: caps hold, ladders top out, rounding goes down."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.catalogue import CapScope
from ledger.domain.errors import LedgerError
from ledger.domain.values import money
from ledger.rules.accounts import read_cap_key
from tests.unit.book import CATALOGUE, Book, claimant, member

FEN = Decimal("0.01")
ORGS = [member(body="B-1") for _ in range(3)]  # one body, so A11's yearly cap is shared by all three
TOP = {"A3.erc": "national", "A3.consortium": "provincial", "A3.community": "provincial", "A6.honour": "little_giant"}

# Mostly bases whose share fits under a cap, so caps fill up over several claims; some far above.
bases = st.one_of(st.decimals(min_value=FEN, max_value=Decimal("2000000"), places=2),
                  st.decimals(min_value=FEN, max_value=Decimal("30000000"), places=2))
years = st.integers(min_value=2022, max_value=2025)


@st.composite
def capped_claims(draw) -> tuple[int, str, dict]:
    """One claim under a programme with a cumulative cap, by one of three members of the same body."""
    code = draw(st.sampled_from(["A5.voucher", "A5.computing", "A4.challenge", "A8.tech_transfer", "A11.standard"]))
    year = draw(years)
    facts: dict = {"award_year": year, "effective_on": date(year, 10, 1) if year == 2022 else date(year, 6, 1),
                   "status": draw(st.sampled_from(["pending", "approved"]))}
    if code == "A11.standard":
        facts |= {"tier": draw(st.sampled_from(["international_lead", "international_participate", "national",
                                                 "industry"])), "rank": 1,
                  "subject": draw(st.sampled_from(["standard:S-1", "standard:S-2", "standard:S-3"]))}
    else:
        facts |= {"basis_amount": str(draw(bases)),
                  "subject": draw(st.sampled_from(([] if code == "A4.challenge" else [None, None])
                                                  + ["project:P-1", "project:P-2", "Project: p-2 "]))}
    return draw(st.integers(min_value=0, max_value=2)), code, facts


def cap_limit(key: str) -> Decimal:
    """The limit of the cap whose account this is: keys read cap:<scope>:<programme>:<owner>."""
    cap = read_cap_key(key)
    return next(c.limit for c in CATALOGUE.programme(cap.programme).caps if c.scope is CapScope(cap.scope))


@settings(max_examples=300, deadline=None)
@given(claims=st.lists(capped_claims(), min_size=1, max_size=25),
       rejections=st.lists(st.integers(min_value=0, max_value=24), max_size=5))
def test_no_entitlement_exceeds_any_cap_headroom(claims, rejections):
    """Whatever the order of claims and rejections, no cap account is ever used beyond its limit."""
    book, recorded = Book(), []
    for n, (who, code, facts) in enumerate(claims):
        try:
            claim_id, entitlement = book.claim(ORGS[who], code, **facts)
        except LedgerError as err:
            assert err.code in {"cap_exceeded", "superseded", "already_awarded", "not_eligible", "conflict"}, err.detail
        else:
            recorded.append(claim_id)
            assert FEN <= entitlement.amount <= entitlement.gross
        if n in rejections and recorded:
            book.set_status(recorded[n % len(recorded)], "rejected")
        for key in book.entries:
            if key.startswith("cap:"):
                assert book.used(key) <= cap_limit(key), key


@settings(max_examples=300, deadline=None)
@given(code=st.sampled_from(sorted(TOP)), data=st.data())
def test_a_ladder_never_pays_more_than_its_top_tier(code, data):
    """Any order of tiers on a ladder pays at most the top tier in total, and exactly it once the top is reached."""
    programme = CATALOGUE.programme(code)
    ladder = programme.ladder_of(TOP[code])
    tiers = data.draw(st.lists(st.sampled_from(ladder), min_size=1, max_size=8))
    book, org, total = Book(), claimant(code), Decimal("0.00")
    for tier in tiers:
        try:
            total += book.amount(org, code, tier=tier)
        except LedgerError as err:
            assert err.code == "already_awarded"
    top = programme.tier(TOP[code]).amount
    assert total <= top
    if TOP[code] in tiers:
        assert total == top
    else:
        assert total == programme.tier(max(tiers, key=ladder.index)).amount


RATE_CODES = sorted(code for code, p in CATALOGUE.programmes.items() if p.rate is not None and not p.decided)


@settings(max_examples=500, deadline=None)
@given(code=st.sampled_from(RATE_CODES), basis=st.decimals(min_value=0, max_value=Decimal("1e11"), places=2))
def test_rates_never_round_up(code, basis):
    """A rate pays basis × rate rounded down: never more than the exact product, and less by under one fen."""
    rate = CATALOGUE.programme(code).rate
    exact = basis * rate
    org = member(lead=True, chain_leader=True)
    try:
        gross = Book().evaluate(org, code, basis_amount=str(basis), subject="project:R").gross
    except LedgerError as err:
        assert err.code == "not_eligible" and exact < FEN
        return
    assert exact - FEN < gross <= exact
    assert gross.as_tuple().exponent == -2


@given(amount=st.decimals(min_value=0, max_value=Decimal("1e12"), places=2))
def test_money_is_always_two_places(amount):
    """money() gives back the same value as a Decimal with exponent -2, from a string, a Decimal or its integer part."""
    for value in (str(amount), amount, int(amount)):
        read = money(value)
        assert type(read) is Decimal and read.as_tuple().exponent == -2
        assert read == (Decimal(int(amount)) if isinstance(value, int) else amount)


@settings(max_examples=200, deadline=None)
@given(claims=st.lists(capped_claims(), min_size=1, max_size=15))
def test_entitlements_are_money(claims):
    """Every entitlement and every explanation amount is a Decimal to the fen."""
    book = Book()
    for who, code, facts in claims:
        try:
            _, entitlement = book.claim(ORGS[who], code, **facts)
        except LedgerError:
            continue
        amounts = [entitlement.amount, entitlement.gross] + [s.amount for s in entitlement.steps if s.amount]
        assert all(type(a) is Decimal and a.as_tuple().exponent == -2 for a in amounts)


# Rule 4: programmes that can each pay for one project, and one claim's facts under each.
ON_ONE_PROJECT = {
    "A4.challenge": st.builds(lambda b: {"basis_amount": str(b)},
                              st.decimals(min_value=Decimal("100"), max_value=Decimal("30000000"), places=2)),
    "A4.matching": st.builds(lambda r: {"requested_amount": str(r)},
                             st.decimals(min_value=Decimal("1"), max_value=Decimal("6000000"), places=2)),
    "A5.voucher": st.builds(lambda b: {"basis_amount": str(b)},
                            st.decimals(min_value=Decimal("100"), max_value=Decimal("3000000"), places=2)),
    "A9.national_award": st.builds(lambda t, r: {"tier": t, "rank": r}, st.sampled_from(["first", "second"]),
                                   st.integers(min_value=1, max_value=5)),
    "A9.provincial_award": st.builds(lambda t: {"tier": t, "rank": 1}, st.sampled_from(["first", "second", "third"])),
}


@st.composite
def one_project(draw) -> list[tuple[str, dict]]:
    """A set of claims by one organisation for one project, at most one per programme, in a random order."""
    codes = draw(st.lists(st.sampled_from(sorted(ON_ONE_PROJECT)), min_size=1, max_size=5, unique=True))
    return [(code, draw(ON_ONE_PROJECT[code])) for code in codes]


@settings(max_examples=300, deadline=None)
@given(claims=one_project(), data=st.data())
def test_a_subject_is_paid_its_best_single_entitlement_after_caps_in_any_order(claims, data):
    """Rule 4 for any claims on one subject, in any order of submission and of approval (each re-assessed,
    rule 12): the subject is paid the highest single after-caps entitlement, never more and never less."""
    alone = [Book().evaluate(member(), code, subject="project:H", **facts).amount for code, facts in claims]
    book, org, recorded = Book(), member(), []
    for code, facts in claims:
        try:
            recorded.append(book.claim(org, code, subject="project:H", **facts)[0])
        except LedgerError as err:
            assert err.code == "superseded", err.detail
    for claim_id in data.draw(st.permutations(recorded)):
        book.set_status(claim_id, "approved", amount=book.reassess(claim_id).amount)
    paid = sum((e.amount for e in book.accounts[f"subject:{org.uscc}:project:h"].live), Decimal("0.00"))
    assert paid == max(alone)

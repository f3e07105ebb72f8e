"""Properties of proposals (免申即享) on both stores, whatever facts are recorded in whatever order:
proposing never changes an account, a cap, a fund year or an award-state total (aggregates and read models),
and confirming a proposal gives exactly what submitting the same claim gives. The second is checked on two
ledgers kept in lockstep: one confirms where the other submits, and they must agree in every figure."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.application import AwardLedger
from ledger.domain.claim import Claim
from ledger.domain.errors import LedgerError, NotFound
from ledger.domain.fund_year import FundYear
from ledger.store import is_postgres, store_env
from projections import Projector, ReadModels
from tests.store.conftest import ADMIN, FINANCE, JXJ, KJJ
from tests.support import unique_id, unique_uscc

ORG = st.integers(0, 2)
CONFIRM = st.booleans()
FACT = st.one_of(
    st.tuples(st.just("erc"), ORG, st.sampled_from(["municipal", "provincial", "national"]), CONFIRM),
    st.tuples(st.just("consortium"), ORG, st.sampled_from(["municipal", "provincial"]), CONFIRM),
    st.tuples(st.just("honour"), ORG, st.sampled_from(["provincial_sme", "little_giant", "hidden_champion",
                                                       "single_champion"]), CONFIRM),
    st.tuples(st.just("upgrade"), st.integers(0, 5), st.sampled_from(["provincial", "national", "little_giant"]),
              CONFIRM))
YEARS = (2023, 2024, 2025)
COMPARED = ("status", "programme", "award_year", "effective_on", "tier", "subject", "body_id", "entitled_amount",
            "gross_amount", "explanation", "policy_version")


class Side:
    """One ledger with its projector and read models."""

    def __init__(self, url: str) -> None:
        self.ledger = AwardLedger(store_env(url))
        self.read_models = ReadModels.open(url)
        self.projector = Projector(url, app=self.ledger, poll_interval=0.05)
        self.projector.start()
        self.certs: list[str] = []

    def settled(self) -> ReadModels:
        assert self.read_models.wait(self.ledger.recorder.max_notification_id(), timeout=20)
        return self.read_models

    def close(self) -> None:
        self.projector.stop()
        self.read_models.close()
        self.ledger.close()


@pytest.fixture
def sides(database_url: str, request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[Side, Side]]:
    other = request.getfixturevalue("fresh_postgres_url") if is_postgres(database_url) else \
        f"sqlite:///{tmp_path}/other.sqlite3"
    made = (Side(database_url), Side(other))
    yield made
    for side in made:
        side.close()


def _record(side: Side, fact: tuple, orgs: list[str], body: str) -> dict:
    """The fact on one ledger: a certification (with `body` for an Art. 3 recognition) or an upgrade."""
    kind, who, tier, _ = fact
    on = date(2023, 3, 1)
    if kind == "upgrade":
        if not side.certs:
            raise NotFound("nothing recorded to upgrade yet")
        cert = side.certs[who % len(side.certs)]
        return side.ledger.record_upgrade(KJJ if side.ledger.certification(cert)["programme"].startswith("A3")
                                          else JXJ, certification_id=cert, tier=tier, effective_on=date(2024, 3, 1),
                                          document_ref="晋级〔2024〕1号").view
    if kind == "honour":
        view = side.ledger.record_certification(JXJ, uscc=orgs[who], programme="A6.honour", tier=tier,
                                                effective_on=on, document_ref="浙经信〔2023〕8号").view
    else:
        view = side.ledger.record_certification(KJJ, uscc=orgs[who], programme=f"A3.{kind}", tier=tier,
                                                effective_on=on, document_ref="杭科〔2023〕3号", body_id=body).view
    side.certs.append(view["id"])
    return view


def _books(side: Side, orgs: list[str]) -> dict:
    """The figures a proposal must leave alone: fund years (aggregates), award totals and caps (read models)."""
    ledger, read_models = side.ledger, side.settled()
    funds = {y: (f.version, f.headroom) if (f := ledger._get_or_none(FundYear, FundYear.create_id(y))) else None
             for y in YEARS}
    totals = {o: read_models.award_state(o)["totals"] for o in orgs}
    with read_models.view.reading() as sql:
        caps = sorted(sql.rows("SELECT id, data FROM rm_caps"))
    return {"funds": funds, "totals": totals, "caps": caps}


def _written(side: Side, after: int) -> set[str]:
    """The kinds of aggregate the events recorded after `after` belong to (AwardAccount, Claim, ...)."""
    found = side.ledger.recorder.select_notifications(start=after + 1, limit=100_000)
    return {n.topic.rsplit(":", 1)[-1].split(".")[0] for n in found}


def _accounts(side: Side, claim_id: str) -> list[str]:
    """The accounts a claim reserves on, its ledger's certification ids named by their order of recording."""
    named = side.ledger._get(Claim, UUID(claim_id), "claim").accounts
    for n, cert in enumerate(side.certs):
        named = [key.replace(cert, f"cert#{n}") for key in named]
    return named


def _either(call) -> tuple[str, object]:
    try:
        return "ok", call()
    except LedgerError as refusal:
        return refusal.code, None


def test_proposing_reserves_nothing_and_confirming_equals_submitting(sides: tuple[Side, Side]) -> None:
    """Any facts: books unchanged by each proposal; a confirmation and a submission of it agree in every figure."""
    confirmer, submitter = sides
    for side in sides:
        for year in YEARS:
            side.ledger.record_appropriation(FINANCE, year=year, amount=Decimal("900000000"), document_ref=f"B-{year}")
    reached: set[str] = set()

    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(facts=st.lists(FACT, min_size=1, max_size=5))
    def run(facts: list[tuple]) -> None:
        orgs = [unique_uscc() for _ in range(3)]
        for side in sides:
            side.certs = []
            for org in orgs:  # each leads a consortium, so is a member of a recognised body
                side.ledger.register_organisation(ADMIN, uscc=org, name=f"杭州性质测试有限公司 {org[-6:]}",
                                                  in_district=True)
        for org in orgs:
            own = unique_id("cons-")
            for side in sides:
                side.ledger.register_body(ADMIN, body_id=own, name="滨江创新联合体", kind="consortium", lead_uscc=org,
                                          recognised_on=date(2022, 9, 6))
        for fact in facts:
            body = unique_id(f"{fact[0]}-")
            if fact[0] in ("erc", "consortium"):  # the body this recognition recognises, led by the unit (rule 13)
                for side in sides:
                    side.ledger.register_body(ADMIN, body_id=body, name="滨江创新机构", kind=fact[0],
                                              lead_uscc=orgs[fact[1]], recognised_on=date(2022, 9, 6))
            before, position = _books(confirmer, orgs), confirmer.ledger.recorder.max_notification_id()
            done = [_either(lambda s=side, f=fact, b=body: _record(s, f, orgs, b)) for side in sides]
            assert done[0][0] == done[1][0], done  # the same fact is recorded, or refused, alike
            if done[0][0] != "ok":
                continue
            proposed = [v["proposed_claims"] for _, v in done]  # type: ignore[index]
            assert len(proposed[0]) == len(proposed[1])
            # Proposing wrote no account (cap, ladder, subject, rank, pool) and no fund year; the books read alike.
            assert not _written(confirmer, position) & {"AwardAccount", "FundYear"}, fact
            assert _books(confirmer, orgs) == before, fact
            reached.add("proposed" if proposed[0] else "none")
            if not fact[3]:
                continue
            for mine, theirs in zip(*proposed, strict=True):
                proposal = confirmer.ledger.claim(mine)
                cert = submitter.certs[confirmer.certs.index(proposal["certification_id"])]
                by = KJJ if proposal["programme"].startswith("A3") else JXJ
                confirmed = _either(lambda p=mine, b=by: confirmer.ledger.confirm_claim(b, claim_id=p).view)
                submitted = _either(lambda p=proposal, b=by, c=cert: submitter.ledger.submit_claim(
                    b, uscc=p["uscc"], programme=p["programme"], award_year=p["award_year"],
                    effective_on=date.fromisoformat(p["effective_on"]), certification_id=c).view)
                assert confirmed[0] == submitted[0], (confirmed, submitted)
                if confirmed[0] != "ok":
                    continue
                reached.add("confirmed")
                assert {f: confirmed[1][f] for f in COMPARED} == {f: submitted[1][f] for f in COMPARED}
                assert _accounts(confirmer, confirmed[1]["id"]) == _accounts(submitter, submitted[1]["id"])
                assert submitter.ledger.claim(theirs)["status"] == "withdrawn"  # replaced by the submission
        for org in orgs:  # confirmed there, submitted here: the same totals and the same caps drawn
            assert confirmer.settled().award_state(org)["totals"] == submitter.settled().award_state(org)["totals"]

    run()
    assert {"proposed", "confirmed"} <= reached, reached

"""The policy sandbox on both stores: the catalogue in force moves nothing, one changed number moves exactly
what it governs by the hand-computed amount, a dropped programme pays nothing, and nothing is written."""
from __future__ import annotations

import contextlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.cli import main
from ledger.application import AwardLedger
from ledger.catalogue.draft import read_draft
from ledger.demo import generate
from ledger.domain import errors
from ledger.domain.fund_year import FundYear
from ledger.sandbox import simulate_ledger
from ledger.store import is_postgres
from projections.readmodels import ReadModels
from projections.rebuild import catch_up
from projections.replay_log import simulate_log
from tests.projections.tables import query
from tests.sandbox.drafts import drop, edit, in_force
from tests.store.conftest import KJJ, World

D = Decimal
RATE_UP = (r'rate = "0.30"', 'rate = "0.40"')
CAP_DOWN = (r'limit = "500000.00"', 'limit = "250000.00"')


def _moved(answer: dict, key: str) -> list[dict]:
    return [r for r in answer[key] if r["delta"] != "0.00"]


def test_the_catalogue_in_force_moves_nothing_on_the_demo_district(ledger: AwardLedger) -> None:
    """Simulating the catalogue in force over a small demo district gives a zero delta for every programme,
    bureau, year, fund year and organisation, and its baseline charges each year's fund what the books did."""
    generate(ledger, organisations=30, bodies=5)
    answer = simulate_log(ledger, read_draft(in_force())).as_json()
    assert answer["claims"] > 50 and answer["delta"] == "0.00"
    assert answer["baseline"]["entitled"] == answer["simulated"]["entitled"] != "0.00"
    for key in ("programmes", "bureaus", "years", "fund"):
        assert answer[key] and _moved(answer, key) == [], key
    assert answer["organisations_gaining"] == answer["organisations_losing"] == []
    for row in answer["fund"]:
        assert D(row["baseline"]) == ledger.repository.get(FundYear.create_id(row["year"])).approved


def test_raising_one_rate_moves_only_that_programme_by_the_hand_computed_amount(world: World) -> None:
    """A5.voucher at 40 % instead of 30 %: a claim approved in full gains 10 % of its basis, one approved at
    80 % of its entitlement gains 80 % of that, a pending one its new entitlement; A5.computing is untouched."""
    full, part, pending = world.org(), world.org(), world.org()
    world.approved(full, "A5.voucher", basis_amount="1000000")               # 300,000 -> 400,000
    claim = world.claim(part, "A5.voucher", basis_amount="500000")           # 150,000, approved 120,000 (80 %)
    world.ledger.approve_claim(KJJ, claim_id=claim["id"], amount="120000")   # -> 80 % of 200,000 = 160,000
    world.claim(pending, "A5.voucher", basis_amount="100000")                # 30,000 -> 40,000
    world.approved(full, "A5.computing", basis_amount="1000000")             # 200,000 either way
    draft = read_draft(edit("A5.voucher", *RATE_UP))
    answer = simulate_log(world.ledger, draft, uscc=part).as_json()
    assert [(r["code"], r["delta"], r["claims"]) for r in _moved(answer, "programmes")] == [
        ("A5.voucher", "150000.00", 3)]
    assert answer["delta"] == "150000.00"
    assert [(o["uscc"], o["delta"]) for o in answer["organisations_gaining"]] == [
        (full, "100000.00"), (part, "40000.00"), (pending, "10000.00")]
    assert [(f["year"], f["delta"]) for f in _moved(answer, "fund")] == [(2023, "140000.00")]
    [explained] = answer["organisation"]["claims"]
    assert (explained["baseline"], explained["simulated"], explained["status"]) == ("120000.00", "160000.00",
                                                                                  "approved")
    assert any("40" in step["detail"] for step in explained["simulated_explanation"])


def test_tightening_a_cap_cuts_exactly_the_claims_above_it(world: World) -> None:
    """A5.voucher's yearly cap at 250,000 instead of 500,000: claims above it are cut to it, the others keep
    their amount, and the organisations that lose are exactly those with a claim above it."""
    above, capped, below = world.org(), world.org(), world.org()
    world.approved(above, "A5.voucher", basis_amount="1000000")   # 300,000 -> 250,000
    world.approved(capped, "A5.voucher", basis_amount="2000000")  # 500,000 (capped) -> 250,000
    world.approved(below, "A5.voucher", basis_amount="500000")    # 150,000 stays
    answer = simulate_log(world.ledger, read_draft(edit("A5.voucher", *CAP_DOWN)), uscc=capped).as_json()
    assert [(r["code"], r["delta"]) for r in _moved(answer, "programmes")] == [("A5.voucher", "-300000.00")]
    assert [(o["uscc"], o["delta"]) for o in answer["organisations_losing"]] == [
        (capped, "-250000.00"), (above, "-50000.00")]
    assert answer["organisations_gaining"] == []
    [explained] = answer["organisation"]["claims"]
    assert explained["simulated"] == "250000.00"
    assert any(s["rule"] == "cap:enterprise_year" and "250,000" in s["detail"].replace("250000", "250,000")
               for s in explained["simulated_explanation"])


def test_a_programme_the_draft_drops_pays_nothing(world: World) -> None:
    """Without A5.computing in the draft its claims are refused unknown_programme and the programme shows as
    paid nothing, listed as not in the draft."""
    org = world.org()
    world.approved(org, "A5.computing", basis_amount="1000000")
    answer = simulate_log(world.ledger, read_draft(drop("A5.computing")), uscc=org).as_json()
    [row] = [p for p in answer["programmes"] if p["code"] == "A5.computing"]
    assert (row["baseline"], row["simulated"], row["in_draft"]) == ("200000.00", "0.00", False)
    assert answer["organisation"]["claims"][0]["simulated_refusal"] == "unknown_programme"


def _everything(url: str) -> dict[str, list]:
    """Every row of every table of the store (events, snapshots, read models, tracking), in a stable order."""
    if is_postgres(url):
        names = [r[0] for r in query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    else:
        names = [r[0] for r in query(url, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {name: sorted(query(url, f'SELECT * FROM "{name}"'), key=repr) for name in sorted(names)}


def test_a_simulation_leaves_the_store_byte_for_byte_unchanged(ledger: AwardLedger, database_url: str, tmp_path,
                                                              monkeypatch, capsys) -> None:
    """`award-ledger simulate` reads the demo district's log under a draft and writes nothing: every table,
    events and read models alike, is the same before and after, and it answers the contract's JSON shape."""
    generate(ledger, organisations=12, bodies=3)
    models = ReadModels.open(database_url)
    catch_up(models.view, ledger)
    models.close()
    draft = tmp_path / "draft.toml"
    draft.write_text(edit("A5.voucher", *RATE_UP), encoding="utf-8")
    before = _everything(database_url)
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    assert main(["simulate", "--catalogue", str(draft), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert set(answer) >= {"baseline", "simulated", "programmes", "organisations_gaining", "organisations_losing"}
    assert set(answer["programmes"][0]) >= {"code", "baseline", "simulated", "delta", "claims"}
    assert _everything(database_url) == before and any(rows for rows in before.values())
    # The same on two cores (the draft's replay in a second process), and still nothing written.
    assert main(["simulate", "--catalogue", str(draft), "--json", "--processes", "2"]) == 0
    assert json.loads(capsys.readouterr().out) == answer
    assert _everything(database_url) == before


def test_a_draft_that_does_not_validate_exits_2_naming_the_field_and_line(database_url: str, tmp_path,
                                                                        monkeypatch, capsys) -> None:
    """A rate above 1 in A5.voucher is refused before anything is read: exit 2, the field and its line said."""
    text = edit("A5.voucher", r'rate = "0.30"', 'rate = "1.30"')
    draft = tmp_path / "draft.toml"
    draft.write_text(text, encoding="utf-8")
    line = text.splitlines().index('rate = "1.30"') + 1
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    assert main(["simulate", "--catalogue", str(draft)]) == 2
    err = capsys.readouterr().err
    assert "rate" in err and f"line {line}" in err and "programmes[" in err


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_output_that_cannot_be_written_is_refused_before_the_replay(ledger: AwardLedger, database_url: str,
                                                                        tmp_path, monkeypatch, capsys) -> None:
    """`--output` into a folder that does not exist, or onto a folder, was found only after the whole replay (a
    probe; seconds to minutes on a district's log): it is refused first, exit 2, and nothing is replayed."""
    draft = tmp_path / "draft.toml"
    draft.write_text(in_force(), encoding="utf-8")
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    for output in (tmp_path / "no-such-folder" / "x.json", tmp_path):
        assert main(["simulate", "--catalogue", str(draft), "--output", str(output)]) == 2
        err = capsys.readouterr().err
        assert f"[output_unwritable] cannot write {output}" in err or "[output_unwritable] 无法写入" in err, err
        assert "replaying" not in err and "正在按现行目录" not in err  # refused before the replay began


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_catalogue_in_force_moves_nothing_whatever_the_order_of_decisions(world: World, data) -> None:
    """Rule 12 in the replay: a claim cut by a pending one on its cap, and a higher rung that deducted a pending
    lower one, each re-assessed at approval after the other was decided in any order. Simulating the catalogue
    in force must give back exactly what the books approved: every delta zero."""
    org = world.org()
    first = world.claim(org, "A5.voucher", basis_amount="1000000")    # 300,000 of the year's 500,000
    second = world.claim(org, "A5.voucher", basis_amount="1000000")   # cut to 200,000 while the first is pending
    assert second["entitled_amount"] == "200000.00"
    body = world.body(lead=org, kind="erc", on=date(2022, 9, 6))
    cert = world.certify(org, "A3.erc", "municipal", on=date(2023, 1, 10), body_id=body)
    lower = world.claim(org, "A3.erc", certification_id=cert, year=2023)
    world.ledger.record_upgrade(KJJ, certification_id=cert, tier="national", effective_on=date(2024, 3, 1),
                                document_ref="UP")
    higher = world.claim(org, "A3.erc", certification_id=cert, year=2024, effective_on=date(2024, 3, 1))
    assert higher["entitled_amount"] == "800000.00"
    for claim_id in data.draw(st.permutations([first["id"], second["id"], lower["id"], higher["id"]])):
        if claim_id in (first["id"], lower["id"]) and data.draw(st.booleans()):
            world.ledger.reject_claim(KJJ, claim_id=claim_id, reason="不予支持")
            continue
        with contextlib.suppress(errors.LedgerError):  # the lower rung after the higher: already_awarded
            world.ledger.approve_claim(KJJ, claim_id=claim_id)
    answer = simulate_log(world.ledger, read_draft(in_force()), uscc=org).as_json()
    assert answer["delta"] == "0.00", answer["organisation"]["claims"]
    assert answer["organisations_gaining"] == answer["organisations_losing"] == []
    books = {i: world.ledger.claim(i) for i in (first["id"], second["id"], lower["id"], higher["id"])}
    for row in answer["organisation"]["claims"]:  # each approval as the books approved it, after rule 12
        if row["status"] == "approved":
            assert row["baseline"] == row["simulated"] == books[row["claim_id"]]["approved_amount"], row


@given(rate=st.sampled_from(["0.10", "0.20", "0.40", "0.50"]), paid=st.sampled_from(["0", "50000", "150000",
                                                                                      "300000"]))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_revoked_award_keeps_what_was_paid_under_any_draft_and_the_cap_holds(world: World, rate: str,
                                                                                paid: str) -> None:
    """An A5.voucher award paid in part, then revoked, then a second voucher taking the cap's headroom (a
    black-box probe: under a 0.40 draft the revocation took back 200,000 of 400,000, the paid 150,000 scaled by
    0.40/0.30, while the cap still counted 150,000, so the organisation was simulated at 550,000 under a 500,000
    cap). Whatever the draft's rate, the revoked claim keeps what was paid (no more than the draft would have
    awarded), the cap counts the same, and the organisation never passes its 500,000 cap."""
    from ledger.principals import Principal, Role

    finance = Principal("finance-1", Role.FINANCE)
    org = world.org()
    first = world.approved(org, "A5.voucher", basis_amount="1000000", effective_on=date(2024, 3, 3), year=2024)
    if paid != "0":
        world.ledger.record_payout(finance, claim_id=first["id"], amount=D(paid), paid_on=date(2024, 4, 4),
                                   bank_ref=f"B-{org}")
    world.ledger.revoke_claim(KJJ, claim_id=first["id"], reason="fraud", document_ref="DOC-R")
    world.approved(org, "A5.voucher", basis_amount="3000000", effective_on=date(2024, 5, 5), year=2024)
    draft = read_draft(edit("A5.voucher", r'rate = "0.30"', f'rate = "{rate}"'))
    answer = simulate_log(world.ledger, draft, uscc=org).as_json()
    claims = answer["organisation"]["claims"]
    simulated, baseline = (sum((D(c[side]) for c in claims), D(0)) for side in ("simulated", "baseline"))
    first_simulated = min(D("1000000") * D(rate), D("500000"))
    kept = min(D(paid), first_simulated)
    assert simulated == min(D("500000"), kept + min(D("3000000") * D(rate), D("500000") - kept)), answer
    assert simulated <= D("500000")
    assert baseline == D("500000"), claims  # as the books have it: the paid part and the second claim's rest


def test_an_outranked_pending_claim_is_replayed_as_the_books_have_it(world: World) -> None:
    """X's A4 challenge claim left pending under X's approved national first prize for the same project comes to
    nothing at that approval (the ledger re-assesses it, rule 12), and frees the project's cap for co-undertaker
    Y: the replay under the catalogue in force does the same, so Y's 5,000,000 and the fund's books agree with
    the baseline, and a draft raising the voucher rate moves nothing here."""
    x, y = world.org(), world.org()
    project = f"project:JB-{x[-6:]}"
    world.claim(x, "A4.challenge", subject=project, basis_amount=D("1000000"))
    world.approved(x, "A9.national_award", tier="first", rank=1, subject=project)
    world.approved(y, "A4.challenge", subject=project, basis_amount=D("20000000"))
    for draft in (in_force(), edit("A5.voucher", *RATE_UP)):
        answer = simulate_log(world.ledger, read_draft(draft), uscc=y).as_json()
        [claim] = answer["organisation"]["claims"]
        assert (claim["baseline"], claim["simulated"]) == ("5000000.00", "5000000.00"), claim
        assert answer["organisations_gaining"] == answer["organisations_losing"] == []
        for row in answer["fund"]:
            assert D(row["baseline"]) == world.ledger.repository.get(FundYear.create_id(row["year"])).approved
        outranked = simulate_log(world.ledger, read_draft(draft), uscc=x).as_json()["organisation"]["claims"]
        assert sorted((c["programme"], c["status"], c["simulated"]) for c in outranked) == [
            ("A4.challenge", "pending", "0.00"), ("A9.national_award", "approved", "5000000.00")], outranked


@pytest.mark.parametrize("draft", [
    in_force, lambda: edit("A9.national_award", r'amount = "5000000.00"', 'amount = "200000.00"'),
    lambda: edit("A4.challenge", r'rate = "0.30"', 'rate = "0.10"'), lambda: drop("A9.national_award"),
    lambda: edit("A3.erc", r'amount = "1000000.00"', 'amount = "150000.00"')])
def test_outranked_claims_are_replayed_alike_the_quick_way_and_the_plain_way(world: World, draft) -> None:
    """Claims outranked while pending (an A4 claim under its project's prize, a municipal ERC rung under the
    national one), under drafts that outrank them too, outrank them no longer (the prize cut to 200,000, the
    national rung to 150,000) or drop the prize: the twin's answer is the plain replays' to the fen, spilled or
    not, for the organisations involved and the co-undertaker whose cap they held."""
    x, y = world.org(), world.org()
    project = f"project:JB-{x[-6:]}"
    world.claim(x, "A4.challenge", subject=project, basis_amount=D("1000000"))
    world.approved(x, "A9.national_award", tier="first", rank=1, subject=project)
    world.approved(y, "A4.challenge", subject=project, basis_amount=D("20000000"))
    cert = world.recognise(x, "A3.erc", "municipal")
    world.claim(x, "A3.erc", certification_id=cert)
    world.ledger.record_upgrade(KJJ, certification_id=cert, tier="national", effective_on=date(2024, 3, 1),
                                       document_ref="国科发〔2024〕7号")
    world.approved(x, "A3.erc", certification_id=cert, year=2024, effective_on=date(2024, 3, 1))
    catalogue = read_draft(draft())
    for uscc in (x, y):
        plain = simulate_ledger(world.ledger, catalogue, uscc=uscc, plain=True, hot=None).as_json()
        assert simulate_ledger(world.ledger, catalogue, uscc=uscc).as_json() == plain, uscc
        assert simulate_ledger(world.ledger, catalogue, uscc=uscc, hot=4).as_json() == plain, uscc


def _voucher_revoked_paid(world: World) -> tuple[Any, str, dict, str]:
    """A 2024 voucher of a new organisation, approved at 300,000, paid 150,000 and revoked: (the finance principal,
    the organisation, the claim, its recovery's id)."""
    from ledger.principals import Principal, Role

    finance = Principal("finance-1", Role.FINANCE)
    org = world.org()
    first = world.approved(org, "A5.voucher", basis_amount="1000000", effective_on=date(2024, 3, 3), year=2024)
    world.ledger.record_payout(finance, claim_id=first["id"], amount=D("150000"), paid_on=date(2024, 4, 4),
                               bank_ref=f"B-{org}")
    rid = world.ledger.revoke_claim(KJJ, claim_id=first["id"], reason="fraud", document_ref="DOC-R").view["recovery_id"]
    return finance, org, first, rid


@given(rate=st.sampled_from(["0.10", "0.30", "0.40"]), repaid=st.sampled_from(["0", "50000", "150000"]))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_money_repaid_on_a_revoked_award_stops_counting_under_any_draft(world: World, rate: str,
                                                                        repaid: str) -> None:
    """A voucher paid 150,000, revoked, then repaid in part or in full before a second voucher: the books take
    the repayment off the year's cap (ledger/usecases/recoveries.py `_unkept`), and so does the replay. The
    baseline is the books; under any rate the revoked claim keeps on the cap what is still unrepaid (no more
    than the draft would have awarded), and the twin's answer is the plain replays' to the fen."""
    finance, org, first, rid = _voucher_revoked_paid(world)
    if repaid != "0":
        world.ledger.record_repayment(finance, recovery_id=rid, amount=D(repaid), received_on=date(2024, 4, 20),
                                      bank_ref=f"R-{org}")
    kept_books = D("150000") - D(repaid)
    second = world.approved(org, "A5.voucher", basis_amount="3000000", effective_on=date(2024, 5, 5), year=2024)
    assert D(second["approved_amount"]) == D("500000") - kept_books
    draft = read_draft(edit("A5.voucher", r'rate = "0.30"', f'rate = "{rate}"'))
    answer = simulate_log(world.ledger, draft, uscc=org).as_json()
    claims = answer["organisation"]["claims"]
    simulated, baseline = (sum((D(c[side]) for c in claims), D(0)) for side in ("simulated", "baseline"))
    first_simulated = min(D("1000000") * D(rate), D("500000"))
    kept = min(kept_books, first_simulated)  # what still counts on the cap
    # The revoked claim's rows are worth what was paid less what came back (a probe found an award repaid in full
    # still counted in the baseline and listed its organisation among the losers), the second what the cap
    # leaves it. Its fund year keeps the whole paid part, as the books' fund year does.
    assert simulated == kept + min(D("3000000") * D(rate), D("500000") - kept), answer
    assert baseline == kept_books + D(second["approved_amount"]) == D("500000"), claims
    [fund] = [row for row in answer["fund"] if row["year"] == 2024]
    assert D(fund["baseline"]) == world.ledger.repository.get(FundYear.create_id(2024)).approved
    revoked = [c for c in claims if c["claim_id"] == first["id"]]
    assert [c["status"] for c in revoked] == ["approved", "revocation"] + (["repayment"] if repaid != "0" else [])
    assert sum((D(c["baseline"]) for c in revoked), D(0)) == kept_books, revoked
    assert sum((D(c["simulated"]) for c in revoked), D(0)) == kept, revoked
    plain = simulate_ledger(world.ledger, draft, uscc=org, plain=True, hot=None).as_json()
    assert simulate_ledger(world.ledger, draft, uscc=org).as_json() == plain


@given(rate=st.sampled_from(["0.10", "0.30", "0.40"]), repaid=st.sampled_from(["50000", "150000"]))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_repayment_reversed_counts_again_in_the_replay_as_in_the_books(world: World, rate: str,
                                                                          repaid: str) -> None:
    """A voucher paid 150,000 and revoked; a repayment booked in error (in part, or in full, which released the
    award's hold on the cap) and reversed: the books count the paid part on the cap again, and so does the replay,
    under the catalogue in force (nothing moves) and under any rate (the twin's answer is the plain replays')."""
    finance, org, _, rid = _voucher_revoked_paid(world)
    world.ledger.record_repayment(finance, recovery_id=rid, amount=D(repaid), received_on=date(2024, 4, 20),
                                  bank_ref=f"R-{org}")
    world.ledger.reverse_repayment(finance, recovery_id=rid, amount=D(repaid), received_on=date(2024, 4, 20),
                                   bank_ref=f"R-{org}", reason="误记", document_ref="更〔2024〕1号")
    second = world.approved(org, "A5.voucher", basis_amount="3000000", effective_on=date(2024, 5, 5), year=2024)
    assert second["approved_amount"] == "350000.00"  # the 150,000 paid counts on the cap again
    assert simulate_log(world.ledger, read_draft(in_force()), uscc=org).as_json()["delta"] == "0.00"
    draft = read_draft(edit("A5.voucher", r'rate = "0.30"', f'rate = "{rate}"'))
    answer = simulate_log(world.ledger, draft, uscc=org).as_json()
    claims = answer["organisation"]["claims"]
    kept = min(D("150000"), min(D("1000000") * D(rate), D("500000")))
    simulated = sum((D(c["simulated"]) for c in claims), D(0))
    assert simulated == kept + min(D("3000000") * D(rate), D("500000") - kept), answer
    plain = simulate_ledger(world.ledger, draft, uscc=org, plain=True, hot=None).as_json()
    assert simulate_ledger(world.ledger, draft, uscc=org).as_json() == plain


def test_a_lower_rung_revoked_and_repaid_in_full_deducts_nothing_from_the_higher(world: World) -> None:
    """Rule 3 deducts "only what was awarded on a lower rung": a municipal ERC award paid 50,000, revoked and
    repaid in full was, in the end, not awarded at all, so the national rung pays its whole 1,000,000 (a
    black-box probe got 950,000: the repaid 50,000 still counted on the ladder). Repaid in part, the rest still
    deducts. The replay of the catalogue in force agrees with the books."""
    from ledger.principals import Principal, Role

    finance = Principal("finance-1", Role.FINANCE)
    for repaid, owed in (("50000", "1000000.00"), ("20000", "970000.00")):
        org = world.org()
        cert = world.recognise(org, "A3.erc", "municipal", on=date(2023, 1, 10))
        lower = world.approved(org, "A3.erc", certification_id=cert)
        world.ledger.record_payout(finance, claim_id=lower["id"], amount=D("50000"), paid_on=date(2023, 7, 1),
                                   bank_ref=f"B-{org}")
        rid = world.ledger.revoke_claim(KJJ, claim_id=lower["id"], reason="材料不实",
                                        document_ref="撤销〔2024〕8号").view["recovery_id"]
        world.ledger.record_repayment(finance, recovery_id=rid, amount=D(repaid), received_on=date(2024, 1, 5),
                                      bank_ref=f"R-{org}")
        world.ledger.record_upgrade(KJJ, certification_id=cert, tier="national", effective_on=date(2024, 1, 10),
                                    document_ref="国科发〔2024〕9号")
        higher = world.approved(org, "A3.erc", certification_id=cert, year=2024, effective_on=date(2024, 1, 10))
        assert higher["approved_amount"] == owed, higher["explanation"]
        answer = simulate_log(world.ledger, read_draft(in_force()), uscc=org).as_json()
        assert answer["delta"] == "0.00", answer["organisation"]["claims"]


@pytest.mark.parametrize(("programme", "bureau"), [("A4.matching", "kjj"), ("A12.talent", "rcb")])
def test_a_revoked_award_paid_as_required_is_taken_back_as_the_books_take_it(world: World, programme: str,
                                                                             bureau: str) -> None:
    """A programme paid as required holds no cap, ladder or once-only account. A probe found its revoked awards
    still counted whole in the sandbox: 150,000 where the books keep 60,000 (the unpaid award released, the
    paid one counting what is still to recover). Each now has its revocation row and its repayment row, and the
    baseline is the books' figure under the catalogue in force and under a draft alike."""
    from ledger.principals import Principal, Role

    finance, lead = Principal("finance-1", Role.FINANCE), Principal(f"{bureau}-clerk", Role.BUREAU, bureau)
    org = world.org()
    unpaid = world.approved(org, programme, by=lead, requested_amount="50000.00")
    world.ledger.revoke_claim(lead, claim_id=unpaid["id"], reason="材料不实", document_ref="撤销〔2024〕1号")
    paid = world.approved(org, programme, by=lead, requested_amount="100000.00")
    world.ledger.record_payout(finance, claim_id=paid["id"], amount=D("100000"), paid_on=date(2023, 7, 1),
                               bank_ref=f"B-{org}")
    rid = world.ledger.revoke_claim(lead, claim_id=paid["id"], reason="材料不实",
                                    document_ref="撤销〔2024〕2号").view["recovery_id"]
    world.ledger.record_repayment(finance, recovery_id=rid, amount=D("40000"), received_on=date(2024, 1, 5),
                                  bank_ref=f"R-{org}")
    for draft in (in_force(), edit("A5.voucher", r'rate = "0.30"', 'rate = "0.40"')):
        answer = simulate_log(world.ledger, read_draft(draft), uscc=org).as_json()
        claims = answer["organisation"]["claims"]
        for side in ("baseline", "simulated"):
            assert sum((D(c[side]) for c in claims), D(0)) == D("60000"), claims
        assert [c["status"] for c in claims if c["claim_id"] == unpaid["id"]] == ["approved", "revocation"]
        assert [c["status"] for c in claims if c["claim_id"] == paid["id"]] == ["approved", "revocation", "repayment"]
        [row] = [p for p in answer["programmes"] if p["code"] == programme]
        assert (D(row["baseline"]), D(row["simulated"])) == (D("60000"), D("60000")), row
        plain = simulate_ledger(world.ledger, read_draft(draft), uscc=org, plain=True, hot=None).as_json()
        assert simulate_ledger(world.ledger, read_draft(draft), uscc=org, hot=1).as_json() == plain


def test_a_claim_dated_before_a_departure_recorded_earlier_replays_as_booked(world: World, database_url: str,
                                                                             monkeypatch, capsys) -> None:
    """A rules probe: an organisation's departure on 2024-01-01 recorded first, then its voucher dated 2023-12-31
    (inside the district that day) approved at 300.00: the live ledger pays it, but the replay read where the
    organisation is now and gave `not_eligible`, so the sandbox's baseline fell short of the books and `recheck`
    listed the award to be corrected. The replay reads where it was on the claim's day, as the ledger does."""
    left = world.org()
    world.ledger.change_district(KJJ, uscc=left, in_district=False, effective_on=date(2024, 1, 1),
                                 reason="迁出滨江", document_ref="迁出-1")
    world.approved(left, "A5.voucher", basis_amount="1000", effective_on=date(2023, 12, 31))
    refused = world.org()
    world.ledger.change_district(KJJ, uscc=refused, in_district=False, effective_on=date(2023, 7, 1),
                                 reason="迁出滨江", document_ref="迁出-2")
    with pytest.raises(errors.NotEligible):  # dated after its departure: refused live, and so in the replay
        world.claim(refused, "A5.voucher", basis_amount="1000", effective_on=date(2023, 8, 1))
    answer = simulate_log(world.ledger, read_draft(in_force())).as_json()
    assert answer["baseline"]["entitled"] == answer["simulated"]["entitled"] == "300.00", answer["baseline"]
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    assert main(["recheck", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_draft_whose_ladder_runs_downhill_is_answered_with_a_warning(world: World, database_url, monkeypatch,
                                                                        capsys, tmp_path) -> None:
    """A national ERC at 150,000 below its 200,000 municipal rung is a valid what-if, but rule 3 then pays a unit
    climbing to it nothing more: the answer says so (JSON `warnings`, the CLI's table), as a sandbox probe's
    "-800,000" did not; the catalogue in force warns of nothing."""
    draft = edit("A3.erc", r'amount = "1000000.00"', 'amount = "150000.00"')
    answer = simulate_log(world.ledger, read_draft(draft)).as_json()
    [warned] = answer["warnings"]
    assert warned["code"] == "ladder_downhill" and warned["field"].startswith("A3.erc.ladders[")
    assert simulate_log(world.ledger, read_draft(in_force())).as_json()["warnings"] == []
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_LANG", "en")
    (tmp_path / "draft.toml").write_text(draft, encoding="utf-8")
    assert main(["simulate", "--catalogue", str(tmp_path / "draft.toml")]) == 0
    assert "note: A3.erc: 'national' pays 150000.00" in capsys.readouterr().out



@given(rate=st.sampled_from(["0.10", "0.30", "0.40"]))
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_payout_reversed_after_the_revocation_stops_counting_in_the_replay_as_in_the_books(world: World,
                                                                                              rate: str) -> None:
    """A voucher approved at 300,000 and paid 150,000, 50,000 of it booked in error, then revoked; the wrong payout
    reversed since: the books count 100,000 on the cap (a second voucher gets 400,000) and give the fund the
    50,000 back, and so does the replay, under the catalogue in force (nothing moves) and under any rate (the
    revoked claim keeps what stands paid, no more than the draft awards; the twin's answer is the plain replays')."""
    from ledger.principals import Principal, Role

    finance = Principal("finance-1", Role.FINANCE)
    org = world.org()
    first = world.approved(org, "A5.voucher", basis_amount="1000000", effective_on=date(2024, 3, 3), year=2024)
    world.ledger.record_payout(finance, claim_id=first["id"], amount=D("100000"), paid_on=date(2024, 4, 4),
                               bank_ref=f"B-{org}")
    wrong = world.ledger.record_payout(finance, claim_id=first["id"], amount=D("50000"), paid_on=date(2024, 4, 5),
                                       bank_ref=f"W-{org}").view["id"]
    world.ledger.revoke_claim(KJJ, claim_id=first["id"], reason="fraud", document_ref="DOC-R")
    world.ledger.reverse_payout(finance, payout_id=wrong, reason="记错申请", document_ref="更〔2024〕2号")
    second = world.approved(org, "A5.voucher", basis_amount="3000000", effective_on=date(2024, 5, 5), year=2024)
    assert second["approved_amount"] == "400000.00"  # the 100,000 still paid counts on the cap, the 50,000 not
    assert simulate_log(world.ledger, read_draft(in_force()), uscc=org).as_json()["delta"] == "0.00"
    draft = read_draft(edit("A5.voucher", r'rate = "0.30"', f'rate = "{rate}"'))
    answer = simulate_log(world.ledger, draft, uscc=org).as_json()
    revoked = [c for c in answer["organisation"]["claims"] if c["claim_id"] == first["id"]]
    kept = min(D("100000"), min(D("1000000") * D(rate), D("500000")))
    assert sum((D(c["baseline"]) for c in revoked), D(0)) == D("100000"), revoked
    assert sum((D(c["simulated"]) for c in revoked), D(0)) == kept, revoked
    [fund] = [row for row in answer["fund"] if row["year"] == 2024]
    assert D(fund["baseline"]) == world.ledger.repository.get(FundYear.create_id(2024)).approved
    plain = simulate_ledger(world.ledger, draft, uscc=org, plain=True, hot=None).as_json()
    assert simulate_ledger(world.ledger, draft, uscc=org).as_json() == plain

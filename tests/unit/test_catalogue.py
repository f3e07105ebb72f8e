"""The shipped catalogue is the product owner's reading of the policy, and a malformed one is refused."""
from __future__ import annotations

import copy
import re
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.catalogue import CapScope, CatalogueError, Kind, OncePer, catalogues, current, in_force, load_file, parse
from ledger.catalogue.load import HERE
from ledger.catalogue.model import LadderPer

SHIPPED = HERE / "binjiang-2022.toml"
D = Decimal

# One row per programme of shared/policy/catalogue.md: code, article, lead, kind, {tier: amount},
# rate, max_award, {cap scope: limit}, ladders. Copied from the table, not from the TOML.
ROWS = [
    ("A3.consortium", 3, "kjj", Kind.TIERED, {"provincial": "500000", "municipal": "300000"}, None, None, {},
     [("municipal", "provincial")]),
    ("A3.community", 3, "kjj", Kind.TIERED, {"provincial": "500000", "municipal": "300000"}, None, None, {},
     [("municipal", "provincial")]),
    ("A3.alliance", 3, "kjj", Kind.CAPPED, {}, None, "300000", {}, []),
    ("A3.mic", 3, "kjj", Kind.AS_REQUIRED, {"national": None, "provincial": None, "municipal": None}, None, None,
     {}, []),
    ("A3.erc", 3, "kjj", Kind.TIERED, {"national": "1000000", "provincial": "500000", "municipal": "200000"},
     None, None, {}, [("municipal", "provincial", "national")]),
    ("A4.challenge", 4, "kjj", Kind.RATE, {}, "0.30", None, {CapScope.PROJECT: "5000000"}, []),
    ("A4.matching", 4, "kjj", Kind.AS_REQUIRED, {}, None, None, {}, []),
    ("A5.voucher", 5, "kjj", Kind.RATE, {}, "0.30", None, {CapScope.ENTERPRISE_YEAR: "500000"}, []),
    ("A5.computing", 5, "kjj", Kind.RATE, {}, "0.20", None, {CapScope.ENTERPRISE_TERM: "1000000"}, []),
    ("A6.chain_leader", 6, "jxj", Kind.DESIGNATION, {}, None, None, {}, []),
    ("A6.chain_leader_rd", 6, "jxj", Kind.RATE, {}, "0.20", None, {}, []),
    ("A6.honour", 6, "jxj", Kind.TIERED, {"single_champion": "2000000", "little_giant": "1000000",
                                          "hidden_champion": "1000000", "provincial_sme": "200000"},
     None, None, {}, [("provincial_sme", "little_giant")]),
    ("A8.orders", 8, "jxj", Kind.CAPPED, {}, None, "1000000", {}, []),
    ("A8.tech_transfer", 8, "jxj", Kind.RATE, {}, "0.20", None, {CapScope.ENTERPRISE_YEAR: "1000000"}, []),
    ("A9.national_award", 9, "kjj", Kind.TIERED, {"first": "5000000", "second": "1000000"}, None, None, {},
     [("second", "first")]),
    ("A9.provincial_award", 9, "kjj", Kind.TIERED, {"first": "500000", "second": "200000", "third": "100000"},
     None, None, {}, [("third", "second", "first")]),
    ("A10.first_set", 10, "jxj", Kind.CAPPED, {}, None, "500000", {}, []),
    ("A11.standard", 11, "scjgj", Kind.TIERED,
     {"international_lead": "1000000", "international_participate": "500000", "national": "200000",
      "industry": "100000"}, None, None, {CapScope.ORGANISATION_YEAR: "1000000"},
     # Art. 16: one unit's awards for one standard are one award at its highest level (a caps probe)
     [("industry", "national", "international_participate", "international_lead")]),
    ("A12.talent", 12, "rcb", Kind.AS_REQUIRED, {}, None, None, {}, []),
    ("A13.equity", 13, "fgj", Kind.INVESTMENT, {}, None, "20000000",
     {CapScope.PROJECT: "20000000", CapScope.POOL: "100000000"}, []),
    ("A13.follow_on", 13, "fgj", Kind.INVESTMENT, {}, "0.20", None,
     {CapScope.PROJECT: "10000000", CapScope.POOL: "100000000"}, []),
]


def _money(value: str | None) -> Decimal | None:
    return None if value is None else D(value)


def test_shipped_catalogue_loads_as_the_current_version():
    """The TOML in the package loads and is the catalogue the ledger decides claims with."""
    catalogue = load_file(SHIPPED)
    assert catalogue.policy.id == "binjiang-2022"
    assert current().policy == catalogue.policy
    assert catalogues() == (current(),)


def test_the_catalogue_has_exactly_the_programmes_of_the_table():
    """No programme of catalogue.md is missing and none is invented."""
    assert set(current().programmes) == {row[0] for row in ROWS}


@pytest.mark.parametrize(("code", "article", "lead", "kind", "tiers", "rate", "max_award", "caps", "ladders"),
                         ROWS, ids=[row[0] for row in ROWS])
def test_programme_matches_catalogue_md(code, article, lead, kind, tiers, rate, max_award, caps, ladders):
    """Each programme carries the article, lead bureau, kind, tiers, rate, award cap, caps and ladders of its row."""
    programme = current().programme(code)
    assert programme is not None
    assert (programme.article, programme.lead, programme.kind) == (article, lead, kind)
    assert {t.code: t.amount for t in programme.tiers} == {k: _money(v) for k, v in tiers.items()}
    assert programme.rate == _money(rate)
    assert programme.max_award == _money(max_award)
    assert {c.scope: c.limit for c in programme.caps} == {k: D(v) for k, v in caps.items()}
    assert list(programme.ladders) == ladders


@pytest.mark.parametrize(("code", "article"), [(row[0], row[1]) for row in ROWS], ids=[row[0] for row in ROWS])
def test_every_lead_bureau_leads_the_articles_the_table_gives_it(code, article):
    """Who is who: kjj leads Art. 3, 4, 5, 9; jxj Art. 6, 8, 10; scjgj Art. 11; rcb Art. 12; fgj Art. 13."""
    leads = {3: "kjj", 4: "kjj", 5: "kjj", 9: "kjj", 6: "jxj", 8: "jxj", 10: "jxj", 11: "scjgj", 12: "rcb",
             13: "fgj"}
    assert current().programme(code).lead == leads[article]


def test_bureaus_and_finance():
    """The catalogue names every bureau of 'Who is who', and only czj records money."""
    catalogue = current()
    assert {b.code for b in catalogue.bureaus} == {"kjj", "jxj", "scjgj", "rcb", "fgj", "czj", "swj", "jyj", "kcgs"}
    assert [b.code for b in catalogue.bureaus if b.records_money] == ["czj"]


def test_programme_rules_beyond_the_amounts():
    """Rank shares, rank limits, thresholds, designations and one-time scopes are the table's."""
    catalogue = current()
    national = catalogue.programme("A9.national_award")
    assert [(s.first, s.last, s.share) for s in national.rank_shares] == [(1, 1, D("1")), (2, 5, D("0.5"))]
    provincial = catalogue.programme("A9.provincial_award")
    assert [(s.first, s.last, s.share) for s in provincial.rank_shares] == [(1, 1, D("1"))]
    standard = catalogue.programme("A11.standard")
    assert {t.code: t.max_rank for t in standard.tiers} == {
        "international_lead": None, "international_participate": None, "national": 3, "industry": 2}
    orders = catalogue.programme("A8.orders")
    assert [(t.fact, t.minimum) for t in orders.thresholds] == [("basis_amount", D("100000000"))]
    assert orders.requires_designation == "A6.chain_leader"
    rd = catalogue.programme("A6.chain_leader_rd")
    assert (rd.requires_designation, rd.requires_body_lead) == ("A6.chain_leader", True)
    assert catalogue.programme("A8.tech_transfer").requires_membership is False
    assert all(p.requires_membership for p in catalogue.programmes.values() if p.code != "A8.tech_transfer")
    assert catalogue.programme("A3.alliance").once_per is OncePer.BODY
    assert catalogue.programme("A10.first_set").once_per is OncePer.SUBJECT


def test_the_pinned_readings_are_data():
    """Rules 3, 5, 10, 11 and 13 as catalogue data: recognition awards name the body kind they pay for, prize
    grades are ladders per unit and subject, A13's one fund is a pool both programmes draw on, ranked programmes
    hold rank slots, and subjects have their kinds."""
    catalogue = current()
    kinds = {c: catalogue.programme(c).body_kind for c in catalogue.programmes if c.startswith("A3.")}
    assert kinds == {"A3.consortium": "consortium", "A3.community": "community", "A3.alliance": "alliance",
                     "A3.mic": "mic", "A3.erc": "erc"}
    assert all(p.body_kind is None for c, p in catalogue.programmes.items() if not c.startswith("A3."))
    for code in ("A9.national_award", "A9.provincial_award", "A11.standard"):
        assert catalogue.programme(code).ladder_per is LadderPer.SUBJECT and catalogue.programme(code).ranked
    fund = catalogue.pools["A13.fund"]
    assert (fund.limit, fund.programmes, fund.article) == (D("100000000.00"), ("A13.equity", "A13.follow_on"), 13)
    assert catalogue.subject_kinds == ("project", "product", "standard")
    assert catalogue.policy.award_year_lag == 1
    decided = {c for c, p in catalogue.programmes.items() if p.decided}
    assert decided == {"A3.alliance", "A3.mic", "A4.matching", "A8.orders", "A10.first_set", "A12.talent",
                       "A13.equity", "A13.follow_on"}


def test_a_pool_cap_must_name_a_pool_of_the_catalogue():
    """A cap of scope pool names a [[pools]] entry and takes its limit from it: anything else is refused."""
    document = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    broken = copy.deepcopy(document)
    next(p for p in broken["programmes"] if p["code"] == "A13.equity")["caps"][1]["pool"] = "A99.nowhere"
    with pytest.raises(CatalogueError, match=r"A99\.nowhere"):
        parse(broken)
    twice = copy.deepcopy(document)
    next(p for p in twice["programmes"] if p["code"] == "A13.equity")["caps"][1]["limit"] = "5.00"
    with pytest.raises(CatalogueError, match="set once"):
        parse(twice)


def test_amounts_are_exact_decimals():
    """Every amount, rate and limit in the catalogue is a Decimal, never a float."""
    for programme in current().programmes.values():
        values = [t.amount for t in programme.tiers] + [programme.rate, programme.max_award]
        values += [c.limit for c in programme.caps]
        assert all(v is None or type(v) is Decimal for v in values), programme.code


def test_policy_term_and_fund_floor():
    """The term is 2022-09-06..2025-09-05 inclusive (Art. 16) and the special fund floor 300,000,000 (Art. 2)."""
    policy = current().policy
    assert (policy.effective_from, policy.effective_to) == (date(2022, 9, 6), date(2025, 9, 5))
    assert (policy.term_article, policy.special_fund_article) == (16, 2)
    assert policy.special_fund_floor == D("300000000.00")
    assert list(policy.years) == [2022, 2023, 2024, 2025]
    assert policy.in_term(date(2022, 9, 6)) and policy.in_term(date(2025, 9, 5))
    assert not policy.in_term(date(2022, 9, 5)) and not policy.in_term(date(2025, 9, 6))


# ---------------------------------------------------------------- malformed files


def _document() -> dict:
    return tomllib.loads(SHIPPED.read_text(encoding="utf-8"))


def _programme(document: dict, code: str) -> dict:
    return next(p for p in document["programmes"] if p["code"] == code)


def _drop_lead(d):
    del _programme(d, "A3.erc")["lead"]


def _float_amount(d):
    _programme(d, "A3.erc")["tiers"][0]["amount"] = 1000000.0


def _unknown_kind(d):
    _programme(d, "A3.erc")["kind"] = "lottery"


def _stray_rung(d):
    _programme(d, "A3.erc")["ladders"] = [["municipal", "regional"]]


def _duplicate_code(d):
    d["programmes"].append(copy.deepcopy(_programme(d, "A3.erc")))


def _unknown_designation(d):
    _programme(d, "A8.orders")["requires_designation"] = "A6.chain_boss"


def _unknown_lead(d):
    _programme(d, "A3.erc")["lead"] = "mayor"


def _float_rate(d):
    _programme(d, "A5.voucher")["rate"] = 0.3


def _negative_rate(d):
    _programme(d, "A5.voucher")["rate"] = "-0.30"


def _rate_above_one(d):
    _programme(d, "A5.voucher")["rate"] = "30"


def _share_above_one(d):
    _programme(d, "A9.national_award")["rank_shares"][1]["share"] = "7"  # a unit paid 7 times its prize


def _amount_past_fifteen_digits(d):
    _programme(d, "A3.erc")["tiers"][0]["amount"] = "1" + "0" * 40 + ".00"  # a traceback in the sandbox before


def _tier_without_amount(d):
    del _programme(d, "A3.erc")["tiers"][0]["amount"]


def _tiered_without_tiers(d):  # a sandbox probe: it validated, and every claim under it simulated to 0.00
    programme = _programme(d, "A6.honour")
    del programme["tiers"]
    programme.pop("ladders", None)


def _made_tiered_with_no_tiers(d):
    _programme(d, "A5.voucher")["kind"] = "tiered"


def _term_backwards(d):
    d["policy"]["effective_to"] = date(2021, 1, 1)


def _missing_term(d):
    del d["policy"]["effective_from"]


def _text_max_rank(d):
    _programme(d, "A11.standard")["tiers"][2]["max_rank"] = "3"


def _body_kind_without_name(d):
    del d["body_kinds"]["erc"]["name_en"]


def _three_place_amount(d):
    _programme(d, "A3.erc")["tiers"][0]["amount"] = "200000.001"


def _three_place_cap(d):
    _programme(d, "A5.voucher")["caps"][0]["limit"] = "500000.005"


def _misspelt_caps(d):
    programme = _programme(d, "A5.voucher")
    programme["cap"] = programme.pop("caps")


def _misspelt_policy_field(d):
    d["policy"]["award_year_lags"] = 1


def _stray_top_level_table(d):
    d["programme"] = [{"code": "A99.typo"}]


def _misspelt_tier_field(d):
    _programme(d, "A3.erc")["tiers"][0]["amout"] = "1.00"


def _negative_award_year_lag(d):
    d["policy"]["award_year_lag"] = -1


def _tier_twice(d):
    programme = _programme(d, "A3.erc")
    programme["tiers"].append(copy.deepcopy(programme["tiers"][0]))


def _rung_twice(d):
    _programme(d, "A3.erc")["ladders"] = [["municipal", "municipal", "national"]]


def _no_programmes(d):
    d["programmes"] = []


def _bureau_twice(d):
    d["bureaus"].append(copy.deepcopy(d["bureaus"][0]))


# A field the programme's kind does not read, and a ladder running downhill: a sandbox probe's drafts with each were
# answered, some as "no change", some as a saving of every claim of the programme.
def _rate_on_tiered(d):
    _programme(d, "A6.honour")["rate"] = "0.10"


def _ceiling_on_designation(d):
    _programme(d, "A6.chain_leader")["max_award"] = "100.00"


def _amount_on_an_as_required_tier(d):
    _programme(d, "A3.mic")["tiers"][0]["amount"] = "1.00"


def _project_cap_on_vouchers(d):
    _programme(d, "A5.voucher")["caps"][0]["scope"] = "project"


def _ladder_on_rate(d):
    _programme(d, "A5.voucher")["ladders"] = [["small", "large"]]


def _ladder_downhill(d):
    tiers = {t["code"]: t for t in _programme(d, "A6.honour")["tiers"]}
    tiers["little_giant"]["amount"] = "100000.00"  # below the provincial SME's 200,000 it climbs from


MALFORMED = [
    (_rate_on_tiered, "].rate: a tiered programme pays its tiers' amounts and reads no rate"),
    (_ceiling_on_designation, "].max_award: a designation grants no money"),
    (_amount_on_an_as_required_tier, "tiers[0].amount: only a tiered programme pays a tier's amount"),
    (_project_cap_on_vouchers, "caps[0].scope: a per-project cap counts each project's claims, and A5.voucher's"
                               " claims name no project (no subject_kind)"),
    (_ladder_on_rate, "].ladders: a programme without tiers has no ladder; take ladders out"),
    (_three_place_amount, "tiers[0].amount"),
    (_three_place_cap, "caps[0].limit"),
    (_misspelt_caps, "].cap: not a field of this table (did you mean 'caps'?)"),
    (_misspelt_policy_field, "policy.award_year_lags: not a field"),
    (_stray_top_level_table, "spoilt.toml.programme: not a field of this table (did you mean 'programmes'?)"),
    (_misspelt_tier_field, "tiers[0].amout: not a field of this table (did you mean 'amount'?)"),
    (_negative_award_year_lag, "policy.award_year_lag: expected a whole number of at least 0"),
    (_tier_twice, "appears twice"),
    (_rung_twice, "ladders[0]: a rung appears twice"),
    (_no_programmes, "at least one [[programmes]]"),
    (_bureau_twice, "bureaus: a bureau code appears twice"),
    (_drop_lead, "].lead: missing; name the lead bureau by a code listed under [[bureaus]] (czj, fgj, jxj"),
    (_float_amount, "amount"),
    (_unknown_kind, "kind"),
    (_stray_rung, "ladders[0]: 'regional' is not a tier code of this programme; every rung must be one of its tiers"
                  " (national, provincial, municipal)"),
    (_duplicate_code, "appears twice"),
    (_unknown_designation, "programmes[12].requires_designation: A8.orders names no designation: 'A6.chain_boss'"),
    (_unknown_lead, "lead"),
    (_float_rate, 'rate: expected a decimal string such as "0.30" (never a float)'),
    (_negative_rate, 'rate: expected a decimal string that is not negative, such as "0.30"'),
    (_rate_above_one, "rate"),
    (_share_above_one, "rank_shares[1].share: a share is a fraction in (0, 1], got 7"),
    (_amount_past_fifteen_digits, "tiers[0].amount: expected a decimal of at most 15 digits before the point"),
    (_tier_without_amount, "tiers"),
    (_tiered_without_tiers, "].tiers: a tiered programme needs at least one tier"),
    (_made_tiered_with_no_tiers, "].tiers: a tiered programme needs at least one tier"),
    (_term_backwards, "effective_to"),
    (_missing_term, "effective_from"),
    (_text_max_rank, "tiers[2].max_rank"),
    (_body_kind_without_name, "body_kinds.erc.name_en"),
]


def test_a_ladder_running_downhill_is_valid_and_warned_of():
    """A draft's little giant below the provincial SME it climbs from loads (a what-if may mean it) and is named
    among the sandbox's warnings, in Chinese too."""
    from ledger.catalogue.load import downhill_ladders

    document = _document()
    assert downhill_ladders(parse(document, "shipped.toml")) == []
    _ladder_downhill(document)
    [warned] = downhill_ladders(parse(document, "draft.toml"))
    assert warned["field"] == "A6.honour.ladders[0]" and "'little_giant' pays 100000.00" in warned["message"]
    assert "小巨人（little_giant）金额为 100,000.00 元，不高于其下一级" in warned["message_zh"], warned


@pytest.mark.parametrize(("spoil", "named"), MALFORMED, ids=[m[0].__name__.strip("_") for m in MALFORMED])
def test_malformed_catalogue_is_refused_naming_the_field(spoil, named):
    """A catalogue that breaks one rule of the format is refused with a message naming the offending field."""
    document = _document()
    spoil(document)
    with pytest.raises(CatalogueError, match=re.escape(named)):
        parse(document, "spoilt.toml")


def test_float_amount_message_says_never_a_float():
    """A float amount is refused with a message that says where and that amounts are decimal strings."""
    document = _document()
    _float_amount(document)
    with pytest.raises(CatalogueError) as caught:
        parse(document, "spoilt.toml")
    message = str(caught.value)
    assert "programmes[4].tiers[0].amount" in message and "never a float" in message


def test_an_integer_amount_is_told_its_quotes_are_missing_not_that_it_is_a_float():
    """`amount = 200000` was told "never a float" (a probe): an integer is no float; its quotes are missing."""
    document = _document()
    document["programmes"][4]["tiers"][0]["amount"] = 200000
    with pytest.raises(CatalogueError) as caught:
        parse(document, "spoilt.toml")
    assert "not a bare number" in str(caught.value) and "float" not in str(caught.value)
    assert "不带引号" in caught.value.zh


def test_missing_lead_message_names_the_programme_path():
    """A missing `lead` names the programme's position in the file."""
    document = _document()
    _drop_lead(document)
    with pytest.raises(CatalogueError, match=r"spoilt\.toml\.programmes\[4\]\.lead"):
        parse(document, "spoilt.toml")


def test_malformed_file_on_disk_is_refused(tmp_path: Path):
    """load_file reads a TOML file and refuses a spoilt one with a message naming the field."""
    path = tmp_path / "spoilt.toml"
    path.write_text(SHIPPED.read_text(encoding="utf-8").replace('kind = "capped"', 'kind = "lottery"', 1),
                    encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"spoilt\.toml.*kind.*tiered, capped, rate"):
        load_file(path)


def test_bad_toml_is_refused(tmp_path: Path):
    """A file that is not TOML is refused with a message naming the file, not a parser traceback."""
    path = tmp_path / "broken.toml"
    path.write_text('[policy]\nid = "unterminated\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"broken\.toml: not valid TOML"):
        load_file(path)


def test_empty_folder_has_no_catalogue(tmp_path: Path):
    """A folder without any catalogue file is an error, not an empty policy."""
    with pytest.raises(CatalogueError, match="no catalogue"):
        catalogues(tmp_path)


# ---------------------------------------------------------------- versions by date


@pytest.fixture
def two_versions(tmp_path: Path) -> Path:
    """A folder holding the shipped policy and a renewal that follows it directly."""
    text = SHIPPED.read_text(encoding="utf-8")
    (tmp_path / "binjiang-2022.toml").write_text(text, encoding="utf-8")
    renewed = (text.replace('version = "2022.1"', 'version = "2025.1"')
               .replace('id = "binjiang-2022"', 'id = "binjiang-2025"')
               .replace("effective_from = 2022-09-06", "effective_from = 2025-09-06")
               .replace("effective_to = 2025-09-05", "effective_to = 2028-09-05"))
    (tmp_path / "binjiang-2025.toml").write_text(renewed, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("day", "version"), [
    (date(2022, 9, 6), "2022.1"), (date(2025, 9, 5), "2022.1"),
    (date(2025, 9, 6), "2025.1"), (date(2028, 9, 5), "2025.1"),
])
def test_in_force_picks_the_version_whose_term_holds_the_date(two_versions, day, version):
    """in_force chooses the catalogue version by date, boundaries included."""
    assert in_force(day, two_versions).policy.version == version


@pytest.mark.parametrize("day", [date(2022, 9, 5), date(2028, 9, 6)])
def test_in_force_is_none_outside_every_term(two_versions, day):
    """Outside every version's term no catalogue is in force."""
    assert in_force(day, two_versions) is None


def test_current_is_the_newest_version(two_versions):
    """current() is the version with the latest term; versions are ordered oldest first."""
    assert current(two_versions).policy.version == "2025.1"
    assert [c.policy.version for c in catalogues(two_versions)] == ["2022.1", "2025.1"]


def test_shipped_policy_in_force_by_date():
    """With the shipped folder, the 2022 policy is in force inside its term and nothing outside it."""
    assert in_force(date(2024, 1, 1)).policy.id == "binjiang-2022"
    assert in_force(date(2025, 9, 6)) is None


def test_a_wrong_value_is_shown_as_the_file_wrote_it():
    """A date where a decimal string belongs reads "got 2023-03-01", not Python's datetime.date(2023, 3, 1)."""
    document = _document()
    _programme(document, "A3.erc")["tiers"][0]["amount"] = date(2023, 3, 1)
    with pytest.raises(CatalogueError) as refused:
        parse(document, "spoilt.toml")
    assert "got 2023-03-01" in str(refused.value) and "实际为 2023-03-01" in refused.value.zh
    assert "datetime" not in str(refused.value) + refused.value.zh


@pytest.mark.parametrize("written", ["1e5", "1E+5", "３００００", "٥٠٠٠٠", " 50000.00 ", "50_000", "+5", ".5", "5."])
def test_an_amount_is_written_as_money_is_everywhere(written):
    """ASCII digits and at most one point, as JSON money is read: a probe found "1e5", full-width digits, spaces
    and "50_000" taken by the sandbox (Decimal() reads them all), where every other input refuses them."""
    document = _document()
    _programme(document, "A3.erc")["tiers"][0]["amount"] = written
    with pytest.raises(CatalogueError, match=re.escape("programmes[4].tiers[0].amount")):
        parse(document, "spoilt.toml")


def _next_steps_cases() -> list:
    def lead(d): _programme(d, "A3.erc")["lead"] = "xyz"
    def pool(d): _programme(d, "A13.equity")["caps"][1]["pool"] = "A13.nofund"
    def body(d): _programme(d, "A3.erc")["body_kind"] = "lab"
    def subject(d): _programme(d, "A4.challenge")["subject_kind"] = "planet"
    def term(d): d["policy"]["effective_to"] = d["policy"]["effective_from"].replace(year=2021)
    def code(d): _programme(d, "A3.mic")["code"] = "A3.erc"
    def amount(d): _programme(d, "A3.erc")["tiers"][0].pop("amount")
    def rate(d): _programme(d, "A5.voucher")["rate"] = "30"
    def share(d): _programme(d, "A9.national_award")["rank_shares"][1]["share"] = "50"
    def designation(d): _programme(d, "A8.orders")["requires_designation"] = "A6.nobody"
    return [lead, pool, body, subject, term, code, amount, rate, share, designation]


@pytest.mark.parametrize("spoil", _next_steps_cases(), ids=lambda f: f.__name__)
def test_a_catalogue_refusal_says_what_to_do_in_english_as_in_chinese(spoil) -> None:
    """Several refusals said what to do in Chinese only (a sandbox probe): "'xyz' is not a bureau of the
    catalogue", "policy.effective_to is before policy.effective_from". Each now says it in English too."""
    document = _document()
    spoil(document)
    with pytest.raises(CatalogueError) as caught:
        parse(document, "spoilt.toml")
    english, chinese = str(caught.value), caught.value.zh
    assert re.search(r"; (name|set|give|write|use) ", english) or re.search(r"\((never|not) a ", english), english
    assert "；" in chinese or "，如" in chinese, chinese  # the fault, then what to do


@pytest.mark.parametrize("broken", ['a b = 1', '[a\nx=1', '[[a]\n', 'x = 1 y', 'a = {b=1, b=2}', 'x = "\\q"',
                                    'x = 1979-13-01', 'x = [1,', 'x = "abc', 'x = {a=1', 'x = yes', '?', 'a=1\na=2',
                                    '[t]\n[t]', '[a.b]\n[a.b]', 'x = "\\uD800"', 'x = "\\u12"', 'x = "a\x01"',
                                    'a = [1]\n[[a]]'])
def test_the_toml_parsers_words_read_in_chinese(broken: str):
    """Every cause tomllib gives is said in Chinese with its place (第 N 行第 M 列, 文件末尾): it quoted the parser's
    English inside the Chinese refusal (a zh probe)."""
    import re
    import tomllib

    from ledger.catalogue import toml_words

    with pytest.raises(tomllib.TOMLDecodeError) as err:
        tomllib.loads(broken)
    said = toml_words.zh(err.value)
    assert re.match(r"(第 \d+ 行第 \d+ 列|文件末尾)：", said), said
    assert not re.search(r"[A-Za-z]{3,}", re.sub(r"'[^']*'|\"[^\"]*\"|Unicode|TOML", "", said)), said
    assert "('" not in said and "('" not in toml_words.en(err.value)  # a key as TOML writes it, not a tuple

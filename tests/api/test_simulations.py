"""POST /v1/simulations over the real app, both stores: the draft as application/toml, the pinned JSON, the
files, the roles, and a refusal naming the field and line that writes nothing."""
from __future__ import annotations

import io
import json
import re

from openpyxl import load_workbook

from tests.sandbox.drafts import drop, edit, in_force
from tests.support import unique_uscc

TOML = {"Content-Type": "application/toml"}


def _post(api, text: str, as_: str = "auditor", query: str = "", headers: dict | None = None):
    return api.client.post(f"/v1/simulations{query}", content=text.encode("utf-8"),
                           headers={**TOML, **(headers or {}), "Authorization": f"Bearer {api.tokens[as_]}"})


def test_a_raised_rate_is_answered_in_the_contracts_shape(api, world) -> None:
    """An auditor, a bureau and an admin each get 200 with the pinned fields; the raised rate moves A5.voucher
    alone, and ?uscc= explains that organisation's claim before and after."""
    org = world.org()
    world.approved(org, "A5.voucher", basis_amount="1000000")
    draft = edit("A5.voucher", r'rate = "0.30"', 'rate = "0.40"')
    for who in ("auditor", "kjj", "admin"):
        response = _post(api, draft, as_=who, query=f"?uscc={org}")
        assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["baseline"]["policy_version"] == answer["simulated"]["policy_version"] == "2022.1"
    assert [(p["code"], p["delta"]) for p in answer["programmes"] if p["delta"] != "0.00"] == [
        ("A5.voucher", "100000.00")]
    assert [o["uscc"] for o in answer["organisations_gaining"]] == [org]
    [claim] = answer["organisation"]["claims"]
    assert (claim["baseline"], claim["simulated"]) == ("300000.00", "400000.00")


def test_the_organisations_that_gain_are_named_and_a_refusal_reads_in_chinese(api, world) -> None:
    """Over HTTP as on the command line, each gaining or losing organisation carries its registered name, in the
    JSON and the CSV; a claim the draft refuses says why in Chinese too (`detail_zh`), as the page shows it."""
    org = world.org()
    name = api.ok("GET", f"/v1/organisations/{org}")["name"]
    world.approved(org, "A5.voucher", basis_amount="1000000")
    answer = _post(api, edit("A5.voucher", r'rate = "0.30"', 'rate = "0.40"')).json()
    assert [(o["uscc"], o["name"]) for o in answer["organisations_gaining"]] == [(org, name)]
    csv_text = _post(api, edit("A5.voucher", r'rate = "0.30"', 'rate = "0.40"'), query="?format=csv").content
    assert f"{org},{name},300000.00,400000.00,100000.00,1" in csv_text.decode("utf-8-sig")
    answer = _post(api, drop("A5.voucher"), query=f"?uscc={org}").json()
    assert [(o["uscc"], o["name"]) for o in answer["organisations_losing"]] == [(org, name)]
    [claim] = answer["organisation"]["claims"]
    [step] = claim["simulated_explanation"]
    assert step["rule"] == claim["simulated_refusal"] == "unknown_programme", step
    assert "A5.voucher" in step["detail_zh"] and re.search("[\u4e00-\u9fff]", step["detail_zh"]), step


def test_the_command_line_and_the_api_give_the_same_json(api, world, settings, tmp_path, monkeypatch,
                                                          capsys) -> None:
    """The contract's "the same JSON": without ?uscc= the API answered `"organisation": null` where `simulate
    --json` left the key out (a sandbox probe); with it, both explain the claim. The same store, the same draft."""
    from tests.api.test_cli_language import run_cli

    org = world.org()
    world.approved(org, "A5.voucher", basis_amount="1000000")
    draft = edit("A5.voucher", r'rate = "0.30"', 'rate = "0.40"')
    (tmp_path / "draft.toml").write_text(draft, encoding="utf-8")
    variables = {"LEDGER_DATABASE_URL": settings.database_url,
                 "LEDGER_SIGNING_KEY_FILE": str(settings.signing_key_file)}
    for query, argv in (("", []), (f"?uscc={org}", ["--uscc", org])):
        code, out, err = run_cli(monkeypatch, capsys, tmp_path, ["simulate", "--catalogue", "draft.toml", "--json",
                                                                 *argv], variables)
        assert code == 0, err
        assert json.loads(out) == _post(api, draft, query=query).json()


def test_csv_and_xlsx_downloads_carry_the_same_figures(api, world) -> None:
    """format=csv gives a UTF-8 CSV with a BOM and the 合计 line; format=xlsx an exact-number workbook."""
    world.approved(world.org(), "A5.voucher", basis_amount="1000000")
    draft = edit("A5.voucher", r'rate = "0.30"', 'rate = "0.40"')
    csv_text = _post(api, draft, query="?format=csv").content.decode("utf-8-sig")
    assert "合计" in csv_text and "A5.voucher,创新券补助,300000.00,400000.00,100000.00,1" in csv_text
    response = _post(api, draft, query="?format=xlsx")
    assert 'filename="simulation.xlsx"' in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert rows["A5.voucher"][2:5] == (300000, 400000, 100000)


def test_a_bad_draft_is_refused_with_its_field_and_line_and_writes_nothing(api, world) -> None:
    """A float where an amount belongs is 422 invalid_catalogue naming the field and its line; finance may
    not simulate (403); a JSON body is refused as not TOML."""
    text = in_force().replace('limit = "100000000.00"', "limit = 100000000.0", 1)
    line = text.splitlines().index("limit = 100000000.0") + 1
    before = api.events()
    response = _post(api, text)
    assert response.status_code == 422
    problem = response.json()
    assert (problem["code"], problem["field"], problem["line"]) == ("invalid_catalogue", "pools[0].limit", line)
    assert "decimal string" in problem["detail"]
    assert _post(api, "[policy", as_="auditor").json()["line"] == 1
    assert _post(api, in_force(), as_="finance").status_code == 403
    assert _post(api, "{}", headers={"Content-Type": "application/json"}).json()["code"] == "invalid_catalogue"
    assert api.events() == before


def test_a_draft_with_money_past_the_fen_or_a_misspelt_field_is_refused_not_run(api, world) -> None:
    """An amount with three decimal places, and a misspelt field (`cap` for `caps`, which would drop the voucher's
    yearly cap without a word), are each 422 invalid_catalogue naming the field and its line; nothing is run."""
    world.approved(world.org(), "A5.voucher", basis_amount="2000000")
    before = api.events()
    three = in_force().replace('amount = "200000.00"', 'amount = "200000.001"', 1)
    problem = _post(api, three).json()
    assert (problem["code"], problem["status"]) == ("invalid_catalogue", 422), problem
    assert problem["field"].endswith(".amount") and "two decimal places" in problem["detail"]
    assert '"200000.001"' in three.splitlines()[problem["line"] - 1]
    typo = in_force().replace('caps = [{ scope = "enterprise_year", limit = "500000.00" }]',
                              'cap = [{ scope = "enterprise_year", limit = "500000.00" }]', 1)
    problem = _post(api, typo).json()
    assert (problem["code"], problem["status"]) == ("invalid_catalogue", 422), problem
    assert problem["field"].endswith(".cap") and "did you mean 'caps'" in problem["detail"]
    assert typo.splitlines()[problem["line"] - 1].startswith("cap = [")
    assert api.events() == before


def test_a_draft_nested_too_deep_for_the_parser_is_refused_not_a_crash(api) -> None:
    """Arrays nested past tomllib's stack (a RecursionError) are 422 invalid_catalogue, not 500."""
    problem = _post(api, "a = " + "[" * 100_000 + "]" * 100_000).json()
    assert (problem["status"], problem["code"]) == (422, "invalid_catalogue") and "nest" in problem["detail"]


def test_drafts_past_the_stated_bounds_are_refused_before_they_are_parsed(api) -> None:
    """A key of thousands of dotted parts (tomllib's time grows with their square) and a draft over 256 KiB are
    422 invalid_catalogue naming what to send instead; a dotted comment or string is no key."""
    keyed = _post(api, "[policy]\nid = \"x\"\n" + "a" + ".a" * 20_000 + " = 1\n").json()
    assert (keyed["status"], keyed["code"], keyed["line"]) == (422, "invalid_catalogue", 3), keyed
    assert "dotted parts" in keyed["detail"]
    # Parts of digits, every dot between two (not a decimal point: a float has one), went past the count and took
    # the parser 45 s for 54 KB (a sandbox probe); and a value's decimals are still no key.
    for key in ("0" + ".0" * 20_000, "1.5" + " .1.5" * 5_000):
        digits = _post(api, f"[policy]\nid = \"x\"\n{key} = 1\n").json()
        assert (digits["status"], digits["line"]) == (422, 3) and "dotted parts" in digits["detail"], digits
    large = _post(api, "x = 1\n" * 50_000).json()
    assert (large["status"], large["code"]) == (422, "invalid_catalogue") and "262,144" in large["detail"], large
    dotted_prose = in_force().replace('title_en = "', 'title_en = "' + "." * 40, 1) + "# " + "." * 200 + "\n"
    assert dotted_prose.count(".") > in_force().count(".") + 200
    assert _post(api, dotted_prose).status_code == 200
    floats = _post(api, "[policy]\nid = \"x\"\nrates = [" + ", ".join(["0.25"] * 40) + "]\n").json()
    assert "dotted parts" not in floats["detail"], floats  # forty decimals in a value: refused for other reasons


def test_a_day_written_with_a_time_is_refused_naming_its_field(api) -> None:
    """`effective_to = 2025-09-05T00:00:00` (with or without an offset) is no day: 422 naming the field and its
    line, not a 500 from comparing a date-time with a date."""
    for written in ("2025-09-05T00:00:00", "2025-09-05T10:00:00+08:00"):
        draft = in_force().replace("effective_to = 2025-09-05", f"effective_to = {written}")
        assert draft != in_force()
        problem = _post(api, draft).json()
        assert (problem["status"], problem["code"], problem["field"]) == (422, "invalid_catalogue",
                                                                          "policy.effective_to"), problem
        assert "without a time" in problem["detail"]


def test_an_idempotency_key_gets_the_first_answer_and_another_draft_under_it_is_a_conflict(api, world) -> None:
    """The contract's promise for every POST (a black-box probe found the sandbox ignoring the key): the same key
    and draft answer the first simulation again, marked replayed, even after the ledger has moved on; the same key
    with another draft is 409 `conflict`; a key used for a command is not taken for a simulation; nothing is
    written to the log either way."""
    org = world.org()
    world.approved(org, "A5.voucher", basis_amount="1000000")
    raised, other = (edit("A5.voucher", r'rate = "0.30"', f'rate = "{rate}"') for rate in ("0.40", "0.35"))
    key = {"Idempotency-Key": "sim-1"}
    before = api.events()
    first = _post(api, raised, headers=key)
    assert first.status_code == 200 and "Idempotent-Replayed" not in first.headers, first.text
    assert api.events() == before  # nothing written to the log
    world.approved(world.org(), "A5.voucher", basis_amount="1000000")  # the ledger moves on
    moved = api.events()
    again = _post(api, raised, headers=key)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert _post(api, raised).json()["simulated"] != first.json()["simulated"]  # without the key: the ledger now
    as_csv = _post(api, raised, headers=key, query="?format=csv")
    assert as_csv.headers["Idempotent-Replayed"] == "true" and org in as_csv.content.decode("utf-8-sig")
    conflict = _post(api, other, headers=key)
    assert conflict.status_code == 409 and conflict.json()["code"] == "conflict", conflict.text
    assert _post(api, raised, headers=key, as_="kjj").headers.get("Idempotent-Replayed") is None  # per principal
    assert api.events() == moved  # no simulation wrote an event
    command_key = {"Idempotency-Key": "org-1"}
    api.ok("POST", "/v1/organisations", {"uscc": unique_uscc(), "name": "某公司", "in_district": True},
           as_="admin", headers=command_key)
    assert _post(api, raised, as_="admin", headers=command_key).status_code == 409

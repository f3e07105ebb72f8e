"""`POST /v1/claims/{id}/top-up` over HTTP, both stores: an approved national ERC award net of a municipal rung
revoked since is topped up to the whole national rung (catalogue rule 3); the organisation's ladder, totals and
history, the award's receipt, and the refusals (in Chinese too) follow."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TOP_UP = {"reason": "市级认定撤销，国家级奖励按全额补足", "document_ref": "杭高新科〔2025〕9号"}


def test_an_award_net_of_a_revoked_lower_rung_is_topped_up_over_http(api, world, tmp_path: Path) -> None:
    org = world.org()
    cert = world.recognise(org, "A3.erc", "municipal")
    lower = world.approved(org, "A3.erc", certification_id=cert)
    api.ok("POST", f"/v1/certifications/{cert}/upgrades", {"tier": "national", "effective_on": "2024-03-01",
                                                            "document_ref": "国科发〔2024〕7号"}, as_="kjj")
    higher = world.approved(org, "A3.erc", certification_id=cert, award_year=2024, effective_on="2024-03-01")
    assert higher["approved_amount"] == "800000.00"
    zh = api.refused("POST", f"/v1/claims/{higher['id']}/top-up", TOP_UP, "kjj", 409, "already_awarded",
                     headers={"Accept-Language": "zh"})
    assert "没有差额可补" in zh["detail"], zh
    api.refused("POST", f"/v1/claims/{higher['id']}/top-up", TOP_UP, "jxj", 403, "not_lead_bureau")
    api.refused("POST", f"/v1/claims/{higher['id']}/top-up", {"reason": "补足"}, "kjj", 422, "invalid_request")
    api.ok("POST", f"/v1/claims/{lower['id']}/revoke", {"reason": "市级认定材料不实", "document_ref": "撤〔2025〕1号"},
           as_="kjj", status=200)
    top = api.ok("POST", f"/v1/claims/{higher['id']}/top-up", TOP_UP, as_="kjj", status=201,
                 headers={"Accept-Language": "zh"})
    assert (top["status"], top["entitled_amount"], top["tops_up"]) == ("pending", "200000.00", higher["id"])
    step = next(s for s in top["explanation"] if s["rule"] == "award_top_up")
    assert step["detail"].startswith(f"补足原奖励（申请 {higher['id']}）") and "1,000,000.00" in step["detail"], step
    award = api.ok("GET", f"/v1/claims/{higher['id']}", as_="auditor")
    assert award["top_ups"] == [top["id"]]
    topped = award["history"][-1]
    assert (topped["event"], topped["top_up_id"], topped["amount"]) == ("ToppedUp", top["id"], "200000.00")
    assert topped["reason"] == TOP_UP["reason"] and topped["document_ref"] == TOP_UP["document_ref"]
    # The organisation's history has the award's ToppedUp too, as the claim's own does (a top-up probe).
    told = [h for h in api.ok("GET", f"/v1/organisations/{org}/history", as_="auditor")["events"]
            if h.get("event") == "Claim.ToppedUp"]
    assert len(told) == 1, told
    pending = api.ok("GET", f"/v1/claims?status=pending&uscc={org}", as_="kjj")["claims"]
    assert [c["id"] for c in pending] == [top["id"]]
    api.refused("POST", f"/v1/claims/{higher['id']}/revoke", {"reason": "r", "document_ref": "d"}, "kjj", 409,
                "conflict")
    api.ok("POST", f"/v1/claims/{top['id']}/approve", {}, as_="kjj", status=200)
    state = api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")
    [ladder] = next(p["ladders"] for p in state["programmes"] if p["programme"] == "A3.erc")
    assert (ladder["reached"], ladder["awarded"]) == ("national", "1000000.00"), ladder
    assert state["totals"]["approved"] == "1000000.00", state["totals"]
    # The award's receipt (with its ToppedUp event) verifies with nothing but the file and the key.
    receipt = api.ok("GET", f"/v1/claims/{higher['id']}/receipt", as_="auditor")
    assert receipt["claim"]["top_ups"] == [top["id"]]
    (tmp_path / "receipt.json").write_text(json.dumps(receipt), encoding="utf-8")
    key = api.ok("GET", "/v1/audit/digest", as_="auditor")["public_key"]
    (tmp_path / "key.pem").write_text(key, encoding="utf-8")
    checked = subprocess.run([sys.executable, "-m", "api.cli", "verify-receipt", str(tmp_path / "receipt.json"),
                              "--public-key", str(tmp_path / "key.pem")], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_second_prize_over_a_revoked_first_prizes_kept_part_is_said_as_what_it_is(api, world) -> None:
    """A regression probe: the second prize topping up over a revoked first prize's kept 500,000 was explained as
    "upgrade from a lower rung already awarded (first …)". Now the step says the ladder's count and the kept part
    (in Chinese too)."""
    org, subject = world.org(), f"project:NA-{world.org()[-6:]}"
    prize = {"tier": "first", "rank": 1, "subject": subject, "award_year": 2024, "effective_on": "2024-03-01"}
    first = world.approved(org, "A9.national_award", **prize)
    api.ok("POST", "/v1/payouts", {"claim_id": first["id"], "amount": "500000.00", "paid_on": "2024-04-01",
                                   "bank_ref": f"PAY-{first['id'][:8]}"}, as_="finance")
    api.ok("POST", f"/v1/claims/{first['id']}/revoke",
           {"reason": "奖励等次更正为二等奖", "document_ref": "更〔2024〕1号"}, as_="kjj", status=200)
    second = api.ok("POST", "/v1/claims", {"uscc": org, "programme": "A9.national_award", **prize,
                                           "tier": "second"}, as_="kjj", headers={"Accept-Language": "zh"})
    step = next(s for s in second["explanation"] if s["rule"] == "upgrade_top_up")
    assert step["detail"].startswith("本序列已计 500,000.00 元") and "晋升" not in step["detail"], step
    assert "已撤销奖励的已拨付部分在退回前仍计入" in step["detail"] and second["entitled_amount"] == "500000.00"
    english = api.ok("GET", f"/v1/claims/{second['id']}", as_="auditor", headers={"Accept-Language": "en"})
    said = next(s for s in english["explanation"] if s["rule"] == "upgrade_top_up")["detail"]
    assert said.startswith("claims on this ladder already count 500,000.00") and "upgrade" not in said, said
    api.ok("POST", f"/v1/claims/{second['id']}/approve", {}, as_="kjj", status=200)
    state = api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")
    [ladder] = next(p["ladders"] for p in state["programmes"] if p["programme"] == "A9.national_award")
    # The revoked first prize still holds its rung while its paid part is kept (a new first-prize claim is refused
    # until it is repaid: tests/api/test_corrections.py), so the ladder reads first; what it counts is the rung's.
    assert (ladder["reached"], ladder["awarded"]) == ("first", "1000000.00"), ladder

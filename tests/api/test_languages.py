"""Explanations and refusals in the reader's language: Chinese when Accept-Language prefers it, English else."""
from __future__ import annotations

import re

HAN = re.compile(r"[\u4e00-\u9fff]")
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
VOUCHER = {"programme": "A5.voucher", "award_year": 2023, "effective_on": "2023-06-01", "basis_amount": "1000000.00"}


def test_an_explanation_reads_in_chinese_and_in_english(api, world):
    """The same claim's steps render in Chinese for zh and as before in English; the contract's fields stay."""
    claim = world.claim(world.org())
    english = api.ok("GET", f"/v1/claims/{claim['id']}", as_="auditor")
    chinese = api.ok("GET", f"/v1/claims/{claim['id']}", as_="auditor", headers=ZH)
    assert english["explanation"] == claim["explanation"]
    assert [s["detail"] for s in english["explanation"]] != [s["detail"] for s in chinese["explanation"]]
    for en, zh in zip(english["explanation"], chinese["explanation"], strict=True):
        assert {k: en[k] for k in ("rule", "article", "amount", "facts")} == \
            {k: zh[k] for k in ("rule", "article", "amount", "facts")}
        assert HAN.search(zh["detail"]) and "{" not in zh["detail"]
    assert chinese["explanation"][-1]["detail"] == "现可得：300,000.00 元"
    rate = next(s["detail"] for s in chinese["explanation"] if s["rule"] == "rate")
    assert "1,000,000.00 元的 30% = 300,000.00 元" in rate
    assert HAN.search(english["programme_name"]["zh"]) and english["programme_name"]["en"]
    assert HAN.search(english["bureau_name"]["zh"])


def test_english_stays_the_default_and_q_values_count(api, world):
    """No header, or one preferring English by q, reads English; a refusal's title and detail likewise."""
    org = world.org()
    for headers in ({}, {"Accept-Language": "en, zh;q=0.5"}, {"Accept-Language": "fr"}):
        problem = api.refused("POST", "/v1/claims/00000000-0000-4000-8000-000000000000/approve", None, "kjj",
                              404, "not_found", headers=headers)
        assert not HAN.search(problem["detail"]) and problem["title"] == "Not found"
    claim = api.ok("POST", "/v1/claims", {"uscc": org, **VOUCHER}, as_="kjj", headers={"Accept-Language": "en"})
    assert claim["explanation"][-1]["detail"] == "entitled now: 300,000.00"


def test_daily_refusals_read_in_chinese(api, world):
    """cap_exceeded, not_lead_bureau, over_approved, outside_policy_term and a malformed field: Chinese title
    and a Chinese sentence saying what to send instead, with the same code."""
    org = world.org()
    claim = world.claim(org)
    cap = api.refused("POST", f"/v1/claims/{claim['id']}/approve", {"amount": "300000.01"}, "kjj", 409,
                      "cap_exceeded", headers=ZH)
    assert cap["title"] == "超出上限" and "审批只能调低金额" in cap["detail"]
    lead = api.refused("POST", f"/v1/claims/{claim['id']}/approve", None, "jxj", 403, "not_lead_bureau",
                       headers=ZH)
    assert lead["title"] == "非牵头部门" and "无权审批" in lead["detail"]
    # The lead bureau by its name, as a new claim's refusal names it (由 kjj 牵头: a regression probe).
    assert "由区科技局（kjj）牵头" in lead["detail"] and "由 kjj" not in lead["detail"], lead["detail"]
    api.ok("POST", f"/v1/claims/{claim['id']}/approve", None, as_="kjj", status=200)
    over = api.refused("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": "300000.01",
                                               "paid_on": "2023-08-01", "bank_ref": "ZH-OVER-1"},
                       "finance", 409, "over_approved", headers=ZH)
    assert over["title"] == "超出批准金额" and "将超过批准金额 300,000.00 元" in over["detail"]
    term = api.refused("POST", "/v1/claims", {"uscc": org, **VOUCHER, "effective_on": "2026-01-01",
                                              "award_year": 2025}, "kjj", 409, "outside_policy_term", headers=ZH)
    assert "不在政策期" in term["detail"]
    bad = api.refused("POST", "/v1/claims", {"uscc": org, "programme": "A5.voucher"}, "kjj", 422,
                      "invalid_request", headers=ZH)
    assert bad["title"] == "请求有误" and "必须提供" in bad["detail"]
    assert all(HAN.search(e["message"]) for e in bad["errors"])  # each field error in Chinese too



def test_the_reconciliation_lists_programmes_in_article_order_with_names(api, world):
    """A year outside the term is refused with the term, in JSON and CSV, rather than answered with empty
    books; rows carry their programme's and bureau's names."""
    world.claim(world.org())
    recon = api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="finance")
    assert all(r["programme_name"]["zh"] and r["bureau_name"]["zh"] for r in recon["rows"])
    problem = api.refused("GET", "/v1/finance/reconciliation?year=2030", None, "finance", 409,
                          "outside_policy_term", headers=ZH)
    assert "2022-09-06" in problem["detail"] and problem["years"][0] == 2022 and HAN.search(problem["detail"])
    api.refused("GET", "/v1/finance/reconciliation.csv?year=2021", None, "finance", 409, "outside_policy_term")


def test_a_proposals_closing_note_reads_in_chinese(api, world):
    """The note the ledger writes when it closes a proposal (outranked by an approval; replaced by a submitted claim)
    was English under zh in the API, though the page read it in Chinese: it reads in Chinese now, naming the claim,
    and English as stored."""
    org = world.org()
    made = [api.ok("POST", "/v1/certifications", {"uscc": org, "programme": "A6.honour", "tier": tier,
                                                   "effective_on": day, "document_ref": doc}, as_="jxj")
            for tier, day, doc in (("provincial_sme", "2023-03-01", "浙经信〔2023〕7号"),
                                   ("little_giant", "2023-06-01", "工信部〔2023〕2号"))]
    low, high = (m["proposed_claims"][0] for m in made)
    low, high = (p["id"] if isinstance(p, dict) else p for p in (low, high))
    api.ok("POST", f"/v1/claims/{high}/confirm", {}, as_="jxj", status=200)
    api.ok("POST", f"/v1/claims/{high}/approve", {}, as_="jxj", status=200)
    chinese = api.ok("GET", f"/v1/claims/{low}", as_="auditor", headers=ZH)
    english = api.ok("GET", f"/v1/claims/{low}", as_="auditor")
    note = chinese["decision_note"]
    assert note.startswith(f"申请 {high} 已由 ") and "从优、从高、不重复" in note, note
    assert chinese["history"][-1]["reason"] == chinese["decision_note"]
    assert english["decision_note"].startswith(f"outranked by claim {high}, approved by ")
    erc = api.ok("GET", f"/v1/certifications/{world.certify(world.org(), 'A3.erc', 'municipal')}", as_="kjj")
    [pid] = erc["proposed_claims"]
    pid = pid["id"] if isinstance(pid, dict) else pid
    submitted = api.ok("POST", "/v1/claims", {"uscc": erc["uscc"], "programme": "A3.erc", "award_year": 2023,
                                              "effective_on": "2023-03-01", "certification_id": erc["id"]}, as_="kjj")
    replaced = api.ok("GET", f"/v1/claims/{pid}", as_="auditor", headers=ZH)
    assert replaced["decision_note"] == (f"已由申请 {submitted['id']} 取代："
                                         "同一事实已另行提交申请，本项待确认奖补随之关闭")


def test_an_import_not_kept_is_named_in_chinese(api):
    """An input probe: an import that recorded nothing (not kept) answered 404 "台账中没有认定 import …", an English
    word in the Chinese; it is named as a Chinese reader names a list import."""
    missing = "36375f93-b0f6-5ae0-bb7f-5ea63e86216c"
    problem = api.refused("GET", f"/v1/certifications/imports/{missing}", None, "kjj", 404, "not_found", headers=ZH)
    assert problem["detail"].startswith(f"台账中没有名单导入 {missing}") and "import" not in problem["detail"], problem

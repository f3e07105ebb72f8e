"""Idempotency-Key on every POST: the first answer again and nothing written; another body is 409."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support import unique_id, unique_uscc


def _commands(world, api):
    """One request for every POST of the contract, each valid once, built on a fresh little world."""
    org = world.org()
    other = unique_uscc()
    api.ok("POST", "/v1/organisations", {"uscc": other, "name": "杭州某某信息技术有限公司", "in_district": True})
    body_id = unique_id("CONS-")
    cert_id = world.certify(org)
    pending = world.claim(org, "A3.erc", certification_id=cert_id)
    to_reject = world.claim(world.org())
    paid = world.paid(world.org())
    approved = world.approved(world.org())
    return [
        ("/v1/organisations", {"uscc": unique_uscc(), "name": "杭州某某科技有限公司", "in_district": True}, "admin",
         201),
        ("/v1/innovation-bodies", {"id": body_id, "name": "滨江联合体", "kind": "consortium", "lead_uscc": org,
                                   "recognised_on": "2022-10-01"}, "kjj", 201),
        (f"/v1/innovation-bodies/{body_id}/members", {"uscc": other, "joined_on": "2023-01-01"}, "kjj", 201),
        ("/v1/certifications", {"uscc": org, "programme": "A3.consortium", "tier": "municipal",
                                "effective_on": "2023-03-01", "document_ref": "D-1", "body_id": body_id}, "kjj", 201),
        (f"/v1/certifications/{cert_id}/upgrades", {"tier": "provincial", "effective_on": "2024-01-02",
                                                   "document_ref": "D-2"}, "kjj", 201),
        ("/v1/claims", {"uscc": org, "programme": "A5.voucher", "award_year": 2024, "effective_on": "2024-06-01",
                        "basis_amount": "1000000.00"}, "kjj", 201),
        (f"/v1/claims/{pending['id']}/approve", {"amount": "150000.00"}, "kjj", 200),
        (f"/v1/claims/{to_reject['id']}/reject", {"reason": "材料不全"}, "kjj", 200),
        ("/v1/appropriations", {"year": 2025, "amount": "1000.00", "document_ref": "追加"}, "finance", 201),
        ("/v1/payouts", {"claim_id": approved["id"], "amount": "1000.00", "paid_on": "2023-08-01",
                         "bank_ref": "B-1"}, "finance", 201),
        (f"/v1/payouts/{paid['id']}/reverse", {"reason": "银行退回"}, "finance", 200),
    ]


def test_a_resent_command_gets_the_first_answer_and_writes_nothing(api, world):
    """For every POST: same key and body → same status and body, marked replayed, no new events."""
    for path, body, as_, status in _commands(world, api):
        key = unique_id("key-")
        first = api.call("POST", path, body, as_, key=key)
        assert first.status_code == status, (path, first.text)
        before = api.events()
        again = api.call("POST", path, body, as_, key=key)
        assert (again.status_code, again.json()) == (status, first.json()), path
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert "Idempotent-Replayed" not in first.headers
        assert api.events() == before, f"{path}: a replay wrote events"


def test_the_same_key_with_another_body_is_a_conflict(api, world):
    """Reusing a key for a different command is 409 `conflict` and writes nothing."""
    key = unique_id("key-")
    api.ok("POST", "/v1/organisations", {"uscc": unique_uscc(), "name": "甲公司", "in_district": True}, key=key)
    problem = api.refused("POST", "/v1/organisations", {"uscc": unique_uscc(), "name": "乙公司", "in_district": True},
                          "admin", 409, "conflict", key=key)
    assert "Idempotency-Key" in problem["detail"]


def test_keys_belong_to_their_principal(api):
    """Two principals may use the same key for their own commands without colliding."""
    key = unique_id("key-")
    api.ok("POST", "/v1/organisations", {"uscc": unique_uscc(), "name": "甲公司", "in_district": True}, key=key)
    api.ok("POST", "/v1/organisations", {"uscc": unique_uscc(), "name": "乙公司", "in_district": True}, as_="kjj",
           key=key)


@pytest.mark.parametrize("key", ["", "x" * 201, "with space", "键"])
def test_a_malformed_key_is_invalid_request(api, key):
    """An empty, overlong or non-printable-ASCII key is 422 `invalid_request` naming the header."""
    headers = {"Idempotency-Key": key.encode("utf-8")}  # bytes: httpx would refuse to send non-ASCII text
    problem = api.refused("POST", "/v1/organisations", {"uscc": unique_uscc(), "name": "甲公司", "in_district": True},
                          "admin", 422, "invalid_request", headers=headers)
    assert "Idempotency-Key" in problem["detail"]


def test_a_replay_survives_a_restart(serve):
    """After the app restarts on the same store, the key still answers the first response and writes nothing."""
    key = unique_id("key-")
    body = {"uscc": unique_uscc(), "name": "杭州某某科技有限公司", "in_district": True}
    with serve() as api:
        first = api.call("POST", "/v1/organisations", body, key=key)
        assert first.status_code == 201
    with serve() as api:
        before = api.events()
        again = api.call("POST", "/v1/organisations", body, key=key)
        assert (again.status_code, again.json()) == (201, first.json())
        assert api.events() == before
        api.refused("POST", "/v1/organisations", {**body, "name": "别的公司"}, "admin", 409, "conflict", key=key)


def test_a_refused_command_resent_after_the_state_changed_gets_its_refusal_again(api, world):
    """A payout refused `over_approved`, then the payout that filled the approval is reversed: the same key and
    body must still answer the first response (the refusal, marked replayed) and pay nothing; a new key pays."""
    paid = world.paid(world.org())  # 100,000 paid on a larger approval
    over = Decimal(paid["claim"]["outstanding_amount"]) + 1  # over what is left, within it once reversed
    body = {"claim_id": paid["claim_id"], "amount": f"{over:.2f}", "paid_on": "2023-08-01",
            "bank_ref": unique_id("ICBC-")}
    key = unique_id("key-")
    first = api.refused("POST", "/v1/payouts", body, "finance", 409, "over_approved", key=key)
    assert "Idempotent-Replayed" not in api.call("GET", "/healthz").headers
    api.ok("POST", f"/v1/payouts/{paid['id']}/reverse", {"reason": "银行退回"}, as_="finance", status=200)
    before = api.events()
    again = api.call("POST", "/v1/payouts", body, "finance", key=key)
    assert (again.status_code, again.json()) == (409, first)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert api.events() == before
    chinese = api.call("POST", "/v1/payouts", body, "finance", key=key, headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 409 and chinese.json()["code"] == "over_approved"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.json()["detail"]), chinese.json()
    assert api.ok("GET", f"/v1/claims/{paid['claim_id']}", as_="finance")["paid_amount"] == "0.00"
    # The same key with another body is still another command: 409 `conflict`.
    api.refused("POST", "/v1/payouts", body | {"amount": "1.00"}, "finance", 409, "conflict", key=key)
    # A new key is a new command, decided on today's state.
    api.ok("POST", "/v1/payouts", body, as_="finance", key=unique_id("key-"))


def test_a_malformed_key_is_told_what_a_key_is_in_words_not_a_regex(api) -> None:
    """A key with a space or a non-ASCII letter was told "must match the pattern ^[\\x21-\\x7e]+$" (an input
    probe): the refusal says what a key is, in both languages, on the fast lane (POST /v1/claims) and elsewhere."""
    for path in ("/v1/appropriations", "/v1/claims"):
        for key in ("two words", "键"):
            for lang, said in (("en", "printable ASCII characters without spaces"), ("zh", "不含空格的可打印 ASCII")):
                answer = api.client.post(path, json={}, headers={
                    "Authorization": f"Bearer {api.tokens['kjj' if path == '/v1/claims' else 'finance']}",
                    "Idempotency-Key": key.encode("utf-8"), "Accept-Language": lang})
                assert answer.status_code == 422, (path, key, answer.text)
                assert said in answer.json()["detail"] and "\\x21" not in answer.json()["detail"], answer.text

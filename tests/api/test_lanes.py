"""The fast lane for POST /v1/claims (api/lanes.py) answers exactly what the framework answers.

Each case is sent to the app with its lanes on and, on the same store, with them off (LEDGER_FAST_LANES=false):
status, headers, body (ids, codes and times masked) and the events written must be the same. The cases cover
what the lane takes (claims, a replay, the command's refusals) and what it gives back to the framework (a role
that may not submit, a body or key the models refuse, a body that is not JSON)."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.api.conftest import Api, World
from tests.api.test_java_clients import _exchange, served  # noqa: F401  (a fixture: `serve` as a process)
from tests.support import unique_id, unique_uscc

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CODE = re.compile(r"\b(CONS|[A-Z]+)-[0-9a-f]{12}\b")  # tests.support.unique_id's: bodies, document numbers
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)")
SKIPPED = {"date", "x-request-id", "content-length"}  # differ by request; the length follows the masked body


def _voucher(code: str, **extra: Any) -> dict[str, Any]:
    return {"uscc": code, "programme": "A5.voucher", "award_year": 2023, "effective_on": "2023-06-01",
            "basis_amount": "1000000.00", **extra}


def _claim(w: World) -> tuple[Any, dict]:
    return _voucher(w.org(), document_ref="杭科券〔2023〕0412号"), {}


def _zh(w: World) -> tuple[Any, dict]:
    return _voucher(w.org()), {"headers": {"Accept-Language": "zh-CN,zh;q=0.9"}}


def _certified(w: World) -> tuple[Any, dict]:
    code = w.org()
    cert = w.certify(code, "A3.erc", "municipal")
    return {"uscc": code, "programme": "A3.erc", "award_year": 2023, "effective_on": "2023-06-01",
            "certification_id": cert}, {}


def _unknown_org(w: World) -> tuple[Any, dict]:
    return _voucher(unique_uscc()), {}


def _not_lead(w: World) -> tuple[Any, dict]:
    return _voucher(w.org()), {"as_": "jxj"}


def _finance(w: World) -> tuple[Any, dict]:
    return _voucher(w.org()), {"as_": "finance"}


def _float_money(w: World) -> tuple[Any, dict]:
    return _voucher(w.org(), basis_amount=1000000.5), {}


def _bad_uscc(w: World) -> tuple[Any, dict]:
    return _voucher("91330108MA2CFDHW6R"), {"headers": {"Accept-Language": "zh"}}


def _unknown_programme(w: World) -> tuple[Any, dict]:
    return _voucher(w.org()) | {"programme": "Z9.nothing"}, {}


def _bad_key(w: World) -> tuple[Any, dict]:
    return _voucher(w.org()), {"key": "two words"}


def _not_json(w: World) -> tuple[Any, dict]:
    return json.dumps(_voucher(w.org())), {"headers": {"Content-Type": "text/plain"}}


def _list(w: World) -> tuple[Any, dict]:
    return [_voucher(w.org())], {}


CASES: dict[str, Callable[[World], tuple[Any, dict]]] = {
    "claim": _claim, "zh": _zh, "certified": _certified, "unknown-org": _unknown_org, "not-lead-bureau": _not_lead,
    "finance": _finance, "float-money": _float_money, "bad-uscc": _bad_uscc, "unknown-programme": _unknown_programme,
    "bad-key": _bad_key, "not-json": _not_json, "a-list": _list,
}


def _send(api: Api, body: Any, *, as_: str = "kjj", key: str | None = None,
          headers: dict[str, str] | None = None) -> Any:
    sent = {"Authorization": f"Bearer {api.tokens[as_]}", **(headers or {})}
    if key is not None:
        sent["Idempotency-Key"] = key
    if isinstance(body, str):
        return api.client.post("/v1/claims", content=body, headers=sent)
    return api.client.post("/v1/claims", json=body, headers=sent)


def _seen(response: Any, masks: list[str]) -> tuple[int, list[tuple[str, str]], str]:
    text = response.text
    for i, value in enumerate(masks):
        text = text.replace(value, f"<{i}>")
    text = CODE.sub("<code>", TIME.sub("<time>", UUID.sub("<uuid>", text)))
    headers = sorted((k, v) for k, v in response.headers.multi_items() if k not in SKIPPED)
    return response.status_code, headers, text


def _masks(body: Any) -> list[str]:
    """The values a case made for itself (codes, ids, keys), masked out before comparing."""
    found = body[0] if isinstance(body, list) else json.loads(body) if isinstance(body, str) else body
    return [str(v) for k, v in found.items() if k in ("uscc", "certification_id")]


def _run(settings: Settings, tokens: dict[str, str], lanes: bool, case: str, run: str) -> list[tuple]:
    """The case's answers (and the events each wrote) from an app with its lanes on or off."""
    with TestClient(create_app(settings.model_copy(update={"fast_lanes": lanes}))) as client:
        api = Api(client, tokens)
        w = World(api)
        for year in (2023,):
            api.ok("POST", "/v1/appropriations", {"year": year, "amount": "300000000.00",
                                                  "document_ref": unique_id("杭高新财〔2023〕")}, as_="finance")
        body, how = CASES[case](w)
        masks = [*_masks(body), f"{run}-key"]
        answers = []
        for key in ([f"{run}-key", f"{run}-key"] if case == "claim" else [how.pop("key", None)]):
            before = api.events()
            response = _send(api, body, key=key, **how)
            answers.append((*_seen(response, masks), api.events() - before))
        took = getattr(client.app.state, "lane_routes", None) is not None
        return [*answers, ("lane used", took)]


@pytest.mark.parametrize("case", list(CASES))
def test_the_lane_answers_as_the_framework_does(settings: Settings, tokens: dict[str, str], case: str):
    fast = _run(settings, tokens, True, case, unique_id("fast-"))
    framework = _run(settings, tokens, False, case, unique_id("slow-"))
    assert fast[:-1] == framework[:-1]
    assert framework[-1] == ("lane used", False)
    if case in ("claim", "zh", "certified", "unknown-org", "not-lead-bureau", "unknown-programme"):
        assert fast[-1] == ("lane used", True)  # these the lane takes; the others it hands to the framework
    if case == "claim":  # the second send with the same key replays the first answer and writes nothing
        (status, _headers, text, written), (status2, headers2, text2, written2) = fast[0], fast[1]
        assert (status, written, status2, written2) == (201, written, 201, 0) and written > 0
        assert text2 == text and ("idempotent-replayed", "true") in headers2


def test_the_lane_over_a_real_socket(served: int, tokens: dict[str, str]):  # noqa: F811
    """Through uvicorn's own HTTP parser (the test client checks no framing): one Content-Length, a 201 and the
    claim, then the same again with the lane's answer replayed."""
    code = unique_uscc()
    org = json.dumps({"uscc": code, "name": "杭州某某科技有限公司", "in_district": True}).encode()
    status, _ = _exchange(served, f"POST /v1/organisations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                  f"Authorization: Bearer {tokens['admin']}\r\nContent-Length: {len(org)}\r\n"
                                  "Connection: close\r\n\r\n", org)
    assert status == 201
    body = json.dumps({"id": unique_id("CONS-"), "name": "滨江企业创新联合体", "kind": "consortium", "lead_uscc": code,
                       "recognised_on": "2022-10-01"}).encode()
    status, _ = _exchange(served, f"POST /v1/innovation-bodies HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                                  f"\r\nAuthorization: Bearer {tokens['admin']}\r\nContent-Length: {len(body)}\r\n"
                                  "Connection: close\r\n\r\n", body)
    assert status == 201
    claim = json.dumps(_voucher(code)).encode()
    head = (f"POST /v1/claims HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: k-{code}\r\n"
            f"Authorization: Bearer {tokens['kjj']}\r\nContent-Length: {len(claim)}\r\nConnection: close\r\n\r\n")
    first = _exchange(served, head, claim)
    again = _exchange(served, head, claim)
    assert first[0] == 201 and json.loads(first[1])["uscc"] == code, first
    assert again == first

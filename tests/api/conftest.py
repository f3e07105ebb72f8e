"""The real app on each backend, a principals file written by the test, and a world built over HTTP."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from ledger.catalogue import current
from tests.support import unique_id, unique_uscc

ROLES = {
    "kjj": {"role": "bureau", "bureau": "kjj"},
    "jxj": {"role": "bureau", "bureau": "jxj"},
    "scjgj": {"role": "bureau", "bureau": "scjgj"},
    "finance": {"role": "finance"},
    "auditor": {"role": "auditor"},
    "admin": {"role": "admin"},
}
PROBLEM = "application/problem+json"


def body_kind(programme: str) -> str | None:
    """The kind of innovation body an Art. 3 programme recognises (rule 13), or None for other programmes."""
    found = current().programme(programme)
    return None if found is None else found.body_kind


@pytest.fixture
def tokens() -> dict[str, str]:
    return {name: unique_id(f"tok-{name}-") for name in ROLES}


@pytest.fixture
def auth_file(tmp_path: Path, tokens: dict[str, str]) -> Path:
    """A principals file in the contract's format: names, roles, bureaus and token hashes only."""
    path = tmp_path / "principals.json"
    principals = [{"name": f"{name}-test", **ROLES[name], "token_sha256": hashlib.sha256(tok.encode()).hexdigest()}
                  for name, tok in tokens.items()]
    path.write_text(json.dumps({"principals": principals}))
    return path


@pytest.fixture
def settings(database_url: str, auth_file: Path) -> Settings:
    return Settings(database_url=database_url, auth_file=auth_file, wait_timeout=5.0,
                    signing_key_file=auth_file.parent / "signing-key.pem")


@pytest.fixture
def serve(settings: Settings, tokens: dict[str, str]) -> Callable[[], AbstractContextManager[Api]]:
    """Start the app (lifespan and all) on the test's store; call it again for a restart on the same store."""

    @contextmanager
    def started() -> Iterator[Api]:
        with TestClient(create_app(settings)) as client:
            yield Api(client, tokens)

    return started


@pytest.fixture
def api(serve: Callable[[], AbstractContextManager[Api]]) -> Iterator[Api]:
    with serve() as started:
        yield started


@pytest.fixture
def unfunded_world(api: Api) -> World:
    """A world whose special fund has no appropriation in any year."""
    return World(api)


@pytest.fixture
def world(api: Api, unfunded_world: World) -> World:
    w = unfunded_world
    for year in (2023, 2024, 2025):
        api.ok("POST", "/v1/appropriations", {"year": year, "amount": "300000000.00",
                                              "document_ref": f"杭高新财〔{year}〕1号"}, as_="finance")
    return w


class Api:
    """Calls the app as a principal, and checks refusals the way the contract states them."""

    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def call(self, method: str, path: str, body: Any = None, as_: str | None = "admin", key: str | None = None,
             headers: dict[str, str] | None = None, content: bytes | None = None) -> httpx.Response:
        """`body` sent as JSON, or `content` as it is (a CSV list, with its Content-Type in `headers`)."""
        sent = dict(headers or {})
        if as_ is not None:
            sent["Authorization"] = f"Bearer {self.tokens[as_]}"
        if key is not None:
            sent["Idempotency-Key"] = key
        if content is not None:
            return self.client.request(method, path, content=content, headers=sent)
        return self.client.request(method, path, json=body, headers=sent)

    def ok(self, method: str, path: str, body: Any = None, as_: str = "admin", status: int | None = None,
           **kw: Any) -> Any:
        response = self.call(method, path, body, as_, **kw)
        expected = status or (201 if method == "POST" else 200)
        assert response.status_code == expected, f"{method} {path} as {as_}: {response.status_code} {response.text}"
        return response.json()

    def events(self) -> int:
        """How many events the ledger holds: a refusal must leave this unchanged."""
        return self.client.app.state.ledger.recorder.max_notification_id() or 0

    def refused(self, method: str, path: str, body: Any, as_: str | None, status: int, code: str,
                **kw: Any) -> dict[str, Any]:
        """Assert a problem+json refusal with this status and code that wrote nothing; return the problem."""
        before = self.events()
        response = self.call(method, path, body, as_, **kw)
        assert response.status_code == status, f"{method} {path} as {as_}: {response.status_code} {response.text}"
        assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
        problem = response.json()
        assert problem["code"] == code, problem
        assert problem["status"] == status
        assert problem["type"].endswith("/" + code)
        assert problem["title"] and problem["detail"]
        assert self.events() == before, f"{method} {path} was refused ({code}) but wrote events"
        return problem


class World:
    """Sets up the facts a scenario needs, through the HTTP API."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def org(self, *, in_district: bool = True, member: bool = True) -> str:
        code = unique_uscc()
        self.api.ok("POST", "/v1/organisations", {"uscc": code, "name": f"杭州某某科技有限公司{code[-6:]}",
                                                   "in_district": in_district})
        if member:
            self.body(lead=code)
        return code

    def body(self, lead: str, kind: str = "consortium", recognised_on: str = "2022-10-01") -> str:
        body_id = unique_id("CONS-")
        self.api.ok("POST", "/v1/innovation-bodies", {"id": body_id, "name": f"滨江企业创新联合体{body_id[-4:]}",
                                                      "kind": kind, "lead_uscc": lead, "recognised_on": recognised_on})
        return body_id

    def certify(self, code: str, programme: str = "A3.erc", tier: str | None = "municipal", as_: str = "kjj",
                effective_on: str = "2023-03-01", body_id: str | None = None) -> str:
        """Record a certification; an Art. 3 recognition (rule 13) names its body, and when the test names
        none, a body of the programme's kind led by `code` is registered for it, as World.recognise does."""
        body = {"uscc": code, "programme": programme, "effective_on": effective_on,
                "document_ref": unique_id("杭科认〔2023〕")}
        if tier is not None:
            body["tier"] = tier
        kind = body_kind(programme)
        if body_id is None and kind is not None:
            body_id = self.body(lead=code, kind=kind, recognised_on="2022-09-06")
        if body_id is not None:
            body["body_id"] = body_id
        return self.api.ok("POST", "/v1/certifications", body, as_=as_)["id"]

    def recognise(self, code: str, programme: str = "A3.erc", tier: str | None = "municipal",
                  **kw: Any) -> str:
        """An Art. 3 recognition (rule 13): a body of the programme's kind led by `code`, certified at `tier`."""
        return self.certify(code, programme, tier, **kw)

    def claim(self, code: str, programme: str = "A5.voucher", as_: str = "kjj", **extra: Any) -> dict[str, Any]:
        extra.setdefault("award_year", 2023)
        extra.setdefault("effective_on", f"{extra['award_year']}-06-01")
        if programme == "A5.voucher":
            extra.setdefault("basis_amount", "1000000.00")
        return self.api.ok("POST", "/v1/claims", {"uscc": code, "programme": programme, **extra}, as_=as_)

    def approved(self, code: str, programme: str = "A5.voucher", **extra: Any) -> dict[str, Any]:
        claim = self.claim(code, programme, **extra)
        return self.api.ok("POST", f"/v1/claims/{claim['id']}/approve", {}, as_="kjj", status=200)

    def paid(self, code: str, amount: str = "100000.00") -> dict[str, Any]:
        claim = self.approved(code)
        return self.api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": amount, "paid_on": "2023-07-03",
                                                   "bank_ref": unique_id("ICBC-")}, as_="finance")

"""The real app served by uvicorn on 127.0.0.1 (SQLite and PostgreSQL), a world seeded through its API,
and Debian's Chromium driven by Playwright; screenshots go to test-output/screenshots/."""
from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.support import unique_id, unique_uscc

CHROMIUM = Path(os.environ.get("LEDGER_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
ROLES = {"kjj": {"role": "bureau", "bureau": "kjj"}, "jxj": {"role": "bureau", "bureau": "jxj"},
         "finance": {"role": "finance"}, "auditor": {"role": "auditor"}, "admin": {"role": "admin"}}


def _ci() -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    return os.environ.get("LEDGER_REQUIRE_POSTGRES") == "1" or ci not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium (never a downloaded browser), headless; `make browser-deps` installs it."""
    if not CHROMIUM.exists():
        msg = f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)"
        pytest.fail(msg, pytrace=False) if _ci() else pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@dataclass
class Live:
    url: str
    tokens: dict[str, str]
    app: Any = None  # the app it serves, in this process: its state (e.g. api/long_queries.py's slots)

    def ok(self, method: str, path: str, body: Any = None, as_: str = "admin", status: int | None = None) -> Any:
        response = httpx.request(method, self.url + path, json=body, timeout=30,
                                 headers={"Authorization": f"Bearer {self.tokens[as_]}"})
        expected = status or (201 if method == "POST" else 200)
        assert response.status_code == expected, f"{method} {path} as {as_}: {response.status_code} {response.text}"
        return response.json()


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[Live]:
    """The app on a free port of 127.0.0.1, with a principals file of one token per role."""
    tokens = {name: unique_id(f"tok-{name}-") for name in ROLES}
    auth = tmp_path / "principals.json"
    auth.write_text(json.dumps({"principals": [
        {"name": f"{name}-ui", **ROLES[name], "token_sha256": hashlib.sha256(tok.encode()).hexdigest()}
        for name, tok in tokens.items()]}))
    app = create_app(Settings(database_url=database_url, auth_file=auth, wait_timeout=5.0))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Live(f"http://127.0.0.1:{sock.getsockname()[1]}", tokens, app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@dataclass
class World:
    """What the pages are tested on: one organisation with a paid ERC award and a pending voucher claim."""

    uscc: str
    name: str
    pending_claim: str
    approved_claim: str


@pytest.fixture
def world(live: Live) -> World:
    uscc = unique_uscc()
    name = f"杭州滨江链芯科技有限公司{uscc[-4:]}"
    live.ok("POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00",
                                           "document_ref": "杭高新财〔2023〕1号"}, as_="finance")
    live.ok("POST", "/v1/organisations", {"uscc": uscc, "name": name, "in_district": True})
    live.ok("POST", "/v1/innovation-bodies", {"id": unique_id("CONS-"), "name": "滨江集成电路企业创新联合体",
                                              "kind": "consortium", "lead_uscc": uscc, "recognised_on": "2022-10-01"})
    # An Art. 3 recognition names the body it recognises (issue 13's rule 13): an ERC led by the organisation.
    erc_body = unique_id("ERC-")
    live.ok("POST", "/v1/innovation-bodies", {"id": erc_body, "name": "滨江集成电路工程研究中心", "kind": "erc",
                                              "lead_uscc": uscc, "recognised_on": "2022-09-06"})
    cert = live.ok("POST", "/v1/certifications", {
        "uscc": uscc, "programme": "A3.erc", "tier": "municipal", "effective_on": "2023-03-01",
        "document_ref": "杭发改高技〔2023〕15号", "body_id": erc_body}, as_="kjj")
    erc = live.ok("POST", "/v1/claims", {"uscc": uscc, "programme": "A3.erc", "award_year": 2023,
                                         "effective_on": "2023-06-01", "certification_id": cert["id"]}, as_="kjj")
    live.ok("POST", f"/v1/claims/{erc['id']}/approve", {"note": "经审核，同意"}, as_="kjj", status=200)
    live.ok("POST", "/v1/payouts", {"claim_id": erc["id"], "amount": "100000.00", "paid_on": "2023-07-03",
                                    "bank_ref": unique_id("ICBC-")}, as_="finance")
    voucher = live.ok("POST", "/v1/claims", {"uscc": uscc, "programme": "A5.voucher", "award_year": 2023,
                                             "effective_on": "2023-06-01", "basis_amount": "1000000.00"}, as_="kjj")
    return World(uscc, name, voucher["id"], erc["id"])


@pytest.fixture
def page(browser: Any, live: Live, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the live app."""
    context = browser.new_context(base_url=live.url, locale="zh-CN", accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def shot(page: Any, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """Save a full-page screenshot named after the test (and its backend) and a step."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")

    def take(step: str) -> Path:
        path = SCREENSHOTS / f"{test}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(page: Any, live: Live) -> Callable[[str], None]:
    """Sign in through the form as one of the principals (kjj, jxj, finance, auditor, admin)."""

    def as_(who: str) -> None:
        page.goto("/ui/sign-in")
        page.get_by_label(re.compile("访问令牌|Access token")).fill(live.tokens[who])
        page.get_by_role("button", name=re.compile("^(登录|Sign in)$")).click()
        page.wait_for_url(lambda url: "/ui/sign-in" not in url)

    return as_


@contextmanager
def page_client(database_url: str, folder: Path, people: dict[str, dict[str, str]]) -> Iterator[TestClient]:
    """The real app in process, with one principal per entry of `people` (name -> role and bureau); the
    client carries their tokens as `client.tokens[name]`. For page tests over plain HTTP, without a browser."""
    tokens = {name: unique_id(f"tok-{name}-") for name in people}
    auth = folder / "principals.json"
    auth.write_text(json.dumps({"principals": [
        {"name": f"{n}-ui", **people[n], "token_sha256": hashlib.sha256(t.encode()).hexdigest()}
        for n, t in tokens.items()]}))
    with TestClient(create_app(Settings(database_url=database_url, auth_file=auth, wait_timeout=5.0))) as c:
        c.tokens = tokens  # type: ignore[attr-defined]
        yield c


@contextmanager
def funded_page_client(database_url: str, folder: Path, people: dict[str, dict[str, str]]) -> Iterator[TestClient]:
    """A `page_client` whose 2023 special fund holds 300,000,000.00 (its `people` need a `finance`), so awards
    approve."""
    with page_client(database_url, folder, people) as c:
        api(c, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
            as_="finance")
        yield c


def api(client: TestClient, method: str, path: str, body: Any = None, as_: str = "admin") -> Any:
    """`method path` on the JSON API as principal `as_` of a `page_client`; the answer's JSON, asserted 2xx."""
    answer = client.request(method, path, json=body, headers={"Authorization": f"Bearer {client.tokens[as_]}"})
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def signed_in(client: TestClient, who: str) -> str:
    """Sign `who` in through the form of a `page_client`, afresh; the CSRF token its forms then post."""
    client.cookies.clear()
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/sign-in").text).group(1)
    answer = client.post("/ui/sign-in", data={"csrf": csrf, "token": client.tokens[who]}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return csrf


def erc_proposal(client: TestClient, document_ref: str = "D1") -> dict[str, str]:
    """Through the JSON API of a `page_client`: an organisation leading an ERC, recognised at municipal level on
    2023-03-01, and the 免申即享 proposal that recording made. {uscc, body, cert, proposal}."""
    uscc, body = unique_uscc(), unique_id("ERC-")
    api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江某科技有限公司{uscc[-4:]}",
                                              "in_district": True})
    api(client, "POST", "/v1/innovation-bodies", {"id": body, "name": "某工程研究中心", "kind": "erc",
                                                  "lead_uscc": uscc, "recognised_on": "2022-09-06"})
    cert = api(client, "POST", "/v1/certifications", {"uscc": uscc, "programme": "A3.erc", "tier": "municipal",
                                                      "effective_on": "2023-03-01", "document_ref": document_ref,
                                                      "body_id": body}, as_="kjj")["id"]
    [proposal] = api(client, "GET", f"/v1/claims?status=proposed&uscc={uscc}")["claims"]
    return {"uscc": uscc, "body": body, "cert": cert, "proposal": proposal["id"]}


def paid_erc_award(client: TestClient, amount: str = "100000.00") -> dict[str, str]:
    """Through the JSON API of a `page_client`: an organisation leading an ERC recognised at municipal level, its
    2023 award (200,000.00) approved and `amount` of it paid. {uscc, cert, claim, payout, bank_ref}."""
    uscc = unique_uscc()
    api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江某科技有限公司{uscc[-4:]}",
                                              "in_district": True})
    body = unique_id("ERC-")
    api(client, "POST", "/v1/innovation-bodies", {"id": body, "name": "某工程研究中心", "kind": "erc",
                                                  "lead_uscc": uscc, "recognised_on": "2022-09-06"})
    cert = api(client, "POST", "/v1/certifications", {
        "uscc": uscc, "programme": "A3.erc", "tier": "municipal", "effective_on": "2023-03-01",
        "document_ref": "杭发改〔2023〕15号", "body_id": body}, as_="kjj")
    claim = api(client, "POST", "/v1/claims", {"uscc": uscc, "programme": "A3.erc", "award_year": 2023,
                                               "effective_on": "2023-06-01", "certification_id": cert["id"]},
                as_="kjj")
    api(client, "POST", f"/v1/claims/{claim['id']}/approve", {}, as_="kjj")
    ref = unique_id("ICBC-")
    payout = api(client, "POST", "/v1/payouts", {"claim_id": claim["id"], "amount": amount, "paid_on": "2023-07-03",
                                                 "bank_ref": ref}, as_="finance")
    return {"uscc": uscc, "cert": cert["id"], "claim": claim["id"], "payout": payout["id"], "bank_ref": ref}

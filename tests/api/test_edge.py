"""The edge every request meets first (api/edge.py): the token before the body, a capped body, no
repeated JSON keys, strict days and years, and the security headers."""
from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from api.app import create_app
from api.settings import Settings
from tests.support import unique_uscc


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[str, int]]:
    """The real app under uvicorn on a free port, for requests TestClient cannot send (a lying Content-Length), with
    the HTTP protocol `award-ledger serve` runs (api/http_protocol.py)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(settings.model_copy(update={"max_body_bytes": 4096, "body_seconds": 1.0})),
                            log_level="warning", lifespan="on", http="api.http_protocol:Protocol")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        threading.Event().wait(0.05)
    yield sock.getsockname()
    running.should_exit = True
    thread.join(10)
    sock.close()


def _exchange(address: tuple[str, int], head: str) -> str:
    """Send only a request's head (no body) and read the answer: a server that waited for the body would time out."""
    with socket.create_connection(address, timeout=5) as conn:
        conn.sendall(head.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.decode("latin-1")


def test_no_token_is_refused_before_the_body_is_read(server: tuple[str, int]) -> None:
    """A 42 MB body announced without a token gets 401 at once, though not one byte of it was sent."""
    answer = _exchange(server, "POST /v1/organisations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               "Content-Length: 42000000\r\n\r\n")
    assert answer.startswith("HTTP/1.1 401"), answer


def test_a_body_over_the_limit_is_refused_before_it_is_read(server: tuple[str, int], tokens: dict[str, str]) -> None:
    """With a token, a body announced above LEDGER_MAX_BODY_BYTES gets 413 without being read."""
    answer = _exchange(server, f"POST /v1/organisations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                               f"{tokens['admin']}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n")
    assert answer.startswith("HTTP/1.1 413"), answer
    assert "application/problem+json" in answer


def test_a_streamed_body_over_the_limit_is_refused_and_writes_nothing(api, settings) -> None:
    """A body over the limit without a stated length (chunked) is cut off with 413 body_too_large."""
    before = api.events()
    chunks = (b'{"name": "' + b"x" * 1024 for _ in range(settings.max_body_bytes // 1024 + 2))
    response = api.client.post("/v1/organisations", content=chunks, headers={
        "Authorization": f"Bearer {api.tokens['admin']}", "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"
    assert str(settings.max_body_bytes) in response.json()["detail"].replace(",", "")
    assert api.events() == before


def test_a_body_over_the_limit_is_told_what_to_send_for_its_route(api, settings) -> None:
    """Every 413 advised splitting a bank statement by month, whatever was sent (a black-box probe): the advice
    now fits the route, in the reader's language."""
    auth = {"Authorization": f"Bearer {api.tokens['admin']}", "Content-Type": "application/json"}
    said = {}
    for path in ("/v1/organisations", "/v1/simulations", "/v1/finance/bank-statements",
                 "/v1/certifications/imports"):
        for lang in ("en", "zh-CN"):
            limit = settings.max_statement_bytes if "statements" in path or "imports" in path else \
                settings.max_body_bytes
            response = api.client.post(path, content=b"x" * (limit + 1), headers={**auth, "Accept-Language": lang})
            assert response.status_code == 413, response.text
            said[path, lang[:2]] = response.json()["detail"]
    assert "by month" not in said["/v1/organisations", "en"] and "按月" not in said["/v1/organisations", "zh"]
    assert "catalogue file alone" in said["/v1/simulations", "en"] and "政策目录文件" in said["/v1/simulations", "zh"]
    assert "by month" in said["/v1/finance/bank-statements", "en"] and "按月" in said["/v1/finance/bank-statements",
                                                                                         "zh"]
    assert "several files" in said["/v1/certifications/imports", "en"]
    assert "拆分为几个文件" in said["/v1/certifications/imports", "zh"]


def test_a_repeated_json_key_is_refused(api) -> None:
    """Two values for one key: refused naming the key, rather than the last one silently winning."""
    body = f'{{"uscc": "{unique_uscc()}", "name": "杭州甲公司", "name": "杭州乙公司", "in_district": true}}'
    before = api.events()
    response = api.client.post("/v1/organisations", content=body.encode(), headers={
        "Authorization": f"Bearer {api.tokens['admin']}", "Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    assert "'name'" in response.json()["detail"] and api.events() == before


@pytest.mark.parametrize(("field", "value"), [
    ("paid_on", "2023-07-03T00:00:00"), ("paid_on", 1688342400), ("paid_on", "0001-01-01"), ("paid_on", "9999-12-31"),
])
def test_payout_days_are_read_strictly(api, field, value) -> None:
    """A time, a Unix timestamp or a day in year 1 or 9999 is not a payout day."""
    body = {"claim_id": "c", "amount": "1.00", "paid_on": "2023-07-03", "bank_ref": "R-1", field: value}
    api.refused("POST", "/v1/payouts", body, "finance", 422, "invalid_request")


def test_a_year_is_a_json_integer(api) -> None:
    """"2024" is refused as a year; 2024 is what to send."""
    api.refused("POST", "/v1/appropriations", {"year": "2024", "amount": "1.00", "document_ref": "D"}, "finance",
                422, "invalid_request")


def test_every_answer_carries_the_security_headers(api) -> None:
    """Sniffing and framing are ruled out on pages, the API and problems alike, and a referrer is sent to this site
    only (`same-origin`: no address of it leaves it)."""
    for response in (api.client.get("/healthz"), api.client.get("/ui/sign-in"), api.call("GET", "/v1/nothing")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_nul_in_a_statement_is_refused_on_every_way_in(api) -> None:
    """A NUL in a reference is refused from JSON, a CSV body and a form upload, and nothing is recorded."""
    finance = {"Authorization": f"Bearer {api.tokens['finance']}"}
    csv_text = "date,amount,reference\n2023-07-03,100.00,REF\x00-1\n"
    before = api.events()
    answers = [
        api.call("POST", "/v1/finance/bank-statements", {"lines": [
            {"date": "2023-07-03", "amount": "100.00", "reference": "REF\x00-1"}]}, "finance"),
        api.client.post("/v1/finance/bank-statements", content=csv_text.encode(),
                        headers={**finance, "Content-Type": "text/csv"}),
        api.client.post("/v1/finance/bank-statements", files={"file": ("s.csv", csv_text.encode(), "text/csv")},
                        headers=finance),
    ]
    # JSON lines are one request's fields; a file's refused lines are named with their numbers (issue 16).
    for response, code in zip(answers, ("invalid_request", "invalid_statement", "invalid_statement"), strict=True):
        assert response.status_code == 422, response.text
        assert response.json()["code"] == code and "U+0000" in json.dumps(response.json())
    assert api.events() == before


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1000-01-01T00:00:00Z"])
def test_as_of_at_the_datetime_limits_is_a_refusal_not_a_crash(api, moment) -> None:
    """A moment at datetime's own limits is 422 saying the range, never 500 (nor a dropped connection)."""
    answer = \
        api.client.get(f"/v1/organisations/{unique_uscc()}/awards", params={"as_of": moment},
                       headers={"Authorization": f"Bearer {api.tokens['admin']}"})
    assert answer.status_code == 422 and answer.json()["code"] == "invalid_request", answer.text


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_replay_as_of_at_the_limits_exits_two(moment, capsys) -> None:
    """`replay --as-of` at datetime's limits says what to give (a moment in the years the ledger holds) and exits 2,
    without a traceback."""
    from api.cli import main

    assert main(["replay", "--as-of", moment]) == 2
    assert "send a moment in 1900–2999" in capsys.readouterr().err


def test_the_host_header_is_never_reflected(api, tokens) -> None:
    """A forged Host reaches no redirect, link or page: every URL the service writes is relative."""
    import re

    evil = {"Host": "evil.example"}
    client, bearer = api.client, {**evil, "Authorization": f"Bearer {tokens['admin']}"}
    answers = [client.get(path, headers=bearer, follow_redirects=False)
               for path in ("/", "/ui", "/v1/organisations/", "/ui/organisations", "/ui/sign-in", "/docs", "/nothing")]
    form = client.get("/ui/sign-in", headers=evil).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    answers.append(client.post("/ui/sign-in", data={"csrf": csrf, "token": tokens["admin"], "next": "/ui/"},
                               headers=evil, follow_redirects=False))
    answers += [client.get(path, headers=evil, follow_redirects=False) for path in ("/ui/", "/ui/?lang=en")]
    client.cookies.clear()
    assert answers[2].status_code == 307 and answers[2].headers["location"] == "/v1/organisations"
    assert answers[-2].status_code == 200  # signed in: the home page, with its links
    for answer in answers:
        assert "evil.example" not in str(answer.headers) + answer.text, (answer.request.url, answer.headers)


ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.mark.parametrize("path", ["/v1/claims", "/v1/organisations", "/v1/certifications/imports"])
@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_json_nested_too_deep_for_the_parser_is_a_refusal_not_a_crash(api, path, body) -> None:
    """JSON nested past the parser's stack (found by a black-box probe: RecursionError, 500 on the claims lane
    and the import) is 422 invalid_request in the reader's language, and writes nothing."""
    before = api.events()
    who = "kjj" if path != "/v1/organisations" else "admin"
    response = api.client.post(path, content=body.encode(), headers={
        "Authorization": f"Bearer {api.tokens[who]}", "Content-Type": "application/json", **ZH})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request" and "嵌套" in response.json()["detail"]
    assert api.events() == before


def test_the_edges_refusals_are_in_the_readers_language(api, settings) -> None:
    """No token (401), a repeated key (422) and a body over the limit (413) answer a Chinese reader in Chinese."""
    assert "身份凭证" in api.client.post("/v1/organisations", json={}, headers=ZH).json()["detail"]
    auth = {"Authorization": f"Bearer {api.tokens['admin']}", "Content-Type": "application/json", **ZH}
    repeated = api.client.post("/v1/organisations", content=b'{"name": "a", "name": "b"}', headers=auth)
    assert repeated.status_code == 422 and "出现了两次" in repeated.json()["detail"]
    large = api.client.post("/v1/organisations", content=b"x" * (settings.max_body_bytes + 1), headers=auth)
    assert large.status_code == 413 and "请求体超过" in large.json()["detail"]
    english = api.client.post("/v1/organisations", content=b'{"name": "a", "name": "b"}',
                              headers={**auth, "Accept-Language": "en"})
    assert "twice" in english.json()["detail"]


@pytest.mark.parametrize("name", ["杭州\u200b甲公司", "杭州甲公司\uffff", "\ufeff杭州甲公司", "杭州\u200d甲公司"])
def test_a_name_with_an_invisible_or_non_character_is_refused(api, name) -> None:
    """A zero-width space, a joiner, a byte order mark or U+FFFF in a name (kept as sent before a black-box probe)
    would make two names that look alike differ: 422 invalid_request in the reader's language, nothing written."""
    before = api.events()
    problem = api.refused("POST", "/v1/organisations", {"uscc": unique_uscc(), "name": name, "in_district": True},
                          "admin", 422, "invalid_request")
    assert "invisible" in problem["detail"] and api.events() == before


def test_a_day_with_spaces_around_it_is_refused(api) -> None:
    """The contract's days are YYYY-MM-DD: " 2023-06-01 " is refused saying to remove the spaces."""
    problem = api.refused("POST", "/v1/payouts", {"claim_id": "c", "amount": "1.00", "paid_on": " 2023-07-03 ",
                                                  "bank_ref": "R-1"}, "finance", 422, "invalid_request")
    assert "spaces" in problem["detail"]


def test_a_null_body_is_refused_where_an_object_is_optional(api, world) -> None:
    """`null` as the body of an approval (whose fields are all optional; a black-box probe saw it approve) is 422
    and approves nothing; `{}` and no body at all still approve."""
    pending = [world.claim(world.org()) for _ in range(3)]
    auth = {"Authorization": f"Bearer {api.tokens['kjj']}"}
    refused = api.client.post(f"/v1/claims/{pending[0]['id']}/approve", content=b" null ",
                              headers={**auth, "Content-Type": "application/json"})
    assert refused.status_code == 422 and "null" in refused.json()["detail"], refused.text
    assert api.ok("GET", f"/v1/claims/{pending[0]['id']}")["status"] == "pending"
    assert api.client.post(f"/v1/claims/{pending[1]['id']}/approve", json={}, headers=auth).status_code == 200
    assert api.client.post(f"/v1/claims/{pending[2]['id']}/approve", headers=auth).status_code == 200


@pytest.mark.parametrize("route", ["approve", "confirm"])
def test_a_null_body_from_a_role_that_may_not_act_is_refused_for_the_role(api, world, route) -> None:
    """Who may act is settled before what was sent (403 whatever the body, as for any other body): `null` from
    finance or an auditor is 403, and from the lead bureau 422 with a detail in the reader's language."""
    pending = world.claim(world.org())
    null = {"Content-Type": "application/json"}
    for role in ("finance", "auditor"):
        refused = api.client.post(f"/v1/claims/{pending['id']}/{route}", content=b"null",
                                  headers={**null, "Authorization": f"Bearer {api.tokens[role]}"})
        assert refused.status_code == 403, (role, refused.text)
    refused = api.client.post(f"/v1/claims/{pending['id']}/{route}", content=b"null",
                              headers={**null, "Authorization": f"Bearer {api.tokens['kjj']}", "Accept-Language": "zh"})
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_request", refused.text
    assert "null" in refused.json()["detail"] and "对象" in refused.json()["detail"], refused.text
    assert api.ok("GET", f"/v1/claims/{pending['id']}")["status"] == "pending"


def test_a_body_trickled_past_its_time_is_refused_and_the_connection_closed(server, tokens) -> None:
    """Headers with a token, Content-Length 100, then one byte and nothing more (a black-box probe held such a
    connection open for over 70 s): 408 request_timeout once LEDGER_BODY_SECONDS (1 s here) pass, the connection
    closed; another request is answered meanwhile."""
    with socket.create_connection(server, timeout=10) as conn:
        conn.sendall(f"POST /v1/claims HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {tokens['kjj']}\r\n"
                     "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{".encode())
        assert _exchange(server, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").startswith("HTTP/1.1 200")
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
    text = answer.decode("utf-8")
    assert text.startswith("HTTP/1.1 408"), text
    assert "request_timeout" in text and "LEDGER_BODY_SECONDS" in text


def test_a_head_without_end_is_refused_with_431_and_the_connection_closed(server: tuple[str, int]) -> None:
    """Header lines sent a kilobyte at a time and never ended: once the head passes 16 KiB (h11's bound; httptools
    sets none), 431 and the connection closed, instead of the server keeping every line it is sent."""
    from api.http_protocol import HEAD_LIMIT

    with socket.create_connection(server, timeout=10) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        answer = b""
        try:
            for n in range(4 * HEAD_LIMIT // 1024):
                conn.sendall(f"X-Filler-{n}: {'a' * 1000}\r\n".encode())
                threading.Event().wait(0.005)  # separate reads on the server's side
        except OSError:  # closed by the server while still sending: what is expected
            pass
        while chunk := conn.recv(4096):
            answer += chunk
    text = answer.decode("utf-8")
    assert text.startswith("HTTP/1.1 431"), text[:300]
    assert "16,384 bytes" in text and '"code": "headers_too_large"' in text


def test_a_large_but_ended_head_under_the_bound_is_answered(server: tuple[str, int]) -> None:
    head = "GET /healthz HTTP/1.1\r\nHost: x\r\n" + "".join(f"X-Filler-{n}: {'a' * 1000}\r\n" for n in range(12))
    assert _exchange(server, head + "\r\n").startswith("HTTP/1.1 200")


def _refusal(answer: str) -> tuple[str, dict[str, str], dict]:
    head, _, body = answer.partition("\r\n\r\n")
    status, *lines = head.split("\r\n")
    return status, {k.lower(): v for k, _, v in (line.partition(": ") for line in lines)}, json.loads(body)


def _whole(address: tuple[str, int], request: bytes) -> str:
    with socket.create_connection(address, timeout=5) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
    return answer.decode("utf-8")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_head_over_the_bound_sent_whole_is_refused_like_one_without_end(server: tuple[str, int], lang: str) -> None:
    """A 20 KB head that arrives in one read is 431 as surely as one that never ends (it was once answered 200:
    only unfinished heads were counted), as problem+json in the reader's language, and the connection closed."""
    head = (f"GET /healthz HTTP/1.1\r\nHost: x\r\nAccept-Language: {lang}\r\n"
            + "".join(f"X-Filler-{n}: {'a' * 1000}\r\n" for n in range(20)) + "\r\n")
    status, headers, problem = _refusal(_whole(server, head.encode()))
    assert status.startswith("HTTP/1.1 431") and headers["content-type"] == "application/problem+json", status
    assert (problem["status"], problem["code"]) == (431, "headers_too_large")
    assert ("请求头" in problem["detail"]) == (lang == "zh") and "16,384" in problem["detail"], problem


@pytest.mark.parametrize("request_bytes", [
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nAccept-Language: zh\r\nContent-Length: -1\r\n\r\n",
    b"POST /v1/claims HTTP/1.1\r\nHost: x\r\nAccept-Language: zh\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nAccept-Language: zh\r\nX-Bad: a\x01b\r\n\r\n",
])
def test_a_request_that_is_not_http_is_refused_as_problem_json(server: tuple[str, int], request_bytes: bytes) -> None:
    """What the parser cannot read (a negative length, a bad chunk size, a control character in a header) is 400
    `bad_request` as problem+json in the reader's language, not uvicorn's plain English line."""
    status, headers, problem = _refusal(_whole(server, request_bytes))
    assert status.startswith("HTTP/1.1 400") and headers["content-type"] == "application/problem+json", status
    assert (problem["status"], problem["code"]) == (400, "bad_request") and "HTTP/1.1" in problem["detail"]
    assert "请求" in problem["detail"] and headers["content-language"] == "zh", problem


@pytest.mark.parametrize("query", ["status=pending&status=approved", "limit=5&limit=500", "uscc=&uscc=x",
                                   "status=pending&limit=5&status=pending"])
def test_an_api_query_naming_a_parameter_twice_is_refused(api, query) -> None:
    """`?status=pending&status=approved` was answered from one of the two values, silently (a black-box probe):
    422 invalid_request naming the parameter, in the reader's language, whoever asks; once each is answered."""
    name = query.split("=")[0]
    english = api.refused("GET", f"/v1/claims?{query}", None, "kjj", 422, "invalid_request")
    assert f"parameter {name!r} more than once" in english["detail"] and "commas" in english["detail"]
    chinese = api.refused("GET", f"/v1/claims?{query}", None, "kjj", 422, "invalid_request", headers=ZH)
    assert f"查询参数 {name!r} 出现了不止一次" in chinese["detail"]
    assert api.ok("GET", "/v1/claims?status=pending,approved&limit=5", as_="kjj", status=200)["claims"] is not None
    page = api.client.get("/ui/organisations?q=a&q=b")  # the pages' own forms are not the API's contract
    assert page.status_code != 422


def _trickle(conn: socket.socket, lines: int) -> bytes:
    """A header line every 0.3 s (the head never ends), then whatever the server answers until it closes."""
    try:
        for n in range(lines):
            conn.sendall(f"X-Slow-{n}: a\r\n".encode())
            threading.Event().wait(0.3)
    except OSError:  # closed by the server while still sending: what is expected
        pass
    answer = b""
    while chunk := conn.recv(4096):
        answer += chunk
    return answer


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_head_trickled_past_its_time_is_refused_and_the_connection_closed(server, lang) -> None:
    """Slowloris: a head sent a line at a time and never ended was held open for as long as the client cared to
    (a black-box probe). Now 408 request_timeout once LEDGER_BODY_SECONDS (1 s here) pass, in the reader's
    language, the connection closed; other requests are answered meanwhile."""
    with socket.create_connection(server, timeout=10) as conn:
        conn.sendall(f"GET /healthz HTTP/1.1\r\nHost: x\r\nAccept-Language: {lang}\r\n".encode())
        assert _exchange(server, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").startswith("HTTP/1.1 200")
        status, headers, problem = _refusal(_trickle(conn, 20).decode("utf-8"))
    assert status.startswith("HTTP/1.1 408") and headers["connection"] == "close", status
    assert problem["code"] == "request_timeout" and "LEDGER_BODY_SECONDS" in problem["detail"]
    assert ("请求头" in problem["detail"]) == (lang == "zh"), problem


def test_a_connection_that_sends_nothing_is_closed_and_a_later_slow_head_is_timed_too(server) -> None:
    """A connection opened and left silent is closed once the head's time passes (nothing to answer); on a
    kept-alive connection the second request's head is timed from its first byte."""
    with socket.create_connection(server, timeout=10) as silent:
        assert silent.recv(4096) == b""  # closed by the server, after about a second
    with socket.create_connection(server, timeout=10) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = b""
        while b'"ok"' not in first and b"}" not in first:
            first += conn.recv(4096)
        assert first.startswith(b"HTTP/1.1 200"), first
        conn.sendall(b"GET /healthz HTTP/1.1\r\n")
        assert _trickle(conn, 20).startswith(b"HTTP/1.1 408")


@pytest.mark.parametrize("blank", [b"\r\n", b"\n", b"\r\n\r\n"])
def test_a_kept_alive_connection_sent_only_blank_lines_is_still_closed_when_idle(server, blank) -> None:
    """A stray CRLF after an answer stopped the keep-alive timer and began no request to time: the connection was
    held for ever (a probe, 40 s and counting). It is closed once idle as long as any kept-alive connection."""
    with socket.create_connection(server, timeout=uvicorn.Config(app=None).timeout_keep_alive + 5) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = b""
        while b"}" not in first:
            first += conn.recv(4096)
        assert first.startswith(b"HTTP/1.1 200"), first
        conn.sendall(blank)
        assert conn.recv(4096) == b""  # closed by the server, not by the socket's timeout (that raises)


def _handed_to_h11(server) -> socket.socket:
    """A connection whose first request offered h2c as Java's HttpClient does, so h11 serves it from then on."""
    from tests.api.test_java_clients import JAVA_HEADERS

    conn = socket.create_connection(server, timeout=10)
    conn.sendall(f"GET /healthz HTTP/1.1\r\nHost: x\r\n{JAVA_HEADERS}\r\n".encode())
    first = b""
    while b"}" not in first:
        first += conn.recv(4096)
    assert first.startswith(b"HTTP/1.1 200"), first
    return conn


def _until_closed(conn: socket.socket) -> bytes:
    answer = b""
    while chunk := conn.recv(4096):
        answer += chunk
    return answer


def test_a_connection_handed_to_h11_keeps_the_heads_bounds_and_answers_in_problem_json(server) -> None:
    """Every connection of Java's HttpClient is h11's after its first request (it offers h2c): a head trickled on it
    was never refused, a 20 KB head was answered and a request it could not read got "Invalid HTTP request
    received." in plain English (a probe). Now as on httptools: 408 and 431 and 400 problem+json in the reader's
    language, and a connection sent a stray blank line is not held open."""
    with _handed_to_h11(server) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nAccept-Language: zh\r\n")
        slow = _trickle(conn, 20)
        assert slow.startswith(b"HTTP/1.1 408") and "请求超时".encode() in slow, slow
    with _handed_to_h11(server) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nAccept-Language: zh\r\nX-Big: " + b"a" * 20_000
                     + b"\r\n\r\n")
        big = _until_closed(conn)
        assert big.startswith(b"HTTP/1.1 431") and b"headers_too_large" in big, big[:300]
    with _handed_to_h11(server) as conn:
        conn.sendall(b"GET /a b c HTTP/1.1\r\nHost: x\r\nAccept-Language: zh\r\n\r\n")
        broken = _until_closed(conn)
        assert broken.startswith(b"HTTP/1.1 400") and b"application/problem+json" in broken, broken
        assert b"bad_request" in broken and b"content-language: zh" in broken, broken
    with _handed_to_h11(server) as conn:
        conn.sendall(b"\r\n")  # a stray blank line is skipped (h11 answered 400), and never holds it open
        assert _until_closed(conn) == b""


@pytest.mark.parametrize("blank", [b"\r\n", b"\n", b"\r\n\r\n"])
def test_a_blank_line_before_a_request_on_h11_is_skipped_as_on_httptools(server, blank) -> None:
    """RFC 9112 section 2.2: a server should ignore an empty line received before the request line. llhttp does;
    h11 (every connection of Java's HttpClient after its first request) refused it with 400 and closed."""
    with _handed_to_h11(server) as conn:
        conn.sendall(blank)
        time.sleep(0.2)  # the blank line read on its own, then the request
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while b"}" not in answer:
            answer += conn.recv(4096)
        assert answer.startswith(b"HTTP/1.1 200"), answer
        conn.sendall(blank + b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # in the same chunk as the request
        answer = b""
        while b"}" not in answer:
            answer += conn.recv(4096)
        assert answer.startswith(b"HTTP/1.1 200"), answer
        # and in the same read as the request before it, after its body (a regression probe: 400, closed)
        get = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        conn.sendall(b"POST /v1/organisations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 2\r\n\r\n{}" + blank + get + blank + get)
        answer = b""
        while answer.count(b"HTTP/1.1 ") < 3 or not answer.endswith(b"}"):
            answer += conn.recv(4096)
        assert re.findall(rb"HTTP/1\.1 (\d{3})", answer) == [b"401", b"200", b"200"], answer


def test_blank_lines_sent_now_and_then_do_not_keep_a_connection_open(server) -> None:
    """A blank line every few seconds restarted the keep-alive timer each time: the connection was held past 30 s
    (a regression probe). The idle time counts from the first of them."""
    keep_alive = uvicorn.Config(app=None).timeout_keep_alive
    with socket.create_connection(server, timeout=3 * keep_alive) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = b""
        while b"}" not in first:
            first += conn.recv(4096)
        opened = time.monotonic()
        try:
            while time.monotonic() - opened < 3 * keep_alive:
                conn.sendall(b"\r\n")
                time.sleep(keep_alive * 0.6)
        except OSError:  # closed by the server while blank lines were still being sent: what is expected
            pass
        else:
            assert conn.recv(4096) == b"", "still open after three keep-alive timeouts of blank lines"
        assert time.monotonic() - opened < 2.5 * keep_alive


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_a_json_body_in_utf16_or_utf32_is_refused_and_a_utf8_bom_is_not(api, encoding) -> None:
    """JSON on the wire is UTF-8 (RFC 8259): a UTF-16 or UTF-32 body (read before as if sent in UTF-8, a black-box
    probe) is 422 invalid_request naming its encoding, in the reader's language, writing nothing; a UTF-8 body with
    a byte order mark is read as before."""
    body = {"uscc": unique_uscc(), "name": "杭州编码测试有限公司", "in_district": True}
    auth = {"Authorization": f"Bearer {api.tokens['admin']}", "Content-Type": "application/json"}
    before = api.events()
    refused = api.client.post("/v1/organisations", content=json.dumps(body).encode(encoding), headers={**auth, **ZH})
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_request", refused.text
    assert "UTF-8" in refused.json()["detail"] and "UTF-" in refused.json()["detail"][10:] and api.events() == before
    bom = api.client.post("/v1/organisations", content=json.dumps(body).encode("utf-8-sig"), headers=auth)
    assert bom.status_code == 201, bom.text


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "x-anything"])
def test_a_body_with_a_content_encoding_is_refused_not_read_as_plain(api, encoding) -> None:
    """A body labelled gzip was read as if it were plain text and recorded (a probe): no route decodes one, so it
    is refused, in the reader's language, and nothing is written; "identity" is no encoding and is read."""
    body = f'{{"uscc": "{unique_uscc()}", "name": "杭州压缩公司", "in_district": true}}'.encode()
    before = api.events()
    response = api.client.post("/v1/organisations", content=body, headers={
        "Authorization": f"Bearer {api.tokens['admin']}", "Content-Type": "application/json",
        "Content-Encoding": encoding, "Accept-Language": "zh"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_request", response.text
    assert "Content-Encoding" in response.json()["detail"] and "未压缩" in response.json()["detail"]
    assert api.events() == before
    plain = api.client.post("/v1/organisations", content=body, headers={
        "Authorization": f"Bearer {api.tokens['admin']}", "Content-Type": "application/json",
        "Content-Encoding": "identity"})
    assert plain.status_code == 201, plain.text


def test_a_repeated_key_of_any_length_is_named_in_a_few_characters(api) -> None:
    """A refusal echoed a 500 KB key twice over (a probe): it quotes the key's first 80 characters."""
    key = "k" * 500_000
    body = f'{{"{key}": 1, "{key}": 2}}'.encode()
    response = api.client.post("/v1/organisations", content=body, headers={
        "Authorization": f"Bearer {api.tokens['admin']}", "Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    assert len(response.content) < 4_000 and "k" * 80 + "…" in response.json()["detail"]


def test_a_number_of_thousands_of_digits_is_named_as_such(api) -> None:
    """A 5,000-digit JSON integer was called "not UTF-8 JSON text" (a probe): it is named for what it is, in the
    reader's language, and nothing is written."""
    before = api.events()
    body = ('{"year": 2024, "amount": ' + "9" * 5000 + ', "document_ref": "X"}').encode()
    for lang, said in (("en", "more than 4,300 digits"), ("zh", "超过 4,300 位的数字")):
        response = api.client.post("/v1/appropriations", content=body, headers={
            "Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "application/json",
            "Accept-Language": lang})
        assert response.status_code == 422 and response.json()["code"] == "invalid_request", response.text
        assert said in response.json()["detail"]
    assert api.events() == before
    broken = api.client.post("/v1/appropriations", content=b'{"year": 2024,', headers={
        "Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "application/json"})
    assert broken.status_code == 422 and "digits" not in broken.json()["detail"]


def test_a_header_that_names_who_asks_or_the_retry_is_sent_once(api) -> None:
    """A probe sent two Authorization headers (admin's token, then auditor's) and was served as admin; two
    Idempotency-Key headers had one read silently. Either twice is refused, in the reader's language, writes
    nothing, and once is served."""
    admin, auditor = (f"Bearer {api.tokens[who]}" for who in ("admin", "auditor"))
    body = {"uscc": unique_uscc(), "name": "杭州某科技有限公司", "in_district": True}
    for headers in ([("Authorization", admin), ("Authorization", auditor)],
                    [("Authorization", admin), ("Idempotency-Key", "k-1"), ("idempotency-key", "k-2")]):
        answer = api.client.post("/v1/organisations", json=body, headers=headers)
        assert answer.status_code == 422 and answer.json()["code"] == "invalid_request", answer.text
        assert "more than once" in answer.json()["detail"]
        zh = api.client.post("/v1/organisations", json=body, headers=[*headers, ("Accept-Language", "zh")])
        assert "出现了不止一次" in zh.json()["detail"]
    assert api.client.get(f"/v1/organisations/{body['uscc']}", headers={"Authorization": auditor}).status_code == 404
    assert api.client.post("/v1/organisations", json=body, headers={"Authorization": admin}).status_code == 201


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_chinese_sent_raw_in_a_url_is_told_to_percent_encode_in_the_readers_language(server, lang) -> None:
    """curl sends `?q=企业` as it is typed, and a clerk searches by name so: the parser cannot read it, and the
    400 said in English only to 'send a well-formed request' (a black-box probe). It now says to percent-encode,
    in the language the request asked for; the same query encoded is answered."""
    raw = ("GET /v1/organisations?q=企业 HTTP/1.1\r\nHost: x\r\nAccept-Language: " + lang + "\r\n\r\n").encode()
    answer = _whole(server, raw)
    status, _, problem = _refusal(answer)
    assert status.startswith("HTTP/1.1 400") and problem["code"] == "bad_request", answer
    assert "%E4%BC%81%E4%B8%9A" in problem["detail"]
    assert ("百分号编码" in problem["detail"]) == (lang == "zh-CN"), problem


def test_a_head_stopped_right_after_its_language_is_refused_in_that_language(server) -> None:
    """The parser hands a header over only once the next begins: a head that stopped right after
    `Accept-Language: zh-CN` was timed out in English (a black-box probe); so was a method it cannot read."""
    answer = _whole(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nAccept-Language: zh-CN\r\n")
    status, _, problem = _refusal(answer)
    assert status.startswith("HTTP/1.1 408") and "请求头" in problem["detail"], answer
    answer = _whole(server, b"FO(O / HTTP/1.1\r\nHost: x\r\nAccept-Language: zh-CN\r\n\r\n")
    status, _, problem = _refusal(answer)
    assert status.startswith("HTTP/1.1 400") and problem["title"] == "请求有误", answer


@pytest.mark.parametrize(("body", "field"), [(b'{"year": 2024, "amount": "1.00", "amount": "2.00"}', "amount"),
                                             (b"[" * 5000 + b"]" * 5000, "body"),
                                             (b'{"amount": ' + b"9" * 5000 + b"}", "body"),
                                             ('{"year": 2024}'.encode("utf-16"), "body")])
def test_a_malformed_body_refused_at_the_edge_lists_its_fault_in_errors(api, body, field) -> None:
    """README, Conventions: malformed requests carry `errors: [{field, location, message, code}]`. A duplicate key,
    JSON nested too deep, a number of thousands of digits and a body not in UTF-8 carried none (an adversarial
    probe): each names its field (the key named twice, else the body), in the reader's language."""
    before = api.events()
    answer = api.client.post("/v1/appropriations", content=body, headers={
        "Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "application/json", **ZH})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    [fault] = problem["errors"]
    assert (fault["field"], fault["location"], fault["code"]) == (field, "body", "invalid_request"), problem
    assert fault["message"] == problem["detail"] and re.search(r"[\u4e00-\u9fff]", fault["message"]), problem
    assert api.events() == before

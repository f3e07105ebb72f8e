"""The pages' uploads are read off the event loop, as the API's are: a bank statement previewed on the finance page
(read, matched and rendered) held the loop, and every other request with it, /healthz included, for 2.5 s a 1 MiB
file (an intake probe). Judged by what was answered while a preview ran, not by a time."""
from __future__ import annotations

import re
import threading

import httpx

from tests.support import unique_id


def _signed_in(live, who: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=live.url, timeout=120)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/sign-in").text).group(1)
    answer = client.post("/ui/sign-in", data={"csrf": csrf, "token": live.tokens[who]})
    assert answer.status_code in (200, 303), answer.text[:300]
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/finance/write").text).group(1)
    return client, csrf


def test_a_statement_preview_leaves_the_service_answering(live):
    client, csrf = _signed_in(live, "finance")
    lines = [f'2023-07-{1 + n % 28:02d},"{1000 + n:,}.00",,杭州某某科技有限公司{n},{unique_id("PAY-")} 认定奖励'
             for n in range(14_000)]
    raw = ("交易日期,借方发生额,贷方发生额,对方户名,附言\n" + "\n".join(lines) + "\n").encode("gb18030")
    assert len(raw) < 1 << 20  # within the body limit
    done = threading.Event()
    answer: dict[str, httpx.Response] = {}

    def preview() -> None:
        try:
            answer["preview"] = client.post("/ui/finance/statements/preview", data={"csrf": csrf},
                                            files={"file": ("工行.csv", raw, "text/csv")})
        finally:
            done.set()

    sender = threading.Thread(target=preview)
    sender.start()
    answered = 0
    with httpx.Client(base_url=live.url, timeout=120) as other:
        while not done.is_set():
            assert other.get("/healthz").status_code == 200
            answered += not done.is_set()
    sender.join()
    assert answer["preview"].status_code == 200, answer["preview"].text[:300]
    assert "导入前预览" in answer["preview"].text
    # Held on the loop, /healthz waited for the whole preview: one answer at most, sent before it began.
    assert answered >= 5, answered

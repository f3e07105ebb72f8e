"""Every data table on the pages a clerk, finance and an auditor read has a name a screen reader announces: its
caption, or an `aria-label`/`aria-labelledby` that names it (a pages probe found the search results and some of
the sandbox's tables with none, and the sandbox's gaining/losing lists with no column headings)."""
from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from api.web.sandbox_form import numbers
from tests.browser.conftest import api, page_client, paid_erc_award, signed_in

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "finance": {"role": "finance"},
          "auditor": {"role": "auditor"}, "admin": {"role": "admin"}}
MUNICIPAL_ERC = next(n for n in numbers() if n.labels[0].startswith("A3.erc ") and n.labels[0].endswith(" · 市级"))


class _Tables(HTMLParser):
    """Each table's accessible name as a browser computes it from caption, aria-label or aria-labelledby, and
    whether it has column or row headings."""

    def __init__(self) -> None:
        super().__init__()
        self.text_of: dict[str, list[str]] = {}  # element id -> its text
        self.tables: list[dict] = []
        self._open_ids: list[tuple[str, str]] = []  # (tag, id) of elements whose text is being gathered
        self._caption: dict | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"label": a.get("aria-label"), "labelledby": a.get("aria-labelledby"),
                                "caption": "", "th": 0, "testid": a.get("data-testid"), "at": self.getpos()})
        elif tag == "caption" and self.tables:
            self._caption = self.tables[-1]
        elif tag == "th" and self.tables:
            self.tables[-1]["th"] += 1
        if a.get("id"):
            self.text_of[a["id"]] = []
            self._open_ids.append((tag, a["id"]))

    def handle_endtag(self, tag) -> None:
        if tag == "caption":
            self._caption = None
        while self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()
            break

    def handle_data(self, data) -> None:
        for _, name in self._open_ids:
            self.text_of[name].append(data)
        if self._caption is not None:
            self._caption["caption"] += data

    def unnamed(self) -> list[dict]:
        def name(t: dict) -> str:
            ids = (t["labelledby"] or "").split()
            return (t["label"] or "" if not ids else " ".join("".join(self.text_of.get(i, [])) for i in ids)) or \
                t["caption"]
        return [t for t in self.tables if not name(t).strip() or not t["th"]]


def _unnamed(page: str) -> list[dict]:
    found = _Tables()
    found.feed(page)
    return found.unnamed()


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        api(c, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
            as_="finance")
        yield c


def test_every_table_on_the_pages_has_a_name_and_headings(client):
    award = paid_erc_award(client)
    revoked = api(client, "POST", f"/v1/claims/{award['claim']}/revoke",
                  {"reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕17号"}, as_="kjj")
    other = paid_erc_award(client)
    pages = {
        "kjj": ["/ui/", f"/ui/organisations/{award['uscc']}", f"/ui/claims/{other['claim']}",
                f"/ui/organisations?q={award['uscc'][:8]}", f"/ui/certifications/{award['cert']}"],
        "finance": ["/ui/finance?year=2023", "/ui/recoveries", f"/ui/recoveries/{revoked['recovery_id']}"],
        "auditor": ["/ui/audit"],
    }
    seen, unnamed = 0, []
    for who, paths in pages.items():
        signed_in(client, who)
        for path in paths:
            for lang in ("zh", "en"):
                answer = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
                assert answer.status_code == 200, (path, answer.text[:300])
                seen += answer.text.count("<table")
                unnamed += [(path, t["testid"], t["at"]) for t in _unnamed(answer.text)]
    csrf = signed_in(client, "auditor")
    for lang in ("zh", "en"):
        answer = client.post(f"/ui/sandbox?lang={lang}", data={
            "csrf": csrf, "format": "html", "uscc": other["uscc"], f"n:{MUNICIPAL_ERC.path}": "250000.00"})
        assert answer.status_code == 200, answer.text[:300]
        assert 'data-testid="sandbox-organisation"' in answer.text
        gaining = answer.text.split('id="orgs-1-h"')[1].split("</section>")[0]  # the organisations gaining
        assert other["uscc"] in gaining and ("企业" if lang == "zh" else "Organisation") in gaining
        seen += answer.text.count("<table")
        unnamed += [("/ui/sandbox", t["testid"], t["at"]) for t in _unnamed(answer.text)]
    assert unnamed == [], "\n".join(sorted({f"{p.split('?')[0]} {i} line {at[0]}" for p, i, at in unnamed}))
    assert seen >= 20

"""Every data table on the pages a clerk, finance and an auditor read has a name a screen reader announces: its
caption, or an `aria-label`/`aria-labelledby` that names it (a pages probe found the search results and some of
the sandbox's tables with none, and the sandbox's gaining/losing lists with no column headings)."""
from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from api.web.sandbox_form import numbers
from tests.browser.conftest import api, funded_page_client, paid_erc_award, signed_in

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
        self._heading: list[str] | None = None  # the text of the column heading being read
        self.empty_headings: list[tuple[int, int]] = []  # where a heading with no words sits
        self._in_summary = 0
        self.in_summary: list[tuple[str, tuple[int, int]]] = []  # controls inside a <summary> (itself one)

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"label": a.get("aria-label"), "labelledby": a.get("aria-labelledby"),
                                "caption": "", "th": 0, "testid": a.get("data-testid"), "at": self.getpos()})
        elif tag == "caption" and self.tables:
            self._caption = self.tables[-1]
        elif tag == "th" and self.tables:
            self.tables[-1]["th"] += 1
            self._heading = []
        elif tag == "summary":
            self._in_summary += 1
        elif tag in ("a", "button", "input", "select", "textarea") and self._in_summary:
            self.in_summary.append((tag, self.getpos()))
        if a.get("id"):
            self.text_of[a["id"]] = []
            self._open_ids.append((tag, a["id"]))

    def handle_endtag(self, tag) -> None:
        if tag == "caption":
            self._caption = None
        elif tag == "th" and self._heading is not None:
            if not "".join(self._heading).strip():
                self.empty_headings.append(self.getpos())
            self._heading = None
        elif tag == "summary":
            self._in_summary -= 1
        while self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()
            break

    def handle_data(self, data) -> None:
        for _, name in self._open_ids:
            self.text_of[name].append(data)
        if self._caption is not None:
            self._caption["caption"] += data
        if self._heading is not None:
            self._heading.append(data)

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


def _unheard(page: str) -> list[str]:
    """A column heading with no words (axe-core's empty-table-header: a pages probe found the queue's, the
    proposals' and the recoveries' link columns), and a link or control inside a <summary> (nested-interactive:
    the organisation page's claims each had one)."""
    found = _Tables()
    found.feed(page)
    return [f"empty heading at line {at[0]}" for at in found.empty_headings] + [
        f"<{tag}> in a summary at line {at[0]}" for tag, at in found.in_summary]


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with funded_page_client(database_url, tmp_path, PEOPLE) as c:
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
    seen, unnamed, unheard = 0, [], []
    for who, paths in pages.items():
        signed_in(client, who)
        for path in paths:
            for lang in ("zh", "en"):
                answer = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
                assert answer.status_code == 200, (path, answer.text[:300])
                seen += answer.text.count("<table")
                unnamed += [(path, t["testid"], t["at"]) for t in _unnamed(answer.text)]
                unheard += [f"{path.split('?')[0]}: {fault}" for fault in _unheard(answer.text)]
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
        unheard += [f"/ui/sandbox: {fault}" for fault in _unheard(answer.text)]
    assert unnamed == [], "\n".join(sorted({f"{p.split('?')[0]} {i} line {at[0]}" for p, i, at in unnamed}))
    assert sorted(set(unheard)) == []
    assert seen >= 20

"""Every field wrong on its own marked in one send, on the forms beside the new-certification form (cb84667): the
upgrade and certification-revocation forms and finance's appropriation, correction and payout forms. The request
model names the malformed fields and the ledger's checks stop at the first; each form reads its other fields alone
beside that refusal (a regression probe needed three sends for three faults). Nothing is written."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import api as _api
from tests.browser.conftest import page_client, paid_erc_award
from tests.browser.conftest import signed_in as _sign_in
from tests.support import unique_id

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "admin": {"role": "admin"}, "finance": {"role": "finance"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        _api(c, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
             as_="finance")
        yield c


def _position(client: TestClient) -> int:
    return _api(client, "GET", "/v1/audit/digest", as_="admin")["position"]


def _marked(text: str, name: str, scope: str = "") -> bool:
    """Whether the form's field `name` is marked wrong (within `scope`, a part of the page, if given)."""
    part = text.split(scope, 1)[1] if scope else text
    return bool(re.search(rf'name="{name}"[^>]*aria-invalid="true"', part, re.S))


def test_an_upgrade_marks_its_tier_day_and_document_at_once(client):
    """A tier that is no higher rung, a day outside the term and no document: all three in one send, in the page's
    language; a day before the certification is marked beside an empty document too."""
    award = paid_erc_award(client)
    csrf = _sign_in(client, "kjj")
    before = _position(client)
    form = {"csrf": csrf, "key": unique_id("k"), "tier": "bogus", "effective_on": "2030-01-01", "document_ref": ""}
    page = client.post(f"/ui/certifications/{award['cert']}/upgrades?lang=zh", data=form)
    assert page.status_code == 422, page.text[:500]
    scope = 'data-testid="upgrade-form"'
    assert 'data-testid="error-tier"' in page.text and "请选择高于现有等次的等次" in page.text
    for name in ("effective_on", "document_ref"):
        assert _marked(page.text, name, scope), name
    assert "2030-01-01 不在政策期" in page.text
    early = client.post(f"/ui/certifications/{award['cert']}/upgrades?lang=en",
                        data=form | {"key": unique_id("k"), "tier": "provincial", "effective_on": "2023-01-02"})
    assert _marked(early.text, "effective_on", scope) and _marked(early.text, "document_ref", scope)
    assert "is before the certification" in early.text
    assert 'data-testid="error-tier"' not in early.text  # a higher rung: not marked
    assert _position(client) == before


def test_a_certification_revocation_marks_a_future_day_beside_empty_fields(client):
    """No reason, no document and a day ahead of today: the day is marked with them, not on the next send."""
    award = paid_erc_award(client)
    csrf = _sign_in(client, "kjj")
    before = _position(client)
    form = {"csrf": csrf, "key": unique_id("k"), "step": "preview", "reason": "", "effective_on": "2099-01-01",
            "document_ref": ""}
    page = client.post(f"/ui/certifications/{award['cert']}/revoke?lang=zh", data=form)
    assert page.status_code == 422, page.text[:500]
    scope = 'data-testid="revoke-cert-form"'
    for name in ("reason", "effective_on", "document_ref"):
        assert _marked(page.text, name, scope), name
    assert "2099-01-01 晚于今天" in page.text
    english = client.post(f"/ui/certifications/{award['cert']}/revoke?lang=en",
                          data=form | {"effective_on": "2023-01-02", "reason": "no longer holds"})
    assert _marked(english.text, "effective_on", scope) and _marked(english.text, "document_ref", scope)
    assert "is before certification" in english.text and not _marked(english.text, "reason", scope)
    assert _position(client) == before

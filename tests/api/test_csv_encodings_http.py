"""The two CSV routes (an official list of certifications, a bank statement) read a file's text one way
(ledger/bank_files/decoding.py) and say what is wrong with it the same way: a file declared GBK that is UTF-8 is
told to declare UTF-8 (the list called it "neither UTF-8 nor GB18030/GBK" and told the sender to save it as UTF-8,
which it was), and a UTF-16 file is named as one, with or without its byte order mark (an adversarial probe was
told "byte 1 cannot be read", or had its header read as `u s c c`). Nothing is written."""
from __future__ import annotations

import pytest

from tests.api.conftest import Api

LIST = ("uscc,programme,tier,effective_on,document_ref,body_id\n"
        "91330108MA27Y3XX4N,A6.honour,专精特新小巨人,2023-03-01,D,\n")
STATEMENT = "date,amount,reference,counterparty\n2024-07-02,1.00,ENC-1,杭州某科技有限公司\n"
ROUTES = {"list": ("/v1/certifications/imports", "kjj", LIST), "statement": ("/v1/finance/bank-statements", "finance",
                                                                              STATEMENT)}


def _post(api: Api, route: str, body: bytes, content_type: str) -> dict:
    path, who, _ = ROUTES[route]
    answer = api.client.post(path, content=body, headers={"Authorization": f"Bearer {api.tokens[who]}",
                                                          "Content-Type": content_type, "Accept-Language": "zh"})
    assert answer.status_code == 422, answer.text
    return answer.json()


@pytest.mark.parametrize("route", ["list", "statement"])
def test_a_utf8_file_declared_gbk_is_told_to_declare_utf8(api: Api, route: str) -> None:
    before = api.events()
    said = _post(api, route, ROUTES[route][2].encode("utf-8"), "text/csv; charset=gbk")
    assert "声明 charset=gbk" in said["detail"] and "charset=utf-8" in said["detail"], said
    assert api.events() == before


@pytest.mark.parametrize("route", ["list", "statement"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_utf16_file_is_named_as_one(api: Api, route: str, encoding: str) -> None:
    before = api.events()
    said = _post(api, route, ROUTES[route][2].encode(encoding), "text/csv")
    assert "UTF-16" in said["detail"] and "CSV UTF-8" in said["detail"], said
    assert api.events() == before

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


# UTF-8 that GB18030 reads too, as private-use codes among rare characters (杭州 reads 鏉\ue15e窞): a finance probe's
# statement was told to delete an invisible U+E15E from a counterparty that held none, the list told to declare UTF-8.
READ_AS_GB = {"list": "uscc,programme,tier,effective_on,document_ref,body_id\n"
                      "91330108MA27Y3XX4N,A6.honour,x,2023-03-01,杭州瀚芯软件科技有限公司,\n",
              "statement": "date,amount,reference,counterparty\n"
                           "2026-12-08,12345.67,BOC-F63-PC-1,杭州瀚芯软件科技有限公司\n"}


@pytest.mark.parametrize("route", ["list", "statement"])
def test_a_utf8_file_declared_gbk_that_gbk_reads_is_told_to_declare_utf8_too(api: Api, route: str) -> None:
    before = api.events()
    body = READ_AS_GB[route].encode("utf-8")
    assert "\ue15e" in body.decode("gb18030")
    said = _post(api, route, body, "text/csv; charset=gbk")
    assert said["detail"] == ("文件声明 charset=gbk，但它是 UTF-8 编码的文本：按 GB18030/GBK 读取，其中的汉字会成为"
                              "自定义区字符和生僻字；请声明 charset=utf-8 或不声明"), said
    assert "不可见" not in str(said)
    assert api.events() == before


@pytest.mark.parametrize("route", ["list", "statement"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_utf16_file_is_named_as_one(api: Api, route: str, encoding: str) -> None:
    before = api.events()
    said = _post(api, route, ROUTES[route][2].encode(encoding), "text/csv")
    assert "UTF-16" in said["detail"] and "CSV UTF-8" in said["detail"], said
    assert api.events() == before

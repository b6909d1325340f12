"""`epa serve` with requests out of the ordinary: each gets the right answer or a clear problem, never a wrong
answer. On 0382bff a body's charset parameter was not read: a record declared ISO-8859-1 was read as UTF-8, and
its apprentice "Ã©" (the bytes C3 A9 in ISO-8859-1) answered for as "é", the apprentice UTF-8 reads in them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from conftest import any_body

pytest.importorskip("starlette", reason="epa serve needs starlette (a dependency of epa)")
pytest.importorskip("httpx", reason="the in-process client needs httpx (the test extra)")

from starlette.testclient import TestClient  # noqa: E402

from epa.serve.app import create_app  # noqa: E402
from epa.serve.settings import Settings  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:.*httpx2:DeprecationWarning")  # starlette's notice about httpx's name


@pytest.fixture(scope="module")
def client(registry) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), registry)) as c:
        yield c


def record(ident: str) -> str:
    return json.dumps({"standard": "ST0071", "apprentice": {"id": ident}, "gateway": {"date": "2025-01-01"}},
                      ensure_ascii=False)


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1252", '"latin1"', "utf-16"])
def test_a_record_declared_in_another_charset_than_utf8_is_refused_not_misread(client, charset) -> None:
    any_body()
    raw = record("Ã©").encode("latin-1")  # the bytes C3 A9: "é" to a reader of UTF-8
    answer = client.post("/gateway", content=raw, headers={"content-type": f"application/json; charset={charset}"})
    problem = answer.json()
    assert answer.status_code == 415, problem
    assert problem["type"].endswith("/unsupported-media-type") and charset.strip('"') in problem["detail"]
    assert "UTF-8" in problem["hint"]


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", '"utf-8"', "us-ascii"])
def test_a_record_declared_utf8_or_ascii_is_read(client, charset) -> None:
    any_body()
    answer = client.post("/gateway", content=record("A-1").encode(),
                         headers={"content-type": f"application/json; charset={charset}"})
    assert answer.status_code == 200 and answer.json()["apprentice"] == "A-1", answer.text


@pytest.mark.parametrize("path", ["/batch", "/audit"])
def test_a_cohort_declared_in_another_charset_is_refused_before_a_row_is_graded(client, path) -> None:
    any_body()
    csv = "Apprentice ID,Standard\nZoë,ST0071\n".encode("cp1252")
    answer = client.post(path, content=csv, headers={"content-type": "text/csv; charset=windows-1252"})
    assert answer.status_code == 415 and "windows-1252" in answer.json()["detail"], answer.text

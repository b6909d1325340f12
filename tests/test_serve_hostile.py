"""`epa serve` with requests out of the ordinary: each gets the right answer or a clear problem, never a wrong
answer. On 0382bff a body's charset parameter was not read: a record declared ISO-8859-1 was read as UTF-8, and
its apprentice "Ã©" (the bytes C3 A9 in ISO-8859-1) answered for as "é", the apprentice UTF-8 reads in them; and
an EPAO id mapped to two bodies (?body-id= twice) had its rows audited under one of them, the other unsaid."""

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


@pytest.mark.parametrize("path", ["/compare", "/batch"])
def test_a_body_declared_in_two_charsets_is_refused_not_read_as_the_first(client, path) -> None:
    """RFC 9110 § 8.3: a media type's parameter names one charset. On bce6565 ``charset=utf-8; charset=latin1`` was
    read as the first alone: a sender's Latin-1 "é" (0xE9) read as UTF-8 refused, or its "Ã©" read as "é"."""
    media = "application/json" if path == "/compare" else "application/jsonl"
    answer = client.post(path, content=record("A-0001").encode(),
                         headers={"content-type": f"{media}; charset=utf-8; charset=latin1"})
    assert answer.status_code == 415, answer.text
    assert "charset=utf-8 and charset=latin1" in answer.json()["detail"]


def test_a_content_type_naming_no_media_type_is_said_as_given_not_as_missing(client) -> None:
    """On bce6565 ``Content-Type: ;charset=utf-8`` was refused as "a body without a Content-Type", a header it had."""
    answer = client.post("/compare", content=record("A-0001").encode(), headers={"content-type": ";charset=utf-8"})
    assert answer.status_code == 415 and "naming no media type" in answer.json()["detail"], answer.text


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


def test_an_epao_id_mapped_to_two_bodies_is_refused_not_one_of_them_used(client, registry) -> None:
    bodies = [b.body.id for b in registry.bodies]
    if len(bodies) < 2:
        pytest.skip("needs two installed bodies to map one EPAO id to both")
    first, second = bodies[:2]
    # On 0382bff the second mapping replaced the first (and epa0002, in another case, was a key of its own that a
    # row's EPA0002 then matched or not by the order given): the rows audited under one body, the other unsaid.
    csv = "Apprentice ID,Standard,EPAO ID,Overall Grade\nE1,ST0071,EPA0002,Pass\n"
    for query in (f"body-id=EPA0002={first}&body-id=EPA0002={second}",
                  f"body-id=epa0002={first}&body-id=EPA0002={second}"):
        answer = client.post(f"/audit?{query}", content=csv, headers={"content-type": "text/csv"})
        problem = answer.json()
        assert answer.status_code == 400, problem
        assert "EPA0002" in problem["detail"] and first in problem["detail"] and second in problem["detail"], problem
    same = client.post(f"/audit?body-id=EPA0002={first}&body-id=epa0002={first}", content=csv,
                       headers={"content-type": "text/csv"})
    assert same.status_code == 200, same.text  # the same body twice: no contradiction


def test_the_command_line_refuses_an_epao_id_mapped_to_two_bodies_alike(registry, tmp_path) -> None:
    from conftest import run

    bodies = [b.body.id for b in registry.bodies]
    if len(bodies) < 2:
        pytest.skip("needs two installed bodies to map one EPAO id to both")
    (tmp_path / "outcomes.csv").write_text("Apprentice ID,Standard,EPAO ID,Overall Grade\nE1,ST0071,EPA0002,Pass\n",
                                           encoding="utf-8")
    said = run("audit", str(tmp_path / "outcomes.csv"), "--body-id", f"EPA0002={bodies[0]}", "--body-id",
               f"epa0002={bodies[1]}")
    said_first = said.stderr.splitlines()[0] if said.stderr else ""
    assert said.exit_code == 2 and all(w in said_first for w in ("EPA0002", bodies[0], bodies[1])), said


@pytest.mark.parametrize("path", ["/compare", "/gateway", "/timeline", "/grade/{body}"])
def test_a_record_whose_body_never_ends_is_408(registry, path) -> None:
    import asyncio

    from test_serve import _asgi

    body = any_body()
    # On 0382bff a record's body was read for as long as the client kept it open (a Content-Length above what it
    # sends, a chunked body with no last chunk): the connection and what was sent held, no answer given.
    chunks = iter([{"type": "http.request", "body": b'{"standard": "ST0071", ', "more_body": True}])

    async def receive() -> dict:
        found = next(chunks, None)
        if found is None:
            await asyncio.sleep(60)  # the rest never comes
        return found

    app = create_app(Settings(batch_seconds=0.2), registry)
    status, answer = _asgi(app, path.format(body=body), {"content-type": "application/json"}, receive)
    problem = json.loads(answer)
    assert status == 408 and problem["type"].endswith("/request-timeout"), problem
    assert problem["detail"] == "the record was not sent within 0.2 s (the server's --batch-seconds)"


@pytest.mark.parametrize("value", ["%20", "%0D%0A", "%09"])
def test_a_body_parameter_of_blanks_is_refused_not_read_as_every_body(client, value) -> None:
    any_body()
    # `epa criteria --body " "` is refused (exit 2, unknown body ' '); on 0ff2ba6 ?body=%20 was stripped to nothing
    # and read as no ?body= at all: every body's criteria, or every body's gateway, answered for a body not named.
    criteria = client.get(f"/standards/ST0071/criteria?body={value}")
    gateway = client.post(f"/gateway?body={value}", content=record("A-1"), headers={"content-type": "application/json"})
    for answer in (criteria, gateway):
        assert answer.status_code == 400 and answer.json()["detail"].startswith("unknown body"), answer.text[:300]


@pytest.mark.parametrize("charset", ["utf-16", "UTF-16", '"utf-16le"'])
def test_a_record_declared_utf16_with_its_mark_is_read_as_its_utf8_copy(client, charset) -> None:
    """A UTF-16 body with its byte-order mark is read (as the command line reads such a file); declared so, it was
    refused 415 ("reads UTF-8 text only"), the same bytes read when no charset was given."""
    any_body()
    raw = b"\xff\xfe" + record("Zoë-1").encode("utf-16-le")
    answer = client.post("/gateway", content=raw, headers={"content-type": f"application/json; charset={charset}"})
    assert answer.status_code == 200 and answer.json()["apprentice"] == "Zoë-1", answer.text
    plain = client.post("/gateway", content=record("Zoë-1").encode(), headers={"content-type": "application/json"})
    assert answer.content == plain.content


@pytest.mark.parametrize(("charset", "raw"), [
    ("utf-16", record("A-1").encode("utf-16-le")),  # no mark: read as UTF-8, its NULs would be no JSON
    ("utf-16be", b"\xff\xfe" + record("A-1").encode("utf-16-le")),  # the other byte order's mark
])
def test_a_record_declared_utf16_without_its_mark_is_refused_saying_so(client, charset, raw) -> None:
    any_body()
    answer = client.post("/gateway", content=raw, headers={"content-type": f"application/json; charset={charset}"})
    problem = answer.json()
    assert answer.status_code == 415, problem
    assert charset in problem["detail"] and "byte-order mark" in problem["detail"] and "UTF-8" in problem["hint"]


@pytest.mark.parametrize("path", ["/batch", "/audit"])
def test_a_cohort_declared_utf16_is_read_by_its_mark(client, path) -> None:
    """A cohort in UTF-16 with its mark is answered as its UTF-8 copy is, with charset=utf-16 or none."""
    any_body()
    text = "Apprentice ID,Standard,Gateway Date,Overall Grade\nZoë,ST0071,2025-01-06,Pass\n"
    query = f"{path}?format=csv" + (f"&body={any_body()}" if path == "/audit" else "")
    plain = client.post(query, content=text.encode(), headers={"content-type": "text/csv"})
    assert plain.status_code == 200, plain.text
    for declared in ("text/csv", "text/csv; charset=utf-16"):
        answer = client.post(query, content=b"\xff\xfe" + text.encode("utf-16-le"),
                             headers={"content-type": declared})
        assert (answer.status_code, answer.text) == (200, plain.text)


def _records(count: int) -> list[dict]:
    from conftest import EXAMPLES

    lines = (EXAMPLES / "st0071-cohort.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines[:count]]


def test_a_json_array_over_several_lines_sent_as_a_cohort_is_refused_as_what_it_is(client) -> None:
    """A .json file of records sent to POST /batch as JSON Lines. On 6b31b37 its first line ('[') was read as a CSV
    header: 422 'the header has no column for the standard ...; columns not read: "["', which named neither the
    array nor JSON Lines. Now the refusal says what was sent, and how to send it."""
    any_body("ST0071")
    text = json.dumps(_records(2), indent=2)  # '[' alone on its first line, as json.dump and jq write one
    answer = client.post("/batch", content=text, headers={"content-type": "application/jsonl"})
    problem = answer.json()
    assert answer.status_code == 422 and problem["type"].endswith("/invalid-cohort"), problem
    assert "JSON array" in problem["detail"] and "not JSON Lines" in problem["detail"], problem
    assert "one record a line" in problem["hint"] and problem["line"] == 1, problem


def test_a_json_array_on_the_first_line_of_a_cohort_is_said_to_be_one_in_its_error_row(client) -> None:
    """A cohort whose first line is a JSON array (here of two records) and whose second is a record: the array's
    line is an error row saying it is an array, and the record after it is graded, as a .jsonl file's lines are.
    On 6b31b37 the whole cohort was refused as a CSV header naming none of the columns (its 20-odd pieces listed as
    columns not read), and the record on line 2 was not graded."""
    any_body("ST0071")
    first, second, third = _records(3)
    text = json.dumps([first, second]) + "\n" + json.dumps(third) + "\n"
    answer = client.post("/batch", content=text, headers={"content-type": "application/jsonl"})
    assert answer.status_code == 200, answer.text[:300]
    rows = [json.loads(line) for line in answer.text.splitlines()]
    assert [row["line"] for row in rows] == [1, 2], rows
    assert "error" in rows[0] and "JSON array" in rows[0]["error"]["hint"], rows[0]
    assert rows[1]["apprentice"] == third["apprentice"]["id"] and "error" not in rows[1], rows[1]


def test_a_csv_whose_first_column_is_bracketed_is_still_read_as_csv(client) -> None:
    """A CSV header may start with '[' (a column named '[ULN]'): it is no JSON array, and is read as CSV, its
    column mapped with ?column= as any other."""
    any_body("ST0071")
    text = "[ULN],standard,gateway_date\nA-1,ST0071,2025-06-02\n"
    answer = client.post("/batch?column=%5BULN%5D%3Dapprentice", content=text,
                         headers={"content-type": "text/csv"})
    assert answer.status_code == 200, answer.text[:300]
    (row,) = [json.loads(line) for line in answer.text.splitlines()]
    assert row["line"] == 2 and row["apprentice"] == "A-1", row

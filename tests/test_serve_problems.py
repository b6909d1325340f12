"""`epa serve`'s problem details say what the request sent (its JSON paths, its query parameters, the server it
asked), not the command line's words; and the consistency analysis runs off the event loop.

On 9677339 a record with several problems was answered with one detail of several lines, each further problem an
"also: <stdin>:LINE:COLUMN: $.path: ..." line (the command line's way of listing them, naming a standard input the
client never used); a body or standard the server's --bodies left out was said as "chosen with ?bodies=(or
EPA_BODIES)" (no such query parameter: the server's own option, which a client cannot change) or "--bodies"; an
unknown criterion's hint named a command (`epa criteria --standard ST0071`); and /consistency analysed on the
event loop, every other request waiting about a second for it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from conftest import any_body, offering, run

pytest.importorskip("starlette", reason="epa serve needs starlette (a dependency of epa)")
pytest.importorskip("httpx", reason="the in-process client needs httpx (the test extra)")

from starlette.testclient import TestClient  # noqa: E402

from epa.serve.app import create_app  # noqa: E402
from epa.serve.settings import Settings  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:.*httpx2:DeprecationWarning")  # starlette's notice about httpx's name

JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def client(registry) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), registry)) as c:
        yield c


def no_command_line_words(problem: dict) -> None:
    said = problem["detail"] + problem.get("hint", "")
    assert "\n" not in problem["detail"] and "also:" not in said and "<stdin>" not in said, problem
    assert "--bodies" not in said.replace("its --bodies", "").replace("without --bodies", "") and "?bodies" not in said
    assert "`epa " not in said, problem


def test_a_records_further_problems_are_listed_each_with_its_json_path(client) -> None:
    any_body()
    # Five problems, each at the path and column (1-based) of its value: $.apprentice.id (a number, not the string
    # the schema asks for), $.gateway.date (a number, not a date), $.assessments[0] (no date; neither criteria_met
    # nor grade: two problems) and $.assessments[0].method (a number).
    raw = '{"standard": "ST0071", "apprentice": {"id": 5}, "gateway": {"date": 7}, "assessments": [{"method": 1}]}'
    column = {"$.apprentice.id": raw.index("5}") + 1, "$.gateway.date": raw.index("7}") + 1,
              "$.assessments[0]": raw.index('{"method"') + 1, "$.assessments[0].method": raw.index("1}]") + 1}
    answer = client.post("/compare", content=raw, headers=JSON)
    problem = answer.json()
    assert answer.status_code == 422, problem
    no_command_line_words(problem)
    found = [(problem["path"], problem["line"], problem["column"])]
    found += [(also["path"], also["line"], also["column"]) for also in problem["also"]]
    assert sorted(found) == sorted([(path, 1, at) for path, at in column.items()] + [("$.assessments[0]", 1,
                                                                                       column["$.assessments[0]"])])
    assert all(also["detail"] and "\n" not in also["detail"] for also in problem["also"])
    assert "more" not in problem  # five problems: every one listed


def test_problems_past_the_ones_listed_are_counted_as_the_command_line_counts_them(client, tmp_path) -> None:
    any_body()
    # Ten dates that are numbers: the first problem as the detail, four in also (as the command line lists them),
    # the rest counted, as many as the command line says there are.
    record = {"standard": "ST0071", "apprentice": {"id": "A"}, "gateway": {"date": "2025-01-01"},
              "assessments": [{"method": "project", "date": i} for i in range(10)]}
    problem = client.post("/compare", content=json.dumps(record), headers=JSON).json()
    no_command_line_words(problem)
    (tmp_path / "record.json").write_text(json.dumps(record), encoding="utf-8")
    said = run("compare", str(tmp_path / "record.json")).stderr
    assert len(problem["also"]) == 4 == said.count("\n  also: ")
    assert f"\n  … and {problem['more']} more\n" in said
    assert {problem["path"], *(a["path"] for a in problem["also"])} == {f"$.assessments[{i}].date" for i in range(5)}


def test_a_further_problem_at_a_key_holding_a_colon_or_a_quote_keeps_its_path_and_detail(client, tmp_path) -> None:
    any_body()
    # Before, the further problems were read back out of the command line's text: a key named "a: b" split its
    # "also:" line at its own ": ", giving the path $.a and the detail "b: unknown field 'a: b' ...". Each further
    # problem is now carried as data: its path is the key's whole name, its detail what the command line says after
    # the place. The first problem: an assessment with neither criteria_met nor grade (the schema's words).
    record = {"standard": "ST0071", "apprentice": {"id": "A", "it's": 2}, "gateway": {"date": "2025-01-01"},
              "assessments": [{"method": "project", "date": "2025-02-01"}], "a: b": 1}
    raw = json.dumps(record)
    problem = client.post("/compare", content=raw, headers=JSON).json()
    no_command_line_words(problem)
    also = {a["path"]: a for a in problem["also"]}
    assert set(also) == {"$.a: b", "$.apprentice.it's"}, problem
    assert also["$.a: b"]["detail"].startswith("unknown field 'a: b' (expected one of: ")
    assert also["$.apprentice.it's"]["detail"].startswith("unknown field \"it's\" (expected one of: ")
    at = raw.index('"a: b": 1') + len('"a: b": ') + 1  # (1-based: the unknown field's value)
    assert (also["$.a: b"]["line"], also["$.a: b"]["column"]) == (1, at)
    # The command line says the same problems, each after its place, on an "also:" line
    (tmp_path / "record.json").write_text(raw, encoding="utf-8")
    said = run("compare", str(tmp_path / "record.json")).stderr
    for path, item in also.items():
        assert f"\n  also: {tmp_path / 'record.json'}:1:{item['column']}: {path}: {item['detail']}\n" in said, said


def test_an_unknown_criterion_is_pointed_to_the_endpoint_listing_the_criteria(client) -> None:
    any_body()
    raw = json.dumps({"standard": "ST0071", "apprentice": {"id": "A"}, "gateway": {"date": "2025-01-01"},
                      "assessments": [{"method": "project", "date": "2025-01-01",
                                                       "criteria_met": ["QQQQQQQQ"]}]})
    problem = client.post("/compare", content=raw, headers=JSON).json()
    assert problem["path"] == "$.assessments[0].criteria_met[0]"
    if "did you mean" not in problem["hint"] and "expected one of" not in problem["hint"]:
        assert problem["hint"] == "GET /standards/ST0071/criteria lists them"
    no_command_line_words(problem)


def test_a_body_the_server_does_not_serve_is_said_as_the_servers_choice(registry) -> None:
    served = any_body()
    others = [b.body for b in registry.bodies if b.body.id != served]
    if not others:
        pytest.skip("needs two installed bodies: one served, one left out")
    left_out = others[0]
    standard = left_out.standards[0]
    with TestClient(create_app(Settings(bodies=(served,)))) as c:
        asked = [c.get(f"/bodies/{left_out.id}/journey"), c.get(f"/standards/{standard}/criteria?body={left_out.id}")]
        if standard not in registry.named(served).body.standards:  # the standard is left out with its body
            asked.append(c.get(f"/consistency/{standard}"))
            asked.append(c.post("/compare", content=json.dumps({"standard": standard, "apprentice": {"id": "A"}}),
                                headers=JSON))
    for answer in asked:
        problem = answer.json()
        assert answer.status_code in (400, 404, 422), problem
        no_command_line_words(problem)
        assert "this server serves (its --bodies, or EPA_BODIES)" in problem["detail"], problem
        assert f"served: {served}" in problem["hint"], problem


def test_the_consistency_analysis_runs_off_the_event_loop_with_the_same_answer(client, monkeypatch) -> None:
    offering("ST0071", "the standard analysed")
    import epa.consistency

    before = client.get("/consistency/ST0071").json()
    on_the_loop = []
    real = epa.consistency.analyse

    def analyse(*args, **kwargs):
        try:
            asyncio.get_running_loop()
            on_the_loop.append(True)
        except RuntimeError:  # no loop running in this thread: a worker thread
            on_the_loop.append(False)
        return real(*args, **kwargs)

    monkeypatch.setattr(epa.consistency, "analyse", analyse)
    answer = client.get("/consistency/ST0071", headers={"if-none-match": ""})
    html = client.get("/consistency/ST0071", headers={"accept": "text/html"})
    assert answer.status_code == 200 and html.status_code == 200 and html.text.startswith("<")
    assert on_the_loop == [False, False]
    assert answer.json() == before
    unknown = client.get("/consistency/ST0071?bodies=no-such-body")  # a refusal from the worker thread, as before
    assert unknown.status_code == 400 and unknown.json()["title"] == "Bad request"


def command_line_words_in(text: str) -> list[str]:
    """The options (--body-id, --standard...) and commands (`epa bodies`) a row's words name."""
    import re

    return re.findall(r"--[a-z][a-z-]*|`epa [^`]*`", text)


def test_an_audits_error_rows_name_query_parameters_and_endpoints_not_options(client) -> None:
    any_body()
    # A row whose EPAO id no installed body's document states (EPA9998 is no real EPAO's), and no body named: the
    # command line tells it to map the id with --body-id, naming `epa bodies`; the server's client maps it with
    # ?body-id= and lists the bodies with GET /bodies. On 0382bff the rows (and the summary's) said the options.
    csv = ("Apprentice ID,Standard,EPAO,EPAO ID,Gateway Date,Observation Grade,Project Grade,Discussion Grade,"
           "Overall Grade\nE3,ST0071,,EPA9998,03/03/2025,Distinction,Pass,Pass,Distinction\n")
    rows = [json.loads(line) for line in client.post("/audit", content=csv, headers={"content-type": "text/csv"}
                                                     ).text.splitlines()]
    error = rows[0]["error"]
    assert error["message"] == ("'EPA9998': no installed body's document states its EPAO id, and ?body-id maps none "
                                "to this one")
    assert error["hint"] == "map it: ?body-id=EPA9998=BODY (BODY: an id, name or acronym from GET /bodies)"
    assert rows[-1]["summary"]["rejected_rows"] == [rows[0]]
    said = client.post("/audit?format=csv", content=csv, headers={"content-type": "text/csv"}).text
    assert "?body-id=EPA9998=BODY" in said and command_line_words_in(said) == [], said


def test_a_batchs_error_rows_name_the_endpoint_listing_the_criteria(client) -> None:
    offering("ST0071", "a criterion no body of ST0071 knows")
    line = json.dumps({"standard": "ST0071", "apprentice": {"id": "A"}, "gateway": {"date": "2025-01-01"},
                       "assessments": [{"method": "project", "date": "2025-02-01", "criteria_met": ["QQQQQQQQ"]}]})
    answer = client.post("/batch", content=line + "\n", headers={"content-type": "application/jsonl"}).text
    error = json.loads(answer)["error"]
    assert error["path"] == "$.assessments[0].criteria_met[0]", error
    if "did you mean" not in error["hint"] and "expected one of" not in error["hint"]:
        assert error["hint"] == "GET /standards/ST0071/criteria lists them"
    assert command_line_words_in(answer) == [], answer
    csv = client.post("/batch?format=csv", content=line + "\n", headers={"content-type": "application/jsonl"}).text
    assert command_line_words_in(csv) == [], csv


def test_a_hidden_worksheets_name_is_given_as_the_sheet_parameter_takes_it(client) -> None:
    openpyxl = pytest.importorskip("openpyxl", reason="the workbook is made with openpyxl (the test extra)")
    any_body("ST0071")
    # A provider's template: instructions on the visible sheet, the cohort on a hidden one. The command line names it
    # as quote() writes it (--sheet 'Data', the shell takes the quotes off); a query parameter keeps them, so the
    # hint said ?sheet='Data', and a client doing as told asked for a worksheet named 'Data' quotes and all, refused.
    import io

    book = openpyxl.Workbook()
    book.active.title = "Instructions"
    book.active.append(["Fill in the Data sheet"])
    data = book.create_sheet("Data")
    data.append(["standard", "apprentice", "gateway_date"])
    data.append(["ST0071", "A-1", "2025-06-02"])
    data.sheet_state = "hidden"
    raw = io.BytesIO()
    book.save(raw)
    xlsx = {"content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    problem = client.post("/batch", content=raw.getvalue(), headers=xlsx).json()
    assert problem["hint"].endswith("hidden worksheet 'Data'? name it with ?sheet=Data"), problem
    no_command_line_words(problem)
    followed = client.post("/batch?sheet=Data", content=raw.getvalue(), headers=xlsx)
    assert followed.status_code == 200 and json.loads(followed.text.splitlines()[0])["apprentice"] == "A-1"


def _workbook(rows: list[list[str]]) -> bytes:
    openpyxl = pytest.importorskip("openpyxl", reason="the workbook is made with openpyxl (the test extra)")
    import io

    book = openpyxl.Workbook()
    for number, row in enumerate(rows, 1):
        for column, value in enumerate(row, 1):
            book.active.cell(number, column, value)
    raw = io.BytesIO()
    book.save(raw)
    return raw.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("path", ["/batch", "/audit"])
@pytest.mark.parametrize("media,raw,line", [
    # two blank lines, then a header naming no column epa reads: the header is line 3
    ("text/csv", b"\n\nfoo,bar\n1,2\n", 3),
    # a header naming one column twice, on line 1
    ("text/csv", b"apprentice,standard,apprentice\nA1,ST0071,x\n", 1),
    # UTF-16 by its byte-order mark, which the first line starts with
    ("text/csv", "apprentice,standard\n".encode("utf-16"), 1),
    # a workbook whose header (naming no column epa reads) is on row 2, row 1 empty
    (XLSX, None, 2),
], ids=["title-lines", "a-column-twice", "utf-16", "workbook"])
def test_a_cohort_refused_at_its_header_says_the_line_as_data(client, path, media, raw, line) -> None:
    any_body()
    # The command line says where (stdin:3: the header has no column ...); on 0ff2ba6 the problem said what but not
    # where: no "line", the client left to count a file's blank lines itself.
    raw = raw if raw is not None else _workbook([[], ["foo", "bar"], ["1", "2"]])
    answer = client.post(path, content=raw, headers={"content-type": media})
    problem = answer.json()
    assert answer.status_code == 422, problem
    assert problem["line"] == line, problem
    assert "stdin" not in problem["detail"] + problem.get("hint", ""), problem

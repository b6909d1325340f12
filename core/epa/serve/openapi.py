"""``GET /openapi.json``: the service described as OpenAPI 3.1, its request and response schemas taken from the
JSON Schemas the command line validates against and writes to (schemas/record, output and consistency), so that
the service's contract and the command line's are one; and ``GET /docs``, a page for people made from it
(self-contained: no script, nothing fetched from elsewhere).

OpenAPI 3.1's schemas are JSON Schema 2020-12, so each schema goes in as it is, with its ``$defs`` moved to
``components/schemas`` (a prefix keeps the three files' names apart) and its references pointed there.
"""

from __future__ import annotations

import copy
import html
from functools import cache
from typing import Any

from epa import __version__
from epa.inputs.jsonschemas import schema

REF = "#/components/schemas/"
# (file, the prefix its $defs take in components): the output schema's definitions keep their names
SCHEMAS = (("record", "record_"), ("output", ""), ("consistency", "consistency_"))

_ID = {"name": "body", "in": "path", "required": True, "schema": {"type": "string"},
       "description": "an awarding body: its id, name or acronym (GET /bodies)"}
_STANDARD = {"name": "standard", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "a standard's id, e.g. ST0071"}


def _query(name: str, description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": {"type": "string"},
            "description": description}


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF + ref}}}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/problem+json": {"schema": {"$ref": REF + "problem"}}}}


# A CSV's or a workbook's columns and worksheet, as the command line's --column and --sheet name them
_TABLE = [{"name": "column", "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}},
           "style": "form", "explode": True, "description": "NAME=FIELD: the column NAME holds FIELD, or (NAME=) is "
           "left out, as --column (repeatable)"},
          _query("sheet", "the workbook's worksheet to read, as --sheet (needed where it has more than one)")]

_RECORD_BODY = {"required": True, "description": "one apprentice record (schemas/record.schema.json), as JSON or YAML",
                "content": {"application/json": {"schema": {"$ref": REF + "record"}},
                            "application/yaml": {"schema": {"$ref": REF + "record"}}}}
_RECORD_ERRORS = {"400": _problem("the body is not JSON or YAML text (message, line and column, hint), or a query "
                                  "parameter is not one it takes"),
                  "408": _problem("the record was not sent within the server's --batch-seconds"),
                  "413": _problem("the body is larger than the server's --max-body"),
                  "415": _problem("a media type other than application/json or application/yaml, a compressed body, "
                                  "or a charset other than UTF-8 or UTF-16 (a UTF-16 body starts with its byte-order "
                                  "mark)"),
                  "422": _problem("a record that fails the schema or its checks (message, JSON path, hint)"),
                  "500": _problem("a plugin failed (named with its hook), or epa did"),
                  "503": _problem("the decision log cannot be written (a full disk): the decision was not given")}
_DIGEST = {"Epa-Rules-Digest": {"description": "the digest of the rules in force (also the body's rules_digest)",
                                "schema": {"type": "string"}}}
_TAGGED = {**_DIGEST, "ETag": {"description": "the rules' digest and the representation (json, html), quoted",
                               "schema": {"type": "string"}}}


def _decision(summary: str, answer: str, parameters: list[dict[str, Any]], extra: dict[str, Any] | None = None,
              command: str = "") -> dict[str, Any]:
    content = {"application/json": {"schema": {"allOf": [{"$ref": REF + answer}, {"$ref": REF + "digested"}]}}}
    content.update(extra or {})
    return {"post": {"summary": summary, "description": f"As `{command} --format json` prints for the same record "
                     "on standard input, with the rules' digest added as `rules_digest`.",
                     "operationId": answer if answer != "result" else "grade",
                     "parameters": parameters, "requestBody": _RECORD_BODY,
                     "responses": {"200": {"description": "the answer", "headers": _DIGEST, "content": content},
                                   **_RECORD_ERRORS}}}


def _catalogue(summary: str, answer: str, operation: str, parameters: list[dict[str, Any]], command: str,
               extra: dict[str, Any] | None = None) -> dict[str, Any]:
    content = _json(answer)
    content.update(extra or {})
    return {"get": {"summary": summary, "description": f"As `{command} --format json` prints.",
                    "operationId": operation, "parameters": parameters,
                    "responses": {"200": {"description": "the answer", "headers": _TAGGED, "content": content},
                                  "304": {"description": "unchanged: If-None-Match named this answer's ETag"},
                                  "400": _problem("a query parameter names nothing, or is not one it takes "
                                                  "(with a did-you-mean)"),
                                  "404": _problem("the path names no body or standard (with a did-you-mean)")}}}


PATHS: dict[str, dict[str, Any]] = {
    "/health": {"get": {"summary": "Whether the service is up, its version, rules' digest and bodies",
                        "operationId": "health",
                        "responses": {"200": {"description": "up", "content": {"application/json": {"schema": {
                            "type": "object", "required": ["status", "version", "rules_digest", "bodies"],
                            "properties": {"status": {"const": "ok"}, "version": {"type": "string"},
                                           "rules_digest": {"type": "string"},
                                           "bodies": {"type": "array", "items": {"type": "string"}}}}}}}}}},
    "/bodies": _catalogue("The installed awarding bodies, their standards and document versions", "bodies", "bodies",
                          [], "epa bodies"),
    "/standards": _catalogue("Every defined standard: its methods and the bodies offering it", "standards",
                             "standards", [], "epa standards"),
    "/standards/{standard}/criteria": _catalogue(
        "A standard's grading criteria", "criteria", "criteria",
        [_STANDARD, _query("body", "one body's catalogue (default: every body side by side)"),
         _query("version", "with body: a document version (default: the newest)")], "epa criteria --standard S"),
    "/bodies/{body}/journey": _catalogue(
        "A body's journey rules: gateway, deadlines, resits and retakes, tolerances", "journey", "journey",
        [_ID, _query("standard", "the standard (default: the body's one standard)")], "epa journey --body B"),
    "/bodies/{body}/ambiguities": _catalogue(
        "Where the body's documents are ambiguous, and the reading encoded", "ambiguities", "ambiguities", [_ID],
        "epa ambiguities --body B"),
    "/bodies/{body}/diff": _catalogue(
        "What changed between two versions of a body's document", "diff", "diff",
        [_ID, _query("from", "the older document version", True), _query("to", "the newer document version", True),
         _query("standard", "the standard (default: the body's one standard)")], "epa diff --body B"),
    "/consistency/{standard}": _catalogue(
        "Every divergence between the bodies offering a standard", "consistency", "consistency",
        [_STANDARD, _query("bodies", "only these bodies, ID,ID (default: every one offering it)")],
        "epa consistency --standard S", {"text/html": {"schema": {"type": "string"}}}),
    "/grade/{body}": _decision("Grade a record by one body's rules", "result", [_ID], command="epa grade --body B -"),
    "/compare": _decision("Grade a record by every body offering its standard, side by side", "compare", [],
                          command="epa compare -"),
    "/gateway": _decision("Is the apprentice ready for gateway? Each body's requirements", "gateway",
                          [_query("body", "only this body")], command="epa gateway -"),
    "/timeline": _decision("Every deadline each body's document sets for the record", "timeline",
                           [_query("body", "only this body")], {"text/calendar": {"schema": {"type": "string"}}},
                           command="epa timeline -"),
    "/batch": {"post": {
        "summary": "Grade a cohort, streaming one answer per record in input order, error lines included",
        "description": "As `epa compare --batch - --format json` (or `--format csv`, asked for by `Accept: text/csv` "
                       "or ?format=csv) prints for the same cohort on standard input, an error line's words as a "
                       "problem's are (an option said as its query parameter, a command as its endpoint).",
        "operationId": "batch",
        "parameters": [{"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]},
                        "description": "the rows' format (default: by the Accept header, else json)"}, *_TABLE],
        "requestBody": {"required": True, "description": "a cohort: JSON Lines, CSV, or an Excel workbook",
                        "content": {"application/jsonl": {"schema": {"type": "string"}},
                                    "text/csv": {"schema": {"type": "string"}},
                                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                                        "schema": {"type": "string", "contentEncoding": "binary"}}}},
        "responses": {"200": {"description": "one line per record (or per record and body, in CSV)",
                              "headers": {"Epa-Rules-Digest": _DIGEST["Epa-Rules-Digest"]},
                              "content": {"application/jsonl": {"x-line-schema": {"oneOf": [
                                  {"$ref": REF + "batch_result"}, {"$ref": REF + "batch_error"}]},
                                  "schema": {"type": "string"}},
                                  "text/csv": {"schema": {"type": "string"}}}},
                      "400": _problem("an unreadable ?format= or ?column="),
                      "408": _problem("the cohort was not sent within the server's --batch-seconds"),
                      "413": _problem("the cohort is larger than the server's --max-batch-body"),
                      "415": _problem("a media type other than JSON Lines, CSV or a workbook, a compressed body, or a "
                                      "charset other than UTF-8 or UTF-16 (a UTF-16 body starts with its "
                                      "byte-order mark)"),
                      "422": _problem("a cohort refused before any record (its format, its CSV header)"),
                      "503": _problem("another batch has been grading for longer than the server waits, or one "
                                      "left in a plugin's hook holds the turn (busy, Retry-After), the batch "
                                      "gave no row within the server's --batch-seconds, the server is shutting "
                                      "down, or the decision log cannot be written")}}},
    "/audit": {"post": {
        "summary": "Audit recorded outcomes: does each recorded overall grade follow from its component grades?",
        "description": "As `epa audit - --format json` (or `--format csv`, asked for by `Accept: text/csv` or "
                       "?format=csv) prints for the same file on standard input: a line per row (line, apprentice, "
                       "body, standard, version, recorded, expected, agrees, rule, citation, or an error), then the "
                       "summary line (JSON); an error's words as a problem's are (an option said as its query "
                       "parameter, a command as its endpoint).",
        "operationId": "audit",
        "parameters": [{"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]},
                        "description": "the rows' format (default: by the Accept header, else json)"},
                       _query("body", "the body that recorded every row (a file with no body column)"),
                       {"name": "body-id", "in": "query", "required": False,
                        "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True,
                        "description": "EPAxxxx=BODY: the body an EPAO id names, as --body-id (repeatable; an id "
                                       "mapped to two bodies is refused)"}, *_TABLE],
        "requestBody": {"required": True, "description": "recorded outcomes: CSV or an Excel workbook",
                        "content": {"text/csv": {"schema": {"type": "string"}},
                                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                                        "schema": {"type": "string", "contentEncoding": "binary"}}}},
        "responses": {"200": {"description": "one line per row, then (JSON) the summary",
                              "headers": {"Epa-Rules-Digest": _DIGEST["Epa-Rules-Digest"]},
                              "content": {"application/jsonl": {"schema": {"type": "string"}},
                                          "text/csv": {"schema": {"type": "string"}}}},
                      "400": _problem("an unknown body, an unreadable ?format=, ?column= or ?body-id=, or an "
                                      "EPAO id ?body-id= maps to two bodies"),
                      "408": _problem("the file was not sent within the server's --batch-seconds"),
                      "413": _problem("the file is larger than the server's --max-batch-body"),
                      "415": _problem("a media type other than CSV or a workbook, a compressed body, or a charset "
                                      "other than UTF-8 or UTF-16 (a UTF-16 body starts with its byte-order mark)"),
                      "422": _problem("a file refused before any row (its format, its header)"),
                      "503": _problem("the audit took longer than the server's --batch-seconds, it waited longer "
                                      "than them for a batch, or one left in a plugin's hook holds the turn (busy, "
                                      "Retry-After), the server is shutting down, or the decision log cannot be "
                                      "written")}}},
    "/openapi.json": {"get": {"summary": "This document", "operationId": "openapi",
                              "responses": {"200": {"description": "OpenAPI 3.1",
                                                    "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/docs": {"get": {"summary": "This document as a page to read", "operationId": "docs",
                      "responses": {"200": {"description": "HTML",
                                            "content": {"text/html": {"schema": {"type": "string"}}}}}}},
}

# A connection past --max-connections is answered before its request is read (epa.serve.heads), whatever it asks
_CROWDED = ("the server holds as many connections as it takes (too-many-connections: its --max-connections; "
            "Retry-After), answered before the request is read")

for _operations in PATHS.values():  # (every endpoint answers its 200's types alone: Accept asking for another, 406)
    for _operation in _operations.values():
        _operation["responses"]["406"] = _problem("the request's Accept accepts none of the types this answers (the "
                                                  "200's, listed in the problem's acceptable)")
        _busy = _operation["responses"].get("503")
        _operation["responses"]["503"] = _problem(_CROWDED if _busy is None else f"{_busy['description']}, or "
                                                  f"{_CROWDED}")


def _embedded(name: str, prefix: str) -> dict[str, Any]:
    """One schema file's components: itself (named ``name``, unless it only holds definitions) and each of its
    $defs, every ``#/$defs/X`` pointed at ``#/components/schemas/<prefix>X``."""
    source = copy.deepcopy(schema(name))
    definitions = source.pop("$defs", {})
    for key in ("$schema", "$id"):
        source.pop(key, None)

    def point(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: _pointed(v, name) if k == "$ref" and isinstance(v, str) else point(v) for k, v in node.items()}
        if isinstance(node, list):
            return [point(v) for v in node]
        return node

    found = {prefix + k: point(v) for k, v in definitions.items()}
    if "type" in source or "properties" in source:
        found[name] = point(source)
    return found


def _pointed(ref: str, name: str) -> str:
    """A reference to a definition (``#/$defs/X`` in schema ``name``, or in a schema by its $id, as a validator
    may have rewritten it in the shared copy) pointed at its component."""
    where, _, fragment = ref.partition("#")
    if where:
        name = next((n for n, _ in SCHEMAS if where.endswith(f"/{n}.schema.json")), name)
    prefix = dict(SCHEMAS)[name]
    if fragment.startswith("/$defs/"):
        return REF + prefix + fragment[len("/$defs/"):]
    return REF + name if where and not fragment.strip("/") else ref


@cache
def document() -> dict[str, Any]:
    components: dict[str, Any] = {}
    for name, prefix in SCHEMAS:
        components.update(_embedded(name, prefix))
    components["digested"] = {"type": "object", "required": ["rules_digest"], "properties": {
        "rules_digest": {"type": "string", "description": "the digest of the rules in force: the same record "
                                                          "and digest give the same answer"}}}
    components["problem"] = {
        "type": "object", "required": ["type", "title", "status", "detail"],
        "description": "RFC 9457 problem details, with the command line's message (detail), JSON path and hint",
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                       "detail": {"type": "string"}, "instance": {"type": "string"},
                       "path": {"type": "string", "description": "where in the record, as a JSON path"},
                       "line": {"type": "integer", "description": "the line (1-based) where the input could not be "
                                "read; a cohort's or outcomes file's refused at its header (a workbook's row)"},
                       "column": {"type": "integer", "description": "the column (1-based), where it is known"},
                       "hint": {"type": "string"}, "plugin": {"type": "string"}, "hook": {"type": "string"},
                       "also": {"type": "array", "description": "the record's further problems (up to four), each "
                                "with its own detail, JSON path, line and column", "items": {
                                    "type": "object", "required": ["detail"], "properties": {
                                        "detail": {"type": "string"}, "path": {"type": "string"},
                                        "line": {"type": "integer"}, "column": {"type": "integer"}}}},
                       "more": {"type": "integer", "description": "how many further problems past those in also"},
                       "acceptable": {"type": "array", "items": {"type": "string"},
                                      "description": "406: the media types the endpoint answers"}}}
    return {"openapi": "3.1.0",
            "info": {"title": "epa", "version": __version__, "license": {"name": "MIT", "identifier": "MIT"},
                     "description": "Executable, cited End-Point Assessment rules for UK apprenticeships: each "
                                    "endpoint answers as the matching `epa` command prints with --format json. "
                                    "Every endpoint also answers OPTIONS (204, its methods in Allow), and a method it "
                                    "does not take is 405 with Allow (RFC 9110); no CORS headers are sent. A path or "
                                    "query parameter that is not UTF-8 once percent-decoded, or holds a control "
                                    "character (%00, %01...), is 400 naming it."},
            "paths": PATHS, "components": {"schemas": components}}


def page(doc: dict[str, Any]) -> str:
    """The document as one HTML page: each endpoint, its parameters, request and response media types."""
    e = html.escape
    parts = [f"<!doctype html><html lang=en><meta charset=utf-8><title>{e(doc['info']['title'])} API</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
             "code{background:#f3f3f3;padding:0 .2em}h2{font-size:1.1em;margin-top:1.5em}</style>",
             f"<h1>{e(doc['info']['title'])} {e(doc['info']['version'])}</h1><p>{e(doc['info']['description'])}</p>",
             "<p>The machine-readable description: <a href=/openapi.json><code>/openapi.json</code></a> "
             "(OpenAPI 3.1).</p>"]
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            parts.append(f"<h2><code>{method.upper()} {e(path)}</code></h2><p>{e(op['summary'])}</p>")
            if op.get("description"):
                parts.append(f"<p>{e(op['description'])}</p>")
            params = op.get("parameters", [])
            if params:
                parts.append("<ul>" + "".join(
                    f"<li><code>{e(p['name'])}</code> ({p['in']}{', required' if p.get('required') else ''}): "
                    f"{e(p.get('description', ''))}</li>" for p in params) + "</ul>")
            if "requestBody" in op:
                parts.append("<p>Body: " + ", ".join(f"<code>{e(m)}</code>" for m in op["requestBody"]["content"])
                             + "</p>")
            parts.append("<p>Answers: " + "; ".join(
                f"{code} {e(r['description'])}" for code, r in op["responses"].items()) + "</p>")
    return "\n".join(parts) + "\n"

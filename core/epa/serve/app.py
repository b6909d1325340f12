"""The ASGI application: each endpoint reads its input, asks :mod:`epa.answers` (as the command line does) and
writes the JSON the command prints with ``--format json``.

Framework: Starlette, measured against a hand-written ASGI app under uvicorn (README, "Serve"): it costs about
0.03 ms a request more, under 3% of a compare's 1 ms, and brings routing, streaming and an in-process test client.
A decision runs on the event loop's thread (a compare takes about a millisecond, and the plugin fence's time limit
works only on the main thread); a batch runs on a thread of its own, one at a time (epa.batch.cohort keeps per-run state
in its module), its output streamed through a bounded queue.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import csv
import functools
import io
import json
import re
import signal
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import msgspec
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from epa import __version__, answers
from epa.errors import InputError, PluginError, quote
from epa.inputs.record import Cohorts, Unreadable, record_from_bytes
from epa.registry import Registry
from epa.serve import problems
from epa.serve.accept import JSONL_NAMES
from epa.serve.decisions import DecisionLog, Memo, record_digest, rules_digest
from epa.serve.linger import Lingering
from epa.serve.problems import Problem
from epa.serve.settings import FINISHING, Settings
from epa.serve.turns import IN_A_HOOK, RETRY_AFTER, Turns
from epa.serve.urls import ServerWide, checked
from epa.views import report

NAME = "<stdin>"  # a request body is read as the command line reads standard input, and named as it is
BATCH = Cohorts(endpoint="POST /batch", taker="this endpoint")  # where a cohort sent in a record's place goes
JSON_TYPES = {"application/json"}
YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
JSONL_TYPES = set(JSONL_NAMES)
CSV_TYPES = {"text/csv"}
XLSX_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
UTF8_CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii"}  # a body's charset parameter, where one is given
# UTF-16 is read by its byte-order mark alone (epa.inputs.utf16), as the command line reads a file: declared, the body
# must start with the mark (of that byte order, where the charset names one)
UTF16_CHARSETS = {"utf-16": ("utf-16-le", "utf-16-be"), "utf-16le": ("utf-16-le",), "utf-16be": ("utf-16-be",)}
DIGEST_HEADER = "Epa-Rules-Digest"
REPRESENTATION = "epa.representation"  # the scope's key for the media type Accept chose of an endpoint's
# chunks of a batch's output held while the client reads slowly (the thread waits beyond this): a chunk of JSON lines
# is some 1.3 MB (cohort.JSON_CHUNK records of about 40 kB), one of CSV rows some 50 kB
QUEUED = 8


class Service:
    """The bodies in force, their digest, and what every endpoint shares."""

    def __init__(self, settings: Settings, registry: Registry | None = None):
        self.settings = settings
        self.registry = registry if registry is not None else Registry.installed(settings.bodies)
        self.digest = rules_digest(self.registry)
        self.log = DecisionLog(settings.decision_log, settings.log_identities) if settings.decision_log else None
        self.memo = Memo(settings.memo)
        self.turns = Turns()  # one batch or audit graded at a time
        self.stopping = threading.Event()  # set on SIGTERM or Ctrl-C: a batch in flight ends soon (see stopped)
        self.stopped_at = 0.0  # (time.monotonic()) when the stop was heard
        self._waiters: set[asyncio.Future[None]] = set()  # those awaiting stopped(), each on its event loop

    def hear_stop(self) -> None:
        """Learn of a graceful stop when uvicorn does: its handlers of SIGTERM and SIGINT are wrapped, so that a
        batch in flight ends within the grace uvicorn gives (run.GRACE) with its closing line, not cut off."""
        if threading.current_thread() is not threading.main_thread():  # (an in-process test client)
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            before = signal.getsignal(sig)
            if callable(before):
                signal.signal(sig, functools.partial(_stop_heard, self, before))

    def stop(self) -> None:
        """Begin to stop (safe from a signal handler and from any thread): a batch in flight ends with its closing
        line after the output already handed on, however long its current records take to grade."""
        if not self.stopping.is_set():
            self.stopped_at = time.monotonic()
        self.stopping.set()
        for waiter in list(self._waiters):
            with contextlib.suppress(RuntimeError):  # (its event loop has closed)
                waiter.get_loop().call_soon_threadsafe(_resolved, waiter)

    async def stopped(self) -> None:
        """Return once the server has begun to stop."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            if not self.stopping.is_set():
                await waiter
        finally:
            self._waiters.discard(waiter)

    # --- reading a request ---------------------------------------------------------------------------------

    async def body(self, request: Request, limit: int, cohort: bool = False) -> bytes:
        """The request's body, refused (413) as soon as it is known to exceed ``limit``: by its Content-Length
        before a byte is read, else while it is read."""
        _within(request, limit, cohort)
        chunks, size = [], 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit, cohort)
                chunks.append(chunk)
        except ClientDisconnect:  # the client went away part way: no failure of the server's (nor a traceback)
            raise Problem(400, "client-disconnected", "the client went away before the whole body was sent") from None
        return b"".join(chunks)

    async def record_body(self, request: Request) -> tuple[bytes, str]:
        """The record's bytes and kind ("json" or "yaml"), by the request's media type (415 for any other)."""
        media = _media_type(request)
        if media in JSON_TYPES or media.endswith("+json"):
            kind = "json"
        elif media in YAML_TYPES:
            kind = "yaml"
        else:
            raise Problem(415, "unsupported-media-type", f"a record is sent as application/json or application/yaml, "
                          f"not {_named(request, media)}",
                          hint="send the header Content-Type: application/json (or application/yaml)")
        return _as_declared(request, await _in_time(self, self.body(request, self.settings.max_body), "record")), kind

    def record(self, raw: bytes, kind: str) -> Any:
        """The record, as the command line reads it from standard input. A valid JSON record, the common case, is
        decoded straight into a Record as `compare --batch` decodes its lines (epa.inputs.fastrecord: the same Record,
        about a tenth of the time); anything it cannot vouch for takes the command line's reading, which words
        what is wrong."""
        if kind == "json":
            from epa.inputs import fastrecord

            with contextlib.suppress(RecursionError):
                found = fastrecord.decode(raw, self.registry)
                if found is not None:
                    return found
        try:
            return record_from_bytes(raw, NAME, kind, self.registry, BATCH)
        except Unreadable as exc:
            raise problems.from_input_error(exc, 400, "malformed-record") from None
        except InputError as exc:
            raise problems.from_input_error(exc, 422, "invalid-record") from None

    # --- answering ---------------------------------------------------------------------------------------------

    def json(self, data: Any, request: Request, etag: bool = True, vary: bool = False) -> Response:
        """A catalogue's answer: it depends on the rules alone, so the rules' digest is its ETag (``vary``: the
        URL has another representation, by Accept, whose ETag differs)."""
        return self.cached(request, "json", lambda: Response(_encode(data), media_type="application/json"),
                           etag, vary)

    def cached(self, request: Request, representation: str, answer: Callable[[], Response], etag: bool = True,
               vary: bool = False) -> Response:
        """``answer()`` with the rules' digest; with ``etag``, the ETag of the rules' digest and the
        ``representation`` (so that the HTML and the JSON of one URL differ), answered 304 when the request's
        If-None-Match holds it."""
        tag = self._tag(representation)
        headers = {DIGEST_HEADER: self.digest, **({"ETag": tag} if etag else {})}
        if vary:
            headers["Vary"] = "Accept"
        if etag and self.held(request, representation):
            return Response(status_code=304, headers=headers)
        response = answer()
        response.headers.update(headers)
        return response

    def held(self, request: Request, representation: str) -> bool:
        """Whether the request's If-None-Match holds the ETag ``cached`` gives ``representation`` (answered 304)."""
        return self._tag(representation) in request.headers.get("if-none-match", "")

    def _tag(self, representation: str) -> str:
        return f'"{self.digest.removeprefix("sha256:")}-{representation}"'

    async def decide(self, request: Request, decide: Callable[[Any], Any], options: tuple[str, ...] = ()) -> Response:
        """A decision on the record in the request's body: ``decide(record)`` gives the command's data, answered
        with the rules' digest as a header and in the body, logged, and remembered (--memo). No ETag: a POST's
        answer is not asked for again by it, and the digest header says what the answer depends on."""
        raw, kind = await self.record_body(request)
        key = (request.url.path, *options, kind, record_digest(raw), self.digest) if self.memo.size else ()
        found = self.memo.get(key) if key else None
        if found is None:
            record = self.record(raw, kind)
            data = _guarded(lambda: decide(record))
            answer = {**data, "rules_digest": self.digest}
            found = (_encode(answer), data)
            if key:
                self.memo.put(key, found)
        if self.log is not None:
            self.log.write(request.url.path, raw, self.digest, found[1])
        return Response(found[0], media_type="application/json", headers={DIGEST_HEADER: self.digest})


def _stop_heard(service: Service, before: Callable[..., Any], *args: Any) -> None:
    service.stop()
    before(*args)


def _resolved(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


STOPPED, LATE = object(), object()  # what _unless_stopped gives for a stop, and for a wait past its time


async def _unless_stopped(s: Service, awaited: Awaitable[Any], timeout: float | None = None,
                          undo: Callable[[Any], Any] | None = None) -> Any:
    """What ``awaited`` gives, or STOPPED once the server begins to stop, or LATE after ``timeout`` seconds: whichever
    comes first, a stop before all (so that a flow of output that never pauses still ends at once). ``undo`` is
    given a result that came but is not taken (a lock acquired as the stop came)."""
    work = asyncio.ensure_future(awaited)
    stop = asyncio.ensure_future(s.stopped())
    try:
        await asyncio.wait({work, stop}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
        if not work.done():
            work.cancel()
    if s.stopping.is_set() or not work.done() or work.cancelled():
        if undo is not None and work.done() and not work.cancelled() and work.exception() is None:
            undo(work.result())
        return STOPPED if s.stopping.is_set() else LATE
    return work.result()


def _encode(data: Any) -> bytes:
    try:
        return msgspec.json.encode(data)
    except UnicodeEncodeError:  # a lone surrogate in a record's text, which msgspec will not write (epa.batch.cohort)
        return json.dumps(data, ensure_ascii=True).encode()


def _guarded(work: Callable[[], Any]) -> Any:
    """Run ``work``: an InputError is the request's fault (422), a PluginError the plugin's (500, naming it)."""
    try:
        return work()
    except InputError as exc:
        raise problems.from_input_error(exc, 422, "invalid-record") from None
    except PluginError as exc:
        raise problems.from_plugin_error(exc) from None


def _looked_up(work: Callable[[], Any], status: int = 404) -> Any:
    """Run ``work`` that looks up what the URL names (a body, a standard, a version): an InputError is 404 (in the
    path) or 400 (in the query), with the command line's did-you-mean as the hint."""
    try:
        return work()
    except InputError as exc:
        raise _http_words(problems.from_input_error(exc, status, "not-found" if status == 404 else "bad-query")
                          ) from None
    except PluginError as exc:
        raise problems.from_plugin_error(exc) from None


def _media_type(request: Request) -> str:
    """The request body's media type; a body sent compressed (a Content-Encoding other than identity) is refused
    (415, RFC 9110 § 8.4.1), where its bytes would be read as text and said not to be UTF-8; and so is one whose
    charset is not UTF-8 (nor ASCII, a part of it) nor UTF-16 (read by its byte-order mark: :func:`_as_declared`),
    which would be read as UTF-8 all the same: ISO-8859-1's "Ã©" is the bytes UTF-8 reads as "é", an apprentice
    answered for under another id."""
    coding = request.headers.get("content-encoding", "").strip().lower()
    if coding not in ("", "identity"):
        raise Problem(415, "unsupported-media-type", f"the body is sent {coding}-encoded (Content-Encoding: {coding}); "
                      "the service reads it as sent", hint="send it uncompressed, without the Content-Encoding header")
    charset = _charset(request)
    if charset is not None and charset not in UTF8_CHARSETS and charset not in UTF16_CHARSETS:
        raise Problem(415, "unsupported-media-type", f"the body is declared charset={quote(charset)[1:-1]}; the "
                      "service reads UTF-8 text, or UTF-16 starting with its byte-order mark",
                      hint="send it as UTF-8, with charset=utf-8 or no charset")
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _named(request: Request, media: str) -> str:
    """The media type a refusal names: a Content-Type of parameters or blanks alone (``;charset=utf-8``) names none,
    which is not a body sent without the header."""
    if media:
        return media
    given = request.headers.get("content-type")
    return "a body without a Content-Type" if given is None else f"a Content-Type naming no media type ({quote(given)})"


def _charset(request: Request) -> str | None:
    """The charset parameter of the request's Content-Type, lower case, where one is given; given twice, each naming
    another charset (``charset=utf-8; charset=latin1``), refused (415): which one the sender's bytes are is not said,
    and the first read as UTF-8 would misread the second's "é"."""
    given = []
    for param in request.headers.get("content-type", "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            given.append(value.strip().strip('"').lower())
    if len(set(given)) > 1:
        raise Problem(415, "unsupported-media-type", "the body is declared charset=" + " and charset=".join(
                      quote(charset)[1:-1] for charset in dict.fromkeys(given)) + ": which it is, is not said",
                      hint="send it as UTF-8, with one charset=utf-8 or no charset")
    return given[0] if given else None


def _as_declared(request: Request, raw: bytes) -> bytes:
    """``raw``, refused (415) where it is declared UTF-16 but does not start with the byte-order mark it is read by:
    without it the bytes would be read as UTF-8 and refused as no text, or a record's ASCII misread."""
    from epa.inputs.byte_order import encoding_of

    charset = _charset(request)
    if raw and charset in UTF16_CHARSETS and encoding_of(raw[:4]) not in UTF16_CHARSETS[charset]:
        order = {"utf-16": "", "utf-16le": " little-endian", "utf-16be": " big-endian"}[charset]
        raise Problem(415, "unsupported-media-type", f"the body is declared charset={charset} but does not start "
                      f"with a UTF-16{order} byte-order mark; the service reads UTF-16 by its mark",
                      hint="send it as UTF-8 (charset=utf-8 or no charset), or as UTF-16 starting with its "
                      "byte-order mark")
    return raw


def _accepts(request: Request, media: str) -> bool:
    """Whether ``media`` is the representation the request's Accept asks for, of those its endpoint answers
    (epa.serve.accept; chosen, or refused with 406, before the endpoint runs)."""
    return bool(request.scope.get(REPRESENTATION) == media)


def _within(request: Request, limit: int, cohort: bool) -> None:
    """Refuse (413) a body whose Content-Length says it exceeds ``limit``, before a byte of it is read."""
    length = request.headers.get("content-length")
    if length is not None and length.strip().isdigit() and int(length) > limit:
        raise _too_large(limit, cohort)


async def _cohort_body(s: Service, request: Request) -> bytes:
    """A cohort's (or an outcomes file's) bytes, refused with 408 if they are not all sent within --batch-seconds."""
    return _as_declared(request, await _in_time(s, s.body(request, s.settings.max_batch_body, cohort=True), "file"))


async def _in_time(s: Service, reading: Awaitable[bytes], what: str) -> bytes:
    """The body ``reading`` reads, refused with 408 if it is not all sent within --batch-seconds: a body that never
    ends (a Content-Length above what is sent, a chunked body with no last chunk) would hold its connection and
    what it sent for as long as the client kept it open."""
    try:
        return await asyncio.wait_for(reading, timeout=s.settings.batch_seconds)
    except TimeoutError:
        raise Problem(408, "request-timeout", f"the {what} was not sent within {s.settings.batch_seconds:g} s (the "
                      "server's --batch-seconds)", hint="send it again, faster" + (", or in parts" if what == "file"
                                                                                  else "")) from None


def _too_large(limit: int, cohort: bool) -> Problem:
    hint = ("send the file in parts, or start the server with a larger --max-batch-body" if cohort else
            "a record is a few kilobytes; send a cohort to POST /batch, or start the server with a larger --max-body")
    return Problem(413, "body-too-large", f"the request body is larger than {limit} bytes", hint=hint)


def _rows_format(request: Request) -> str:
    """A batch's or an audit's output: ?format=json or csv, else by Accept (text/csv), else JSON."""
    asked = _query(request, "format")
    if asked not in (None, "json", "csv"):
        raise Problem(400, "bad-query", f"format is json or csv, not {asked!r}", hint="e.g. ?format=csv")
    return asked or ("csv" if _accepts(request, "text/csv") else "json")


def _column_map(request: Request) -> Any:
    """``?column=NAME=FIELD`` (repeatable, URL-encoded), as the command line's --column: a CSV's or workbook's
    column named for the field it holds, or left out (``NAME=``)."""
    from epa.inputs.cohort_input import column_map

    try:
        return column_map(None, request.query_params.getlist("column"), strict=False)
    except InputError as exc:
        raise _http_words(problems.from_input_error(exc, 400, "bad-query")) from None


# (a value after it double-quoted, as a hint writes one to be typed in a shell, or single-quoted, as quote() writes
# one: the parameter takes the value without either; ?sheet='Data' asks for a worksheet named 'Data', quotes and all)
_OPTION = re.compile(r'--(column|standard|body-id|body|version|from|to|sheet)(?![\w-])(?: "([^"]*)"| \'([^\'\\]*)\'| ?)'
                     r'(?=([a-z]+\b)?)')


def _http_words(problem: Problem) -> Problem:
    """The command line's words for an option said as the query parameter a request gives instead: --column "A=B"
    is ?column=A=B, --standard is ?standard=, and the option as a word of a sentence ("--sheet names a worksheet")
    the parameter's name ("?sheet names a worksheet")."""
    problem.detail, problem.hint = _parameters(problem.detail), problem.hint and _parameters(problem.hint)
    problem.args = (problem.detail,)
    return problem


def _parameters(text: str) -> str:
    def said(m: re.Match[str]) -> str:
        value = m.group(2) if m.group(2) is not None else m.group(3)
        return f"?{m.group(1)} " if m.group(4) and value is None and m.group().endswith(" ") else \
            f"?{m.group(1)}={value or ''}"

    return _OPTION.sub(said, text)


def _served(text: str) -> str:
    """An error row's words (of a batch or an audit) as a problem document's are said: an option as its query
    parameter, the bodies chosen with --bodies as the server's, a command as its endpoint."""
    return _parameters(str(problems.server_words(text)))


def _query(request: Request, name: str) -> str | None:
    """A query parameter's value, its outer blanks left out; None where it is not given, or given empty (as the
    command line reads --body ""). One of blanks alone is kept, to be refused as the command line refuses
    --body " ": stripped to nothing it would be read as not given, every body answered for one not named."""
    value = request.query_params.get(name)
    if not value:
        return None
    return value.strip() or value


# --- the endpoints ------------------------------------------------------------------------------------------------

def build(service: Service) -> Starlette:
    s = service

    async def health(request: Request) -> Response:
        return s.json({"status": "ok", "version": __version__, "rules_digest": s.digest,
                       "bodies": [b.body.id for b in s.registry.bodies]}, request, etag=False)

    async def bodies(request: Request) -> Response:
        return s.json(report.bodies(s.registry), request)

    async def standards(request: Request) -> Response:
        return s.json(report.standards(s.registry), request)

    async def criteria(request: Request) -> Response:
        standard = request.path_params["standard"]
        body, version = _query(request, "body"), _query(request, "version")
        if version and not body:
            raise Problem(400, "bad-query", "version names a version of one body's document: give body too")
        _looked_up(lambda: s.registry.offering(standard))
        return s.json(_looked_up(lambda: answers.criteria(s.registry, standard, body, version), 400), request)

    def body_id(request: Request) -> str:
        name = request.path_params["body"]
        return str(_looked_up(lambda: s.registry.named(name).body.id))

    async def journey(request: Request) -> Response:
        body = body_id(request)
        standard = _query(request, "standard") or _only_standard(s.registry, body)
        return s.json(_looked_up(lambda: answers.journey(s.registry, standard, body)[1], 400), request)

    async def ambiguities(request: Request) -> Response:
        body = body_id(request)
        return s.json(_looked_up(lambda: report.ambiguities(s.registry, body)), request)

    async def diff(request: Request) -> Response:
        body = body_id(request)
        versions = {name: _query(request, name) for name in ("from", "to")}
        missing = [name for name, value in versions.items() if value is None]
        if missing:
            raise Problem(400, "bad-query", f"give the query parameter{'s' if len(missing) > 1 else ''} "
                          + " and ".join(missing), hint="e.g. /bodies/tqual/diff?from=1.1&to=1.2 (the versions: "
                          "GET /bodies)")
        return s.json(_looked_up(lambda: answers.diff(s.registry, body, str(versions["from"]), str(versions["to"]),
                                                      _query(request, "standard")), 400), request)

    async def consistency(request: Request) -> Response:
        standard = request.path_params["standard"]
        _looked_up(lambda: s.registry.offering(standard))
        bodies = _looked_up(lambda: answers.consistency_bodies(s.registry, standard, _query(request, "bodies")), 400)

        html = _accepts(request, "text/html")

        def answered() -> bytes:
            from epa.consistency import analyse

            data = dict(_looked_up(lambda: analyse(s.registry, standard, bodies), 400))
            if not html:
                return _encode(data)
            from epa.views.html_report import render

            return (render(data) + "\n").encode("utf-8")

        representation = "html" if html else "json"
        # The analysis takes about a second: made off the event loop (which answers other requests meanwhile), and
        # only once If-None-Match has not answered 304.
        made = b"" if s.held(request, representation) else await run_in_threadpool(answered)
        return s.cached(request, representation, lambda: HTMLResponse(made) if html else Response(
            made, media_type="application/json"), vary=True)

    async def grade(request: Request) -> Response:
        body = body_id(request)
        return await s.decide(request, lambda rec: report.result(
            answers.graded(s.registry, rec, body, NAME)[0]), (body,))

    async def compare(request: Request) -> Response:
        return await s.decide(request, lambda rec: answers.compare(
            rec, answers.graded(s.registry, rec, None, NAME), NAME, s.registry))

    def one_body(request: Request) -> str | None:
        name = _query(request, "body")
        return None if name is None else str(_looked_up(lambda: s.registry.named(name).body.id, 400))

    async def gateway(request: Request) -> Response:
        body = one_body(request)
        return await s.decide(request, lambda rec: answers.gateway(
            rec, answers.graded(s.registry, rec, body, NAME), NAME), (body or "",))

    async def timeline(request: Request) -> Response:
        body = one_body(request)
        if _accepts(request, "text/calendar"):
            from epa.views.ics import calendar

            raw, kind = await s.record_body(request)
            record = s.record(raw, kind)
            results = _guarded(lambda: answers.graded(s.registry, record, body, NAME))
            if s.log is not None:  # the decision the calendar shows, logged as the JSON answer gives it
                s.log.write(request.url.path, raw, s.digest, answers.timeline(record, results, NAME),
                            representation="text/calendar")
            return Response(calendar(record, results).to_ical(), media_type="text/calendar",
                            headers={DIGEST_HEADER: s.digest})
        return await s.decide(request, lambda rec: answers.timeline(
            rec, answers.graded(s.registry, rec, body, NAME), NAME), (body or "",))

    async def batch(request: Request) -> Response:
        return await _batch(s, request)

    async def audit(request: Request) -> Response:
        return await _audit(s, request)

    async def openapi(request: Request) -> Response:
        from epa.serve.openapi import document

        return JSONResponse(document())

    async def docs(request: Request) -> Response:
        from epa.serve.openapi import document, page

        return HTMLResponse(page(document()))

    routes = [
        Route("/health", health), Route("/bodies", bodies), Route("/standards", standards),
        Route("/standards/{standard}/criteria", criteria), Route("/bodies/{body}/journey", journey),
        Route("/bodies/{body}/ambiguities", ambiguities), Route("/bodies/{body}/diff", diff),
        Route("/consistency/{standard}", consistency),
        Route("/grade/{body}", grade, methods=["POST"]), Route("/compare", compare, methods=["POST"]),
        Route("/gateway", gateway, methods=["POST"]), Route("/timeline", timeline, methods=["POST"]),
        Route("/batch", batch, methods=["POST"]), Route("/audit", audit, methods=["POST"]),
        Route("/openapi.json", openapi), Route("/docs", docs),
    ]
    routes = [Route(r.path, _answering(r.methods or set(), _asking_only(r.path, r.endpoint)),
                    methods=[*(r.methods or ()), "OPTIONS"]) for r in routes]

    async def problem(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):  # Starlette's own: an unknown path (404), a wrong method (405)
            exc = Problem(exc.status_code, "not-found" if exc.status_code == 404 else "method-not-allowed",
                          str(exc.detail), hint="the endpoints: GET /openapi.json, or /docs to read",
                          headers={name: _sorted_allow(value) if name.lower() == "allow" else value
                                   for name, value in (exc.headers or {}).items()})
        if not isinstance(exc, Problem):  # epa's own failure: said without a traceback, as the command line does
            exc = Problem(500, "internal-error", f"internal error: {type(exc).__name__}: {exc}")
        return Response(exc.encode(request.url.path), status_code=exc.status, media_type=problems.MEDIA_TYPE,
                        headers=exc.headers)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        s.hear_stop()
        yield
        if s.log is not None:
            s.log.close()

    return Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(ServerWide), Middleware(Lingering)],
                     exception_handlers={Problem: problem, HTTPException: problem, Exception: problem})


def _sorted_allow(value: str) -> str:
    """A 405's ``Allow`` in the order OPTIONS says it: Starlette's is its set's order, which the hash seed chooses."""
    return ", ".join(sorted(method.strip() for method in value.split(",")))


def _answering(methods: set[str], endpoint: Endpoint) -> Endpoint:
    """``endpoint``, its URL checked first (epa.serve.urls: UTF-8 without control characters, else 400), and
    ``OPTIONS`` answered (204, RFC 9110 § 9.3.7) with the methods it takes in ``Allow``, as a 405 says them. No CORS
    headers: the service answers a browser's page from its own origin only."""
    allowed = ", ".join(sorted({*methods, "OPTIONS"}))

    async def answered(request: Request) -> Response:
        checked(request.scope.get("raw_path") or request.url.path.encode(), request.scope.get("query_string", b""))
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": allowed})
        return await endpoint(request)

    return answered


def _asking_only(path: str, endpoint: Endpoint) -> Endpoint:
    """``endpoint``, refusing (400) a query parameter the OpenAPI document does not give ``path``: a misspelt one
    (?bdy=tqual, ?fromat=csv) or one the command line has but the endpoint not (?bodies= on /timeline) would be
    left unread, and the answer given to another question than the one asked."""
    from epa.errors import did_you_mean
    from epa.serve.accept import chosen
    from epa.serve.openapi import PATHS

    if path not in PATHS:  # (the document itself, and the page that shows it)
        return endpoint
    params = [p for op in PATHS[path].values() for p in op.get("parameters", ()) if p["in"] == "query"]
    # what each method answers (the first its default), by the document's 200: asked for by Accept, else 406
    offered = {method.upper(): list(op["responses"]["200"].get("content", ())) for method, op in PATHS[path].items()}
    offered["HEAD"] = offered.get("GET", [])
    names = sorted({p["name"] for p in params})
    once = {p["name"] for p in params if p["schema"].get("type") != "array"}  # (the others are repeatable)

    async def asked(request: Request) -> Response:
        unknown = [name for name in request.query_params if name not in names]
        if unknown:
            raise Problem(400, "bad-query", f"{path} has no query parameter {quote(unknown[0])}",
                          hint=(did_you_mean(unknown[0], names) if names else None) or
                          ("its query parameters: " + ", ".join(names) if names else "it takes no query parameters"))
        twice = [name for name in once if len(request.query_params.getlist(name)) > 1]
        if twice:  # (one of them would be read, the others not)
            raise Problem(400, "bad-query", f"the query parameter {twice[0]} is given "
                          f"{len(request.query_params.getlist(twice[0]))} times", hint="give it once")
        answers = offered.get(request.method, [])
        if answers and "format" not in request.query_params:  # (?format= says the format outright, over Accept)
            media = chosen(request.headers.get("accept"), answers)
            if media is None:
                raise _not_acceptable(path, request.headers.get("accept", ""), answers)
            request.scope[REPRESENTATION] = media
        return await endpoint(request)

    return asked


def _not_acceptable(path: str, accept: str, answers: list[str]) -> Problem:
    """406, listing the types the endpoint answers (RFC 9110 § 15.5.7); said whatever Accept says, as every problem
    is, in application/problem+json."""
    return Problem(406, "not-acceptable", f"{path} answers {' or '.join(answers)}; the request's Accept "
                   f"({quote(accept)[1:-1]}) accepts none of them", acceptable=answers,
                   hint=f"send Accept: {answers[0]} (or no Accept header)")


def _only_standard(registry: Registry, body: str) -> str:
    offered = registry.body(body).body.standards
    if len(offered) == 1:
        return offered[0]
    raise Problem(400, "bad-query", f"{body} offers {len(offered)} standards: say which with ?standard=",
                  hint="its standards: " + ", ".join(offered))


# --- POST /batch ------------------------------------------------------------------------------------------------

_END = object()
_LINE = re.compile(r'(?:\{"line": ?)?(\d+)[,}]')  # a record's line, first in its JSON line or CSV row


class _Stopped(Exception):
    """The client went away, or the batch (audit) ran out of time: the grading thread stops at its next write."""


async def _batch(s: Service, request: Request) -> Response:
    from epa.batch import cohort as batch

    media = _media_type(request)
    if media not in JSONL_TYPES | CSV_TYPES | XLSX_TYPES:
        raise Problem(415, "unsupported-media-type", f"a cohort is sent as JSON Lines (application/jsonl), CSV "
                      f"(text/csv) or an Excel workbook, not {_named(request, media)}",
                      hint="send the header Content-Type: application/jsonl or text/csv")
    fmt = _rows_format(request)
    mapped = _column_map(request)
    sheet = _query(request, "sheet")
    _within(request, s.settings.max_batch_body, True)  # refused now, not once the batch grading before it is done
    # One batch at a time, and its cohort read only once it is its turn: a queue of waiting uploads holds no memory.
    # The turn is given back by the grading thread when it ends (or here, should it never start), never by the
    # response, whose clean-up a client going away can cut short.
    await _turn(s)
    try:
        raw = await _cohort_body(s, request)
    except BaseException:
        s.turns.release()
        raise
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue(QUEUED)
    stop = threading.Event()  # set once the response has ended: the grading thread stops at its next write
    wrote = threading.Event()  # the thread has written a row (its cohort read): where it is stuck, it is in a hook

    def put(item: Any) -> None:
        putting = queue.put(item)
        try:
            sent = asyncio.run_coroutine_threadsafe(putting, loop)
        except RuntimeError:  # the event loop has closed (the server stopped): no one reads any more
            putting.close()
            raise _Stopped from None
        while True:
            try:
                sent.result(timeout=0.25)
                return
            except concurrent.futures.TimeoutError:
                if stop.is_set():
                    sent.cancel()
                    raise _Stopped from None

    def write(text: str | bytes | bytearray) -> None:
        if stop.is_set():
            raise _Stopped
        wrote.set()
        put(text.encode("utf-8") if isinstance(text, str) else bytes(text))  # (a bytearray the batch reuses)

    def grade() -> None:
        _bound_workbook(raw, stop)
        try:
            batch.run("-", fmt, summary=False, summary_only=False, workers=1, only=None, registry=s.registry,
                      write=write, write_bytes=write, progress=False, stdin=io.BytesIO(raw), column_map=mapped,
                      sheet=sheet, words=_served)
            put(_END)
        except _Stopped:
            pass
        except BaseException as exc:  # handed to the response: a refusal before any row, or a failure in the rows
            with contextlib.suppress(_Stopped):
                put(exc)
                put(_END)
        finally:
            with contextlib.suppress(RuntimeError):  # the event loop closed: the server has stopped
                loop.call_soon_threadsafe(s.turns.release)

    deadline = time.monotonic() + s.settings.batch_seconds
    worker = threading.Thread(target=grade, name="epa-batch", daemon=True)
    worker.start()

    def ended() -> None:
        """The answer has ended (whole, at a limit, or its client gone): the grading thread stops at its next write,
        one waiting to put freed; one that does not stop holds the turn (epa.serve.turns)."""
        if stop.is_set():
            return
        stop.set()
        with contextlib.suppress(asyncio.QueueEmpty):
            while True:
                queue.get_nowait()
        s.turns.left(worker.is_alive, _who(request), wrote.is_set)
    media_out = "text/csv; charset=utf-8" if fmt == "csv" else "application/jsonl"
    taken = list[Any]()  # a chunk the queue gave as the wait for it ended: given next

    async def following() -> Any:
        """The next chunk, or LATE once --batch-seconds have passed since the batch began, or STOPPED once the stop
        has let it go on for FINISHING (a batch in flight at a stop that ends within it is answered whole)."""
        if taken:
            return taken.pop(0)
        if not s.stopping.is_set():
            item = await _unless_stopped(s, queue.get(), max(0.0, deadline - time.monotonic()), taken.append)
            if item is not STOPPED:
                return item
            if taken:
                return taken.pop(0)
        finish = s.stopped_at + FINISHING
        try:
            return await asyncio.wait_for(queue.get(), max(0.0, min(deadline, finish) - time.monotonic()))
        except TimeoutError:
            return STOPPED if finish <= deadline else LATE

    def overdue(item: Any) -> Any:
        """``item``, or LATE (STOPPED) where it came past the batch's time (the stop's): a reader slower than the
        grading keeps the queue full, so no wait for a chunk runs out."""
        if item is _END or isinstance(item, BaseException):
            return item
        now = time.monotonic()
        if s.stopping.is_set() and now >= s.stopped_at + FINISHING:
            return STOPPED
        return LATE if now >= deadline else item

    first = await following()  # (within the time too: a hook that never returns holds no answer for ever)
    if first is STOPPED or first is LATE:  # nothing sent yet: the batch is refused whole
        ended()
        if first is STOPPED:
            raise _shutting_down()
        raise Problem(503, "timeout", f"the batch gave no row within {s.settings.batch_seconds:g} s (the server's "
                      "--batch-seconds)", hint="send fewer records at a time")
    if first is _END:  # a cohort of no records: no rows, as the command prints none
        return Response(b"", media_type=media_out, headers={DIGEST_HEADER: s.digest})
    if isinstance(first, InputError):  # refused before any row: the cohort's format, its CSV header
        raise _http_words(problems.from_input_error(first, 422, "invalid-cohort"))
    if isinstance(first, PluginError):
        raise problems.from_plugin_error(first)
    if isinstance(first, BaseException):
        raise first
    columns = first.split(b"\n", 1)[0].count(b",") + 1 if fmt == "csv" else 5  # (the header's names hold no comma)
    header = next(csv.reader(io.StringIO(first.decode("utf-8")))) if fmt == "csv" else []
    try:
        await _logged(s, request, raw, first, fmt, header)  # (a log that cannot hold it: 503, nothing given)
    except BaseException:
        ended()
        raise

    async def rows() -> AsyncIterator[bytes]:
        """The rows as they are graded, each logged as it is handed on. The output ends with its closing line once
        the time runs out, or FINISHING after the server began to stop, without waiting for the records being
        graded nor sending those graded and not yet handed on: the line says how far the output went, which depends
        on no grace period nor on how busy the machine is."""
        item, given = first, _last_line(first)
        try:
            while True:
                yield item
                given = _last_line(item) or given
                item = overdue(await following())
                if item is _END:
                    return
                after = f"after line {given}" if given else "after the output above"
                if item is STOPPED:
                    yield _closing(fmt, f"stopped: the server is shutting down; the records {after} were not "
                                   "answered (the output above is complete: send them again)", columns)
                    return
                if item is LATE:
                    yield _closing(fmt, f"the batch was stopped after {s.settings.batch_seconds:g} s (the server's "
                                   f"--batch-seconds): the output above is complete; the records {after} were not "
                                   "answered (send them again, in parts)", columns)
                    return
                if not isinstance(item, BaseException):
                    try:
                        await _logged(s, request, raw, item, fmt, header)
                    except Problem as exc:  # no decision given that the log does not hold
                        item = exc
                if isinstance(item, BaseException):
                    message = str(item) if isinstance(item, PluginError | InputError | Problem) else \
                        f"internal error: {type(item).__name__}: {item}"
                    yield _closing(fmt, message, columns)
                    return
        finally:
            ended()

    return _Streamed(rows(), ended, media_type=media_out, headers={DIGEST_HEADER: s.digest})


class _Streamed(StreamingResponse):
    """A batch's rows, ``ended()`` called once the response has ended however it ended: Starlette leaves the rows'
    generator unstarted where it hears the client gone while the answer's start waits to be written, and the
    grading thread, waiting to put a row no one took, held the turn for ever (on 246753b)."""

    def __init__(self, rows: AsyncIterator[bytes], ended: Callable[[], None], **kwargs: Any):
        super().__init__(rows, **kwargs)
        self.ended = ended

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.ended()


async def _turn(s: Service) -> None:
    """Wait for the turn to grade (epa.serve.turns), up to --batch-seconds: 503 busy past them, or at once while the
    thread holding it is stuck in a hook; 503 shutting-down on a stop."""
    turn = await _unless_stopped(s, s.turns.take(), s.settings.batch_seconds,
                                 lambda taken: s.turns.release() if taken else None)
    if turn is LATE:
        raise Problem(503, "busy", "another batch has been grading for longer than this server waits",
                      headers={"Retry-After": "10"})
    if turn is STOPPED:
        raise _shutting_down()
    if not turn:
        raise Problem(503, "busy", "a batch or audit ended (at its time limit, or its client gone) with its grading "
                      f"still {s.turns.where}: no batch or audit is graded until it "
                      f"{'does' if s.turns.where == IN_A_HOOK else 'ends'}",
                      hint="send it again later; the server's log says when it returns (restarting the server "
                      "ends it)", headers={"Retry-After": RETRY_AFTER})


def _who(request: Request) -> str:
    """A request as the server's log says it: its client and endpoint."""
    client = request.client
    return f"{client.host}:{client.port}'s {request.method} {request.url.path}" if client else \
        f"a {request.method} {request.url.path}"


async def _logged(s: Service, request: Request, raw: bytes, chunk: bytes, fmt: str, header: list[str]) -> None:
    """A chunk of a batch's rows written to the decision log (off the event loop) as it is handed on: the log
    holds the decisions given, not those graded and then left unsaid by a stop."""
    if s.log is not None:
        log = s.log
        await asyncio.to_thread(lambda: log.write_rows(request.url.path, raw, s.digest,
                                                       _rows(chunk.decode("utf-8"), fmt, header)))


def _last_line(chunk: bytes) -> str | None:
    """The line (in the cohort) of the last record a chunk of a batch's output says, where it says one."""
    tail = chunk[chunk.rfind(b"\n", 0, len(chunk) - 1) + 1:][:40].decode("utf-8", "replace")
    found = _LINE.match(tail)
    return found.group(1) if found else None


# --- POST /audit ------------------------------------------------------------------------------------------------

async def _audit(s: Service, request: Request) -> Response:
    """As `epa audit - --format json` (or csv) prints for the same file: a row per input row, error rows included,
    then (JSON) the summary line. An outcomes file is small beside a cohort (a row per apprentice, no evidence), so
    it is answered whole, not streamed; it waits its turn as a batch does (--max-batch-body, --batch-seconds)."""
    from epa import audit as audits

    media = _media_type(request)
    if media not in CSV_TYPES | XLSX_TYPES:
        raise Problem(415, "unsupported-media-type", f"recorded outcomes are sent as CSV (text/csv) or an Excel "
                      f"workbook, not {_named(request, media)}", hint="send the header "
                      "Content-Type: text/csv")
    fmt = _rows_format(request)
    mapped = _column_map(request)
    named, sheet = _query(request, "body"), _query(request, "sheet")
    body = None if named is None else str(_looked_up(lambda: s.registry.named(named).body.id, 400))
    body_ids = _body_ids(s.registry, request)
    raw = await _cohort_body(s, request)
    out: list[str] = []

    loop = asyncio.get_running_loop()
    answered: asyncio.Future[None] = loop.create_future()
    running = threading.Event()  # the audit's thread, which gives the turn back as it ends
    stop = threading.Event()  # set once the answer has ended: the thread stops at its next row (as a batch's does)

    def write(text: str) -> None:
        if stop.is_set():  # (on 0ba6867 it graded on to the end of its file, and was then said to be stuck in a hook)
            raise _Stopped
        out.append(text)

    def run() -> None:
        outcome: BaseException | None = None
        try:
            _bound_workbook(raw, stop)
            audits.run("-", fmt, s.registry, write, body=body, body_ids=body_ids, stdin=io.BytesIO(raw),
                       column_map=mapped, sheet=sheet, words=_served)
        except _Stopped:  # (no one's answer now)
            pass
        except BaseException as exc:  # (handed to the request, as asyncio.to_thread would)
            outcome = exc
        running.clear()
        with contextlib.suppress(RuntimeError):  # the event loop closed: the server has stopped
            loop.call_soon_threadsafe(_audited, s, answered, outcome)

    await _turn(s)  # (on 246753b an audit waited for the turn without a limit: for ever behind a stuck hook)
    running.set()
    threading.Thread(target=run, name="epa-audit", daemon=True).start()
    gone = asyncio.ensure_future(_gone(request))  # (its whole body read: what comes now is its client going away)
    stopped = asyncio.ensure_future(s.stopped())
    deadline = time.monotonic() + s.settings.batch_seconds
    try:
        await asyncio.wait({answered, gone, stopped}, timeout=s.settings.batch_seconds,
                           return_when=asyncio.FIRST_COMPLETED)
        if stopped.done() and not answered.done() and not gone.done():  # a stop: answered if it ends within
            # FINISHING, as a batch is (its rows whole), else 503 and its thread stopped at its next row; on 6b31b37
            # it graded on to its time limit, or was cut off at uvicorn's grace, the client told nothing
            left = min(deadline, s.stopped_at + FINISHING) - time.monotonic()
            await asyncio.wait({answered, gone}, timeout=max(0.0, left), return_when=asyncio.FIRST_COMPLETED)
            if not answered.done() and not gone.done():
                raise _shutting_down()
        if gone.done() and not answered.done():
            raise Problem(400, "client-disconnected", "the client went away before its audit was answered")
        if not answered.done():
            raise Problem(503, "timeout", f"the audit took longer than {s.settings.batch_seconds:g} s (the server's "
                          "--batch-seconds)", hint="send fewer rows at a time")
        answered.result()
    except InputError as exc:  # refused before any row: its format, its header
        raise _http_words(problems.from_input_error(exc, 422, "invalid-outcomes")) from None
    except PluginError as exc:
        raise problems.from_plugin_error(exc) from None
    finally:
        gone.cancel()
        stopped.cancel()
        if not answered.done():  # out of time, its client gone, a stop, or the request cancelled: no one's answer now
            answered.cancel()
            stop.set()  # its thread stops at its next row; one that does not holds the turn (epa.serve.turns)
            s.turns.left(running.is_set, _who(request), lambda: bool(out))
    if s.log is not None:
        header = next(csv.reader(io.StringIO(out[0])), []) if fmt == "csv" and out else []
        s.log.write_rows(request.url.path, raw, s.digest, _rows("".join(out), fmt, header))
    media_out = "text/csv; charset=utf-8" if fmt == "csv" else "application/jsonl"
    return Response("".join(out).encode("utf-8"), media_type=media_out, headers={DIGEST_HEADER: s.digest})


async def _gone(request: Request) -> None:
    """Return once the client of a request whose body has all been read has gone away."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _audited(s: Service, answered: asyncio.Future[None], outcome: BaseException | None) -> None:
    """An audit's thread has ended (on the event loop): the turn given back, and its outcome to the request still
    waiting for it."""
    s.turns.release()
    if answered.done():
        return
    if outcome is None:
        answered.set_result(None)
    else:
        answered.set_exception(outcome)


def _body_ids(registry: Registry, request: Request) -> dict[str, str]:
    """``?body-id=EPAxxxx=BODY`` (repeatable), as the command line's --body-id: the body an EPAO id in the file's
    AwardingOrganisationID column names, where no installed body's document states it."""
    from epa.audit import epao_map

    pairs = []
    for pair in request.query_params.getlist("body-id"):
        epao, equals, named = pair.partition("=")
        if not equals or not epao.strip() or not named.strip():
            raise Problem(400, "bad-query", f"?body-id={pair!r}: expected EPAxxxx=BODY",
                          hint="e.g. ?body-id=EPA0002=tqual (BODY: an id, name or acronym from GET /bodies)")
        pairs.append((epao.strip(), named.strip()))
    mapped = _looked_up(functools.partial(epao_map, pairs, registry.named), 400)  # (an id given two bodies: 400)
    return {epao: loaded.body.id for epao, loaded in mapped.items()}


CELLS_A_BYTE = 1  # cells of a workbook's used range allowed per byte sent (a real cohort has about 0.2)
CELLS_AT_LEAST = 1 << 20  # and however small the file: a 1,000-row, 1,000-column sheet


def _bound_workbook(raw: bytes, stop: threading.Event) -> None:
    """Bound the cells a workbook's used range may expand to, on this thread, by the size sent: a cell at AM1000000
    in a 5 KB file would have the reader hold 39 million (1.4 GB). A cohort's cells are in its file, so a real one
    is far inside the bound (cohort_xlsx.MAX_CELLS stays the bound above it). Its reading stops between the chunks
    of its checking pass once ``stop`` is set (the answer ended), as its grading does at its next row: on 6b31b37 a
    workbook's reading went on to its end (and the reader's own) whatever had become of its answer."""
    if raw[:4] == b"PK\x03\x04":
        from epa.inputs.cohort_xlsx import CELLS_ALLOWED, CHECKPOINT

        CELLS_ALLOWED.set(max(CELLS_AT_LEAST, len(raw) * CELLS_A_BYTE))

        def checkpoint() -> None:
            if stop.is_set():
                raise _Stopped

        CHECKPOINT.set(checkpoint)


def _rows(text: str, fmt: str, header: list[str]) -> list[dict[str, Any]]:
    """The rows of a batch's (or an audit's) output ``text``, each as a dict, for the decision log: a JSON line as
    it is (not an audit's summary line), a CSV row by the ``header``'s names (not the header row)."""
    if fmt != "csv":
        return [row for row in (json.loads(line) for line in text.splitlines() if line.strip()) if "line" in row]
    return [dict(zip(header, row, strict=False)) for row in csv.reader(io.StringIO(text)) if row and row != header]


def _shutting_down() -> Problem:
    return Problem(503, "shutting-down", "the server is shutting down", hint="send it again to a server running",
                   headers={"Retry-After": "10"})


def _closing(fmt: str, message: str, columns: int) -> bytes:
    """The last line of a batch stopped part way: an error line no record has (line 0); in CSV, a row of the
    header's ``columns`` cells, the message in the last (the error column)."""
    if fmt == "csv":
        from epa.batch.csv_output import rows

        return rows([["0", *[""] * (columns - 2), message]]).encode("utf-8")
    return (json.dumps({"line": 0, "error": {"message": message, "path": None, "hint": None}},
                       ensure_ascii=False) + "\n").encode("utf-8")


def create_app(settings: Settings | None = None, registry: Registry | None = None) -> Starlette:
    """The application: ``settings`` (default: as `epa serve` handed them to this worker process)."""
    settings = settings or Settings.from_env()
    from epa.serve.crowd import CountedH11

    CountedH11.max_connections = settings.max_connections  # (uvicorn's h11 protocol serves without httptools)
    with contextlib.suppress(ImportError):
        from epa.serve.heads import BoundedHead

        BoundedHead.max_connections = settings.max_connections
    return build(Service(settings, registry))


Endpoint = Callable[[Request], Awaitable[Response]]

"""What makes a decision replayable: the digest of the rules in force, the decision log, and the memo of answers.

The rules' digest is a SHA-256 of everything an answer depends on besides the record: epa's version and, for
each body, its plugin's distribution and version, the hooks it implements itself and every ruleset it ships (the
document, criteria, combination, journey: the rules as loaded, not the files' paths), with the standards defined.
The same record and the same digest give the same answer.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import threading
from typing import Any

from epa.errors import OutputError
from epa.registry import Registry
from epa.serve.problems import Problem

MASKED = "<masked>"  # an apprentice's id (or ULN, read as the id) in the decision log, unless --log-identities


def rules_digest(registry: Registry) -> str:
    from epa import __version__
    from epa.model.convert import converter

    rules: dict[str, Any] = {"epa": __version__, "bodies": [], "standards": []}
    for loaded in sorted(registry.bodies, key=lambda b: b.body.id):
        rulesets = [{k: v for k, v in converter.unstructure(r).items() if k != "source_file"}
                    for r in loaded.body.rulesets]
        rules["bodies"].append({"id": loaded.body.id, "name": loaded.body.name, "distribution": loaded.distribution,
                                "version": loaded.version, "own_hooks": list(loaded.own_hooks), "rulesets": rulesets})
    rules["standards"] = [converter.unstructure(s) for s in registry.defined_standards()]
    text = json.dumps(rules, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def record_digest(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


class DecisionLog:
    """``--decision-log FILE``: one JSON line appended per decision (time, endpoint, record digest, rules digest,
    result; a cohort's rows, the cohort's digest), apprentice ids masked unless ``identities``. Each request's
    lines are one ``write`` to a file opened for appending, so lines from several worker processes do not
    interleave."""

    def __init__(self, path: str, identities: bool):
        self.path, self.identities = path, identities
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # a log of decisions is private
        self._lock = threading.Lock()

    def write(self, endpoint: str, raw: bytes, digest: str, result: Any, **more: Any) -> None:
        """A decision on one record, whose bytes are ``raw``."""
        self._append({"endpoint": endpoint, "record_digest": record_digest(raw), **more}, digest, [result])

    def write_rows(self, endpoint: str, raw: bytes, digest: str, rows: list[dict[str, Any]]) -> None:
        """The decisions of a cohort (or an outcomes file) whose bytes are ``raw``: a line per row of its output
        (each names its ``line`` in the file), all with the file's digest as ``cohort_digest``."""
        self._append({"endpoint": endpoint, "cohort_digest": record_digest(raw)}, digest, rows)

    def _append(self, fields: dict[str, Any], digest: str, results: list[Any]) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        text = "".join(json.dumps({"time": now, **fields, "rules_digest": digest,
                                   "result": result if self.identities else masked(result)},
                                  ensure_ascii=False, separators=(",", ":")) + "\n" for result in results)
        if text:
            with self._lock:
                self._write(memoryview(text.encode()))

    def _write(self, data: memoryview) -> None:
        """Append ``data`` whole, or refuse the decision (503, naming the log and why: a full disk, the file-size
        limit) having taken back what part of it went in: a line cut short would run into the next request's line,
        losing it too. No decision is given that the log does not hold. The file is locked (``flock``) while a
        request's lines go in and, where they fail, are taken back to where they began: another worker process
        appending in between would have its line cut by the taking back. Where the file system takes no lock (NFS
        without its lock service), they go in unlocked, and what went in is taken back from the end, as before
        there was a lock."""
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            locked = True
        except OSError:
            locked = False
        try:
            start, done = None, 0
            try:
                start = os.fstat(self._fd).st_size  # where this request's lines begin (appended: at the end)
                while done < len(data):  # os.write may write part (the disk or the size limit reached) and say so
                    done += os.write(self._fd, data[done:])
            except OSError as exc:
                with contextlib.suppress(OSError):
                    if done:
                        os.ftruncate(self._fd, start if locked and start is not None
                                     else os.fstat(self._fd).st_size - done)
                said = OutputError(self.path, exc.strerror or str(exc))
                raise Problem(503, "decision-log-unwritable", f"{said}: the decision was not given",
                              hint="free space for the decision log, then send it again") from None
        finally:
            if locked:
                with contextlib.suppress(OSError):
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self._fd)


def masked(result: Any) -> Any:
    """The result with the apprentice's id (every ``apprentice`` member, at any depth) replaced by MASKED, and
    where an error row's words quote an id that could not be read, that too (see _unquoted_ids)."""
    if isinstance(result, dict):
        return {k: MASKED if k == "apprentice" and isinstance(v, str) else _masked_error(v) if k == "error" else
                masked(v) for k, v in result.items()}
    if isinstance(result, list):
        return [masked(v) for v in result]
    return result


# What an error's words may quote of an id: a quoted string (cut with "…"), a list or mapping, or a number.
_VALUE = re.compile(r"""'(?:[^'\\\n]|\\.)*'…?|"(?:[^"\\\n]|\\.)*"…?"""
                    r"""|\[[^\]\n]*\]|\{[^}\n]*\}|(?<![\w.])[-+]?\d[\w.+,]*""")
_ABOUT_ID = re.compile(r"\$\.apprentice\.id: [^\n]*")  # a problem with the id, in a CSV cell or an "also:" line
_APPRENTICE = re.compile(r"(\$\.apprentice: )[^\n]*?(?= is not )")  # the apprentice given as another type of value
_LEADING = re.compile(r"^[^\n]*?(?= is not )")  # the same, where the error's path says it is the apprentice
_SCIENTIFIC = re.compile(r"'[^'\n]*'(?= is a number in scientific notation)")  # an id Excel cut (columns.parse_id)


def _unquoted_ids(text: str, about_id: bool = False) -> str:
    """``text`` with every value it quotes of an apprentice id masked: a record's id that was not a string (``1234567890
    is not a string``, its hint ``quote it ("1234567890")``), a problem at ``$.apprentice.id`` anywhere in it (a CSV
    row's error cell, an "also:" line), and an id in scientific notation (a ULN whose last digits Excel lost);
    ``about_id``: the whole text is about the id (an error whose path is ``$.apprentice.id``)."""
    if about_id:
        text = _VALUE.sub(MASKED, text)
    text = _ABOUT_ID.sub(lambda m: _VALUE.sub(MASKED, m.group()), text)
    text = _APPRENTICE.sub(lambda m: m.group(1) + MASKED, text)
    return _SCIENTIFIC.sub(MASKED, text)


def _masked_error(error: Any) -> Any:
    """An error row's error (a CSV row's cell, or a JSON row's message, hint and problems) with the ids it quotes
    masked (see _unquoted_ids)."""
    if isinstance(error, str):
        return _unquoted_ids(error)
    if isinstance(error, list):
        return [_masked_error(e) for e in error]
    if not isinstance(error, dict):
        return error
    path = error.get("path")
    out = {k: _masked_error(v) if k == "problems" else
           _unquoted_ids(v, path == "$.apprentice.id") if k in ("message", "hint") and isinstance(v, str) else v
           for k, v in error.items()}
    if path == "$.apprentice" and isinstance(out.get("message"), str):  # (1234567890 is not a mapping)
        out["message"] = _LEADING.sub(MASKED, out["message"], count=1)
    return out


class Memo:
    """Whole answers remembered, least recently used first out, at most ``size`` of them and ``budget`` bytes of
    their JSON (so that large records cannot make it large): keyed by the endpoint, its options, the body's media
    type, the digest of its bytes and the rules' digest. It can only make an answer faster: the same request under
    the same rules is the same answer (none depends on today's date)."""

    def __init__(self, size: int, budget: int = 64 * 1024 * 1024):
        self.size, self.budget, self.held = size, budget, 0
        self._answers: collections.OrderedDict[tuple[str, ...], tuple[bytes, Any]] = collections.OrderedDict()

    def get(self, key: tuple[str, ...]) -> tuple[bytes, Any] | None:
        if not self.size:
            return None
        found = self._answers.get(key)
        if found is not None:
            self._answers.move_to_end(key)
        return found

    def put(self, key: tuple[str, ...], answer: tuple[bytes, Any]) -> None:
        if not self.size:
            return
        if key in self._answers or len(answer[0]) > self.budget:
            return
        self._answers[key] = answer
        self.held += len(answer[0])
        while len(self._answers) > self.size or self.held > self.budget:
            self.held -= len(self._answers.popitem(last=False)[1][0])

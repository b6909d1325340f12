"""How a citation names its document for a person: by a short title and version, not the stored file's name.

A citation is '<file> § <section>' everywhere, stable for programs (the conformance suite parses it). Beside
it, every output says which document that file is: tables and the journey header print '<short title>
v<version>' in the file's place ('TQUK Spec v1.2 § Overall Grading'), JSON gives a ``documents`` map keyed by
file, the iCalendar file and the HTML report name the title and version. Everything here comes from the
ruleset's own ``document`` and the body's name: the core names no body.
"""

from __future__ import annotations

import functools
import re
from typing import Any

_KINDS = (("standard specification", "Spec"), ("specification", "Spec"), ("support pack", "Support Pack"),
          ("assessment kit", "EPA Kit"), ("handbook", "Handbook"), ("assessment plan", "Assessment Plan"),
          ("guide", "Guide"), ("kit", "Kit"))
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9&]{1,9})\)\s*$")


def short_title(body_name: str, title: str) -> str:
    """'Training Qualifications UK (TQUK)', '... V1.2 - Standard Specification' -> 'TQUK Spec'."""
    acronym = _ACRONYM.search(body_name)
    name = acronym.group(1) if acronym else body_name
    kind = next((short for words, short in _KINDS if words in title.lower()), "")
    return f"{name} {kind}".strip()


def versioned(name: str, version: str | None) -> str:
    """A name with its document version: 'TQUK Spec v1.2', or the name alone where the document gives no
    version ('Skillsfirst', never 'Skillsfirst vNone')."""
    return f"{name} v{version}" if version else name


def titled(title: str, version: str | None) -> str:
    """A document's title with its version, as prose names it: 'EPA Kit, version 5.0', or the title alone."""
    return f"{title}, version {version}" if version else title


def label(body_name: str, title: str, version: str | None) -> str:
    """What a person reads in the file's place: 'TQUK Spec v1.2'."""
    return versioned(short_title(body_name, title), version)


@functools.cache
def documents(body_name: str, file: str, title: str, version: str | None) -> dict[str, dict[str, str | None]]:
    """A result's ``documents``: the file its citations name -> the document's title, version and label. One
    dict per body and version, shared by every result (a cohort's JSON writes one for each record: it must cost
    nothing to make); never changed once made."""
    return {file: {"title": title, "version": version, "label": label(body_name, title, version)}}


def labelled(citation: str | None, documents: dict[str, Any]) -> str | None:
    """'003_….txt § Overall Grading' -> 'TQUK Spec v1.2 § Overall Grading' when ``documents`` knows the file
    (a citation of a file it does not know is left as it is)."""
    if not citation or " § " not in citation:
        return citation
    file, section = citation.split(" § ", 1)
    known = documents.get(file)
    return f"{known['label']} § {section}" if known else citation

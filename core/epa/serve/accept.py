"""Which of an endpoint's representations a request's ``Accept`` asks for (RFC 9110 § 12.5.1), or none (406).

An endpoint offers its types in order, the first its default (JSON). A media range's weight is that of the most
specific range naming the type (``text/html`` before ``text/*`` before ``*/*``); ``q=0`` refuses it. An Accept that
asks for nothing (no Accept, an empty one, or one of refusals alone: ``text/html;q=0``) leaves the choice to the
server, which gives the first type not refused."""

from __future__ import annotations

from collections.abc import Sequence

# (JSON Lines is JSON a line at a time: a client asking for JSON, or naming JSON Lines as the other names it has, is
# answered with it)
JSONL_NAMES = ("application/jsonl", "application/x-ndjson", "application/x-jsonlines", "application/jsonlines")
ALIASES = {"application/jsonl": (*JSONL_NAMES, "application/json")}

Range = tuple[str, str, float]  # type, subtype (either "*"), weight


def ranges(accept: str) -> list[Range]:
    """The media ranges of an Accept field's value, in order. A range that is no ``type/subtype`` is kept as one
    matching nothing (``Accept: json`` names no type the service answers), not left out as if unsaid."""
    found = []
    for part in accept.split(","):
        media, _, params = part.partition(";")
        kind, slash, sub = media.strip().lower().partition("/")
        if not media.strip() and not params.strip():
            continue  # (an empty element of the list: "a,,b")
        if not (slash and kind and sub) or (kind == "*" and sub != "*"):
            kind, sub = "", ""  # (matches nothing)
        found.append((kind, sub, _weight(params)))
    return found


def _weight(params: str) -> float:
    """A range's weight, ``q=`` among its parameters (1 where it gives none, 0 where it is unreadable)."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return 0.0
            return weight if 0 <= weight <= 1 else 0.0
    return 1.0


def _weighed(media: str, asked: list[Range]) -> tuple[float, int] | None:
    """``media``'s weight and how specifically a range names it (2 the type itself, 1 ``type/*``, 0 ``*/*``), by
    the most specific range naming it or any of its aliases; None where no range names it."""
    best: tuple[float, int] | None = None
    for name in ALIASES.get(media, (media,)):
        kind, _, sub = name.partition("/")
        for r_kind, r_sub, weight in asked:
            specific = 2 if (r_kind, r_sub) == (kind, sub) else 1 if (r_kind, r_sub) == (kind, "*") else \
                0 if (r_kind, r_sub) == ("*", "*") else -1
            if specific >= 0 and (best is None or specific > best[1] or (specific == best[1] and weight > best[0])):
                best = (weight, specific)
    return best


def chosen(accept: str | None, offered: Sequence[str]) -> str | None:
    """The one of ``offered`` (the first the default) that ``accept`` asks for, or None where it accepts none of
    them (406). Of types asked for with the same weight, one named as itself is chosen before one a wildcard
    names; of two named alike, the default where a wildcard names both (``*/*``), else the other (``text/html,
    application/json`` asks for the HTML as readily: a client naming it wants it)."""
    asked = ranges(accept or "")
    weighed = {media: _weighed(media, asked) for media in offered}
    if not any(weight > 0 for _, _, weight in asked):  # nothing asked for: any type not refused
        return next((m for m in offered if weighed[m] is None or weighed[m][0] > 0), None)  # type: ignore[index]
    scored = [(w[0], w[1], m) for m, w in weighed.items() if w is not None and w[0] > 0]
    if not scored:
        return None
    top = max((weight, specific) for weight, specific, _ in scored)
    tied = [m for weight, specific, m in scored if (weight, specific) == top]
    if top[1] == 2 and len(tied) > 1:
        return next(m for m in tied if m != offered[0])
    return tied[0]

"""The one cattrs converter: dates as ISO strings, and errors turned into readable paths."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.v import transform_error

from epa.errors import InputError
from epa.model.domain import NONE_STATED, Consequence, DeadlineRule, GatewayRule, OverallInWords, Window

T = TypeVar("T")

converter = cattrs.Converter(omit_if_default=False)
converter.register_structure_hook(dt.date, lambda value, _: dt.date.fromisoformat(str(value)))
converter.register_unstructure_hook(dt.date, lambda value: value.isoformat())

# Journey files say "from", a Python keyword; the classes say from_.
converter.register_structure_hook(Window, make_dict_structure_fn(Window, converter, from_=override(rename="from")))
converter.register_unstructure_hook(Window, make_dict_unstructure_fn(Window, converter, from_=override(rename="from")))


def _structure_consequence(data: Any, _: Any) -> Consequence | str | None:
    """A deadline's consequence as a journey file gives it: none_stated, or {says, text, citation} (the schema has
    checked the shape)."""
    if data is None or data == NONE_STATED:
        return data  # type: ignore[no-any-return]
    if isinstance(data, dict):
        return converter.structure(data, Consequence)
    raise ValueError(f"consequence: expected {NONE_STATED} or {{says, text, citation}}, got {data!r}")


def _unstructure_consequence(value: Consequence | str | None) -> Any:
    return converter.unstructure(value, Consequence) if isinstance(value, Consequence) else value


converter.register_structure_hook(DeadlineRule, make_dict_structure_fn(
    DeadlineRule, converter, from_=override(rename="from"), consequence=override(struct_hook=_structure_consequence)))
# (a deadline whose plugin does not say has none written, as its file has none: nothing new is shown for it)
converter.register_unstructure_hook(DeadlineRule, make_dict_unstructure_fn(
    DeadlineRule, converter, from_=override(rename="from"),
    consequence=override(unstruct_hook=_unstructure_consequence, omit_if_default=True)))

_gateway_rule = make_dict_structure_fn(GatewayRule, converter)


def _structure_gateway_rule(data: Any, cls: type) -> GatewayRule:
    """Older journey files say ``mandatory: true/false``; it is read as strength mandatory / recommended."""
    if isinstance(data, dict) and "strength" not in data and "mandatory" in data:
        data = {**data, "strength": "mandatory" if data["mandatory"] else "recommended"}
    return _gateway_rule(data, cls)


converter.register_structure_hook(GatewayRule, _structure_gateway_rule)


def _structure_overall(data: Any, cls: type) -> OverallInWords:
    """A rule in words as the ruleset writes it: ``{fail: any, distinction: all | {at_least: N} | {methods: [...]}}``
    (the schema has checked the shape)."""
    if not isinstance(data, dict) or data.get("fail") != "any":
        raise ValueError(f"decides: expected {{fail: any, distinction: ...}}, got {data!r}")
    distinction = data.get("distinction")
    if distinction == "all":
        return OverallInWords()
    if isinstance(distinction, dict) and isinstance(distinction.get("at_least"), int):
        return OverallInWords(at_least=distinction["at_least"])
    if isinstance(distinction, dict) and isinstance(distinction.get("methods"), list):
        return OverallInWords(methods=tuple(str(m) for m in distinction["methods"]))
    raise ValueError(f"decides.distinction: expected all, {{at_least: N}} or {{methods: [...]}}, got {distinction!r}")


def _unstructure_overall(rule: OverallInWords) -> dict[str, Any]:
    distinction: Any = ({"methods": list(rule.methods)} if rule.methods is not None else
                        {"at_least": rule.at_least} if rule.at_least is not None else "all")
    return {"fail": "any", "distinction": distinction}


converter.register_structure_hook(OverallInWords, _structure_overall)
converter.register_unstructure_hook(OverallInWords, _unstructure_overall)


def structure(data: Any, cls: type[T], where: str) -> T:
    try:
        return converter.structure(data, cls)
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        problems = transform_error(exc, path="$") if isinstance(exc, cattrs.BaseValidationError) else [str(exc)]
        raise InputError("; ".join(problems), where=where) from None


def unstructure(value: Any) -> Any:
    return converter.unstructure(value)

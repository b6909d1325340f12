"""A text's UTF-16 byte-order mark, and a whole file's UTF-16 text: what a record's reader (documents.decode) and a
cohort's (epa.inputs.utf16, which reads a stream as the UTF-8 it holds) share, in a module neither imports back.
"""

from __future__ import annotations

from epa.errors import InputError, Place

_MARKS = ((b"\xff\xfe\x00\x00", None), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))  # (UTF-32 first)


def encoding_of(first: bytes) -> str | None:
    """The UTF-16 codec whose byte-order mark ``first`` starts with; None for any other start (UTF-32's too)."""
    for mark, codec in _MARKS:
        if first.startswith(mark):
            return codec
    return None


def text_of(raw: bytes, name: str) -> str | None:
    """A whole file's text where it starts with a UTF-16 byte-order mark (the mark dropped), else None: a record
    saved as 'Unicode Text' is read as its UTF-8 copy is, as a cohort is (epa.inputs.utf16.as_utf8); text that is
    not UTF-16 after all is refused naming its line and byte."""
    codec = encoding_of(raw[:4])
    if codec is None:
        return None
    try:
        return raw.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].decode(codec, "replace").count("\n") + 1
        raise refusal(exc, exc.start, Place(name, line), table=False) from None


def refusal(exc: UnicodeDecodeError, at: int, where: Place, *, table: bool) -> InputError:
    """Text that starts with a UTF-16 byte-order mark but is not UTF-16 at byte offset ``at``; ``table``: the text
    is a table (CSV or tab-separated, as a spreadsheet saves it), whose hint names Excel's formats. A YAML or JSON
    file's does not: no spreadsheet saves one."""
    what = ("ends inside a character (an odd byte, or half a surrogate pair)" if exc.reason in
            ("truncated data", "unexpected end of data") else
            f"holds bytes that are not UTF-16 text ({exc.reason})")
    hint = "save it again as UTF-8 (Excel: Save As 'CSV UTF-8'), or whole as 'Unicode Text'" if table else \
        "save it again as UTF-8 (the editor's encoding setting), or whole as UTF-16"
    return InputError(f"the file starts with a UTF-16 byte-order mark but {what}, at byte {at + 1}", where=where,
                      hint=hint)



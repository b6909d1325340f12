"""An InputError carries where it is (file, line, column, JSON path), its further problems and how many more as
data: the command line's text is made from them, and `epa serve` gives each as a field of its problem document, so
neither reads the other's words back (a key named "a: b" once split an "also:" line at its own colon)."""

from __future__ import annotations

from epa.errors import Also, InputError, Place


def test_a_place_is_said_as_the_command_line_says_it() -> None:
    assert str(Place("record.yaml", 3, 7, "$.gateway.date")) == "record.yaml:3:7: $.gateway.date"
    assert str(Place("record.yaml", 3, 7)) == "record.yaml:3:7"  # a syntax error: no path
    assert str(Place("<stdin>", path="$.standard")) == "<stdin>: $.standard"  # JSON read without its nodes
    assert str(Place("cohort.jsonl", 12, path="$.apprentice.id")) == "cohort.jsonl:12: $.apprentice.id"  # a line
    assert str(Place("cohort.jsonl", 12)) == "cohort.jsonl:12"
    assert str(Place(path="criteria[K1.1].level")) == "criteria[K1.1].level"  # a version file's change path
    assert str(Place("record.yaml")) == "record.yaml"


def test_the_message_lists_the_further_problems_and_counts_the_rest() -> None:
    error = InputError("5 is not a string", where=Place("r.json", 1, 45, "$.apprentice.id"), hint="quote it",
                       also=(Also(Place("r.json", 1, 60, "$.a: b"), "unknown field 'a: b'", "did you mean 'ab'?"),
                             Also(Place("r.json", 2, 3, "$.x"), "7 is not a date")), more=3)
    assert error.detail == "5 is not a string"
    assert error.message == ("5 is not a string\n  also: r.json:1:60: $.a: b: unknown field 'a: b' (did you mean "
                             "'ab'?)\n  also: r.json:2:3: $.x: 7 is not a date\n  … and 3 more")
    assert error.render() == f"r.json:1:45: $.apprentice.id: {error.message}\n  hint: quote it"
    assert error.where == "r.json:1:45: $.apprentice.id" and error.place == Place("r.json", 1, 45, "$.apprentice.id")
    assert error.also[0].detail == "unknown field 'a: b' (did you mean 'ab'?)"


def test_a_problem_moved_to_another_place_keeps_its_further_problems() -> None:
    error = InputError("first", where=Place("<line>", 1, 5, "$.a"), also=(Also(Place(path="$.b"), "second"),), more=1)
    moved = error.moved(Place("cohort.jsonl", 4, path="$.a"), hint="a hint")
    assert (moved.detail, moved.also, moved.more, moved.hint) == ("first", error.also, 1, "a hint")
    assert moved.render() == "cohort.jsonl:4: $.a: first\n  also: $.b: second\n  … and 1 more\n  hint: a hint"


def test_a_where_given_as_words_has_no_place() -> None:
    error = InputError("expected NAME=FIELD", where="--column 'x'")
    assert error.place is None and error.where == "--column 'x'" and error.render() == "--column 'x': expected NAME=FIELD"

"""The bank-holiday calendar, and its cache entry: the same days and names whatever the user's locale, and an
entry that is a miss once the holidays package a start would import is another."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from epa import cache
from epa.rules import workdays

CHRISTMAS_2025 = (dt.date(2025, 12, 24), dt.date(2026, 1, 2))


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder and secret of the test's own, and the calendar worked out afresh in this process (before
    and after: what the test made is not the next test's)."""
    monkeypatch.setenv("EPA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("EPA_NO_CACHE", raising=False)
    forget()
    yield tmp_path / "cache"
    forget()


def forget() -> None:
    workdays._calendar.cache_clear()
    workdays._holidays.cache_clear()


@pytest.mark.parametrize("variable", ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"])
def test_the_names_of_bank_holidays_are_english_whatever_the_locale(fresh: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    variable: str) -> None:
    """The holidays package names a day in the language the locale's environment names, where it has the country's
    translation (GB: Thai, Urdu): under LANG=th_TH.UTF-8 a deadline skipped 'วันคริสต์มาส 2025-12-25', and the
    first start's language was cached for every later one. The documents are England's; so are the names."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, "th_TH.UTF-8")
    # gov.uk's bank holidays for England and Wales, 2025-26: Christmas Day and Boxing Day (Thursday and Friday),
    # New Year's Day (Thursday 1 January)
    expected = [(dt.date(2025, 12, 25), "Christmas Day"), (dt.date(2025, 12, 26), "Boxing Day"),
                (dt.date(2026, 1, 1), "New Year's Day")]
    assert workdays.bank_holidays_between(*CHRISTMAS_2025) == expected  # cold: worked out, and cached
    monkeypatch.setenv(variable, "C.UTF-8")
    forget()
    assert workdays.bank_holidays_between(*CHRISTMAS_2025) == expected  # warm: from the cache
    # Past the cached span, the package is asked directly: Monday 25 and Tuesday 26 December 2062
    far = (dt.date(2062, 12, 24), dt.date(2062, 12, 27))
    monkeypatch.setenv(variable, "th_TH.UTF-8")
    forget()
    assert [name for _, name in workdays.bank_holidays_between(*far)] == ["Christmas Day", "Boxing Day"]

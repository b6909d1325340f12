"""The bank-holiday calendar, and its cache entry: the same days and names whatever the user's locale, and an
entry that is a miss once the holidays package a start would import is another."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from epa import cache
from epa.rules import workdays
from epa.rules.workdays import FIRST_YEAR, LAST_YEAR

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


STAND_IN = '''
"""A stand-in for the holidays package: England's days are DAYS, in countries/united_kingdom.py."""
from holidays.countries.united_kingdom import DAYS


def country_holidays(country, subdiv=None, language=None, years=None, **options):
    return dict(DAYS)
'''


def _stand_in(folder: Path, days: dict[dt.date, str]) -> None:
    """The stand-in package in ``folder`` (its files written afresh), England's days ``days``."""
    (folder / "holidays" / "countries").mkdir(parents=True, exist_ok=True)
    (folder / "holidays" / "__init__.py").write_text(STAND_IN, encoding="utf-8")
    (folder / "holidays" / "countries" / "__init__.py").write_text("", encoding="utf-8")
    listed = ", ".join(f"dt.date({d.year}, {d.month}, {d.day}): {name!r}" for d, name in days.items())
    (folder / "holidays" / "countries" / "united_kingdom.py").write_text(
        f"import datetime as dt\n\nDAYS = {{{listed}}}\n", encoding="utf-8")


def _not_imported(monkeypatch: pytest.MonkeyPatch, *also: str) -> None:
    """No holidays module imported (nor of the packages ``also`` names), as at a start: the next import finds the
    package afresh."""
    import sys

    for package in ("holidays", *also):
        for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            monkeypatch.delitem(sys.modules, name)


CHRISTMAS = {dt.date(2025, 12, 25): "Christmas Day"}
UPDATED = {**CHRISTMAS, dt.date(2025, 12, 29): "A day the update added"}


def _updated_in_place(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The calendar of the package in ``folder`` cached, then its country's module changed where it lies (as
    ``git pull`` changes an editable install's checkout, its installed metadata, and version, left as they were):
    the next start's calendar is the package's as it now is. Each start is made seconds after the files were
    written (``SETTLED_NS`` 0), as a user's is: one within a clock tick of a change uses no cache (``cache.stamp``)."""
    monkeypatch.setattr(cache, "SETTLED_NS", 0, raising=False)
    _stand_in(folder, CHRISTMAS)
    _not_imported(monkeypatch)
    assert workdays.bank_holidays_between(*CHRISTMAS_2025) == list(CHRISTMAS.items())
    assert list(cache.directory().glob(f"bank-holidays-*{cache.OBJECTS}"))  # (it was cached)
    _stand_in(folder, UPDATED)
    _not_imported(monkeypatch)
    forget()
    assert workdays.bank_holidays_between(*CHRISTMAS_2025) == list(UPDATED.items())


def test_a_holidays_package_first_on_the_path_and_updated_is_not_served_its_old_calendar(
        fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of the package first on sys.path (PYTHONPATH=../holidays), with no metadata of its own: on 0ff2ba6
    the entry was keyed by the installed distribution's metadata alone, which neither it nor its update changes,
    and the calendar before the update was served after it."""
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    _updated_in_place(tmp_path / "site", monkeypatch)


def test_an_editable_holidays_updated_where_it_lies_is_not_served_its_old_calendar(
        fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editable install, found by a finder of its own on sys.meta_path (as setuptools' editable installs are),
    not on sys.path: its update is seen as an update of the package where sys.path finds it is."""
    import importlib.util
    import sys

    folder = tmp_path / "checkout"

    class Editable:
        @staticmethod
        def find_spec(name: str, path: object = None, target: object = None) -> object:
            if name != "holidays":
                return None
            return importlib.util.spec_from_file_location(name, folder / "holidays" / "__init__.py",
                                                          submodule_search_locations=[str(folder / "holidays")])

    monkeypatch.setattr(sys, "meta_path", [Editable(), *sys.meta_path])
    _updated_in_place(folder, monkeypatch)


EASTER_STAND_IN = '''
"""A stand-in for the holidays package whose England has one day: Easter Monday, from dateutil's Easter."""
import datetime as dt

from dateutil.easter import easter


def country_holidays(country, subdiv=None, language=None, years=None, **options):
    return {easter(2025) + dt.timedelta(days=1): "Easter Monday"}
'''


def test_a_dateutil_updated_where_it_lies_is_not_served_its_old_calendar(fresh: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Good Friday and Easter Monday are dateutil's Easter (holidays' groups/christian.py asks dateutil.easter): on
    e56ed49 the calendar's key named holidays alone, and a dateutil updated where it lies (a copy first on
    sys.path, an editable install) was served the calendar its old Easter made. Each start is made seconds after
    the files were written (``SETTLED_NS`` 0). Easter Sunday 2025 was 20 April, Easter Monday 21 April (gov.uk);
    the stand-in's update says 27 April, to be seen."""
    monkeypatch.setattr(cache, "SETTLED_NS", 0, raising=False)
    site = tmp_path / "site"
    (site / "holidays").mkdir(parents=True)
    (site / "dateutil").mkdir()
    (site / "holidays" / "__init__.py").write_text(EASTER_STAND_IN, encoding="utf-8")
    (site / "dateutil" / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    april = (dt.date(2025, 4, 14), dt.date(2025, 5, 2))
    for sunday, monday in (("dt.date(year, 4, 20)", 21), ("dt.date(year, 4, 20) + dt.timedelta(days=7)", 28)):
        (site / "dateutil" / "easter.py").write_text(
            f"import datetime as dt\n\n\ndef easter(year):\n    return {sunday}\n", encoding="utf-8")
        _not_imported(monkeypatch, "dateutil")
        forget()
        assert workdays.bank_holidays_between(*april) == [(dt.date(2025, 4, monday), "Easter Monday")]
        assert list(cache.directory().glob(f"bank-holidays-*{cache.OBJECTS}"))  # (it was cached)


def test_the_files_the_calendar_is_keyed_by_are_those_it_is_made_from() -> None:
    """Each module of the installed package that England's calendar class (and the classes it is built on) is
    defined in is keyed, and so is each other file named, there: a later holidays laid out otherwise fails here."""
    import inspect

    import holidays

    folder = Path(holidays.__file__).parent
    calendar = workdays._country()
    made_of = {Path(inspect.getfile(c)).relative_to(folder).as_posix() for c in type(calendar).__mro__
               if c.__module__.startswith("holidays.")}
    assert made_of <= set(workdays.CALENDAR_FILES["holidays"])
    for package, files in workdays.CALENDAR_FILES.items():
        place = Path(__import__(package).__file__).parent
        assert [name for name in files if not (place / name).is_file()] == [], package


def test_every_file_whose_code_makes_the_calendar_is_keyed() -> None:
    """Every module of holidays, dateutil or any other package outside the standard library whose code runs as
    England's calendar is made (once the modules are imported) is one of CALENDAR_FILES: an update to any other
    would change the calendar and not its key. On e56ed49 dateutil's easter.py (Good Friday, Easter Monday),
    holidays' calendars/gregorian.py (the first and last Mondays of May, the days a holiday moves to), helpers.py,
    registry.py and utils.py were not."""
    import sys
    import sysconfig

    workdays._country(years=[FIRST_YEAR])  # imported, as the cache's key is made before the calendar is
    standard = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib")}
    ran: set[str] = set()
    sys.setprofile(lambda frame, event, arg: ran.add(frame.f_code.co_filename))
    try:
        workdays._country(years=range(FIRST_YEAR, LAST_YEAR + 1)).items()
    finally:
        sys.setprofile(None)
    keyed = set()
    for package, files in workdays.CALENDAR_FILES.items():
        place = Path(__import__(package).__file__).parent
        keyed |= {str(place / name) for name in files}
    epa_code = Path(workdays.__file__).parents[1]
    outside = {f for f in ran if Path(f).is_file() and not any(Path(f).is_relative_to(s) for s in standard)
               and not Path(f).is_relative_to(epa_code) and f != __file__}
    assert outside - keyed == set()

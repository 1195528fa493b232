"""The official non-working holidays of the Russian Federation.

With the ``holidays`` package (``pip install 'gospages[planning]'``) the days include the
government's yearly transfers of days off (for 2026: 9 January and 31 December) as soon as
its maintainers add each decree; without it, only the fixed holidays of the Labour Code
(art. 112) and their automatic move from a weekend to the next working day are known,
and :func:`holiday_calendar` says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

__all__ = ["holiday_calendar"]

# Labour Code art. 112: 1-6 and 8 January (New Year holidays), 7 January, 23 February,
# 8 March, 1 May, 9 May, 12 June, 4 November.
_FIXED = {
    **{(1, d): "Новогодние каникулы" for d in (1, 2, 3, 4, 5, 6, 8)},
    (1, 7): "Рождество Христово",
    (2, 23): "День защитника Отечества",
    (3, 8): "Международный женский день",
    (5, 1): "Праздник Весны и Труда",
    (5, 9): "День Победы",
    (6, 12): "День России",
    (11, 4): "День народного единства",
}


def _fixed(year: int) -> dict[date, str]:
    days = {date(year, m, d): name for (m, d), name in _FIXED.items()}
    for day, name in list(days.items()):
        # A holiday on a weekend moves to the next working day (art. 112), except the
        # January ones: the government moves those by its yearly decree.
        if day.month != 1 and day.weekday() >= 5:
            moved = day + timedelta(days=7 - day.weekday())
            while moved in days:
                moved += timedelta(days=1)
            days[moved] = f"{name} (перенос выходного)"
    return days


def holiday_calendar(years: Iterable[int]) -> tuple[dict[date, str], bool]:
    """``({day: name}, complete)`` for ``years``: ``complete`` is False when the ``holidays``
    package is missing and the government's transfers of days off are not known."""
    years = sorted(set(years))
    try:
        import holidays
    except ImportError:
        out: dict[date, str] = {}
        for year in years:
            out.update(_fixed(year))
        return out, False
    calendar = holidays.country_holidays("RU", years=years, language="ru")
    return {day: str(name) for day, name in calendar.items()}, True

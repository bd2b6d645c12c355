"""dctc partition names of a DAG run's date, for templates: `{{ dctc_period(logical_date, "day", -6) }}`.

Exported DAGs register `period` as the user-defined macro `dctc_period`, so that a task for day
D can wait for the partitions D-6 … D-1 of a window (its own period comes from the same run).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

FORMATS = {"hour": "%Y-%m-%dT%H", "day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


def period(when: Any, grain: str, offset: int = 0) -> str:
    """The `grain` period containing `when`, moved by `offset` periods, as dctc writes it.

    >>> period(_dt.datetime(2024, 3, 1), "day", -1)
    '2024-02-29'
    >>> period(_dt.datetime(2024, 1, 31), "month", -2)
    '2023-11'
    """
    if grain not in FORMATS:
        raise ValueError(f"grain must be one of {', '.join(FORMATS)}, not {grain!r}")
    if not isinstance(offset, int) or abs(offset) > 1_000_000:
        raise ValueError(f"offset must be a whole number, not {offset!r}")
    if when is None:
        raise ValueError("this run has no logical date (asset-triggered runs have none): give the partition explicitly")
    base = _dt.datetime(when.year, when.month, when.day, getattr(when, "hour", 0))
    if grain == "hour":
        moved = base + _dt.timedelta(hours=offset)
    elif grain == "day":
        moved = base + _dt.timedelta(days=offset)
    elif grain == "month":
        months = base.year * 12 + (base.month - 1) + offset
        moved = base.replace(year=months // 12, month=months % 12 + 1, day=1)
    else:
        moved = base.replace(year=base.year + offset, month=1, day=1)
    return moved.strftime(FORMATS[grain])

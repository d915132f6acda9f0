"""Numbers and lists as printed reports show them: thousands separators, fixed decimals, trims."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

from geo.labels import REPORT_TEXTS

__all__ = ["number", "trim", "MISSING"]

#: What an empty figure prints as (never "nan" or "None").
MISSING = "—"


def number(value: object, decimals: int = 1) -> str:
    """Return ``value`` with thousands separators and ``decimals`` fixed decimals, or "—"."""
    if value is None or isinstance(value, bool):
        return MISSING
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return MISSING
    if math.isnan(x) or math.isinf(x):
        return MISSING
    return f"{x:,.{decimals}f}"


_T = TypeVar("_T")


def trim(items: Sequence[_T], limit: int) -> tuple[list[_T], str]:
    """Return the first ``limit`` items and, when some were left out, "等 N 项" (N: all).

    One item over the limit is shown rather than replaced by the "等 N 项" line it would take.
    """
    if len(items) <= limit + 1:
        return list(items), ""
    return list(items[:limit]), REPORT_TEXTS["more"].format(n=len(items))

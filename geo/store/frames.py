"""Frames to bytes and back, exactly: dtypes, index, missing values and categories as they were.

Parquet keeps numbers, categories, nullable integers and pandas' string dtype, but reads a
column of Python strings (``object``) back as the string dtype and cannot tell ``None`` from
``NaN``, and it loses the categories of a categorical column with no value. :func:`exact_bytes`
therefore records, beside the Parquet, which columns were ``object`` and which missing value
each held, and the categories of each categorical column of text; :func:`exact_frame` puts
them back. ``object`` columns may hold only Python ``str`` cells and one kind of missing value
(a number, a date or a NumPy scalar in an ``object`` column would come back as another type);
the index may not be ``object``. A frame that cannot come back exactly is refused with
:class:`ValueError` before anything is written: the caller keeps computing it.
"""

from __future__ import annotations

import io
import json

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

__all__ = ["exact_bytes", "exact_frame"]

#: How the missing cells of an ``object`` column are written back.
_MISSING = {"none": None, "nan": np.nan}


def _missing_kind(column: pd.Series) -> str:
    """Which missing value an ``object`` column of text holds ("none" when it holds none)."""
    missing = column.isna().to_numpy()
    cells = column.to_numpy()[~missing]
    if not np.fromiter((type(v) is str for v in cells), dtype=bool, count=len(cells)).all():
        raise ValueError(f"column {column.name!r} holds cells other than text")
    gaps = column[missing]
    kinds = {"none" if v is None else "nan" if isinstance(v, float) else "other"
             for v in gaps.drop_duplicates(keep="first").tolist()} if len(gaps) else set()
    if len(kinds) > 1 or "other" in kinds:
        raise ValueError(f"column {column.name!r} mixes missing values ({sorted(kinds)})")
    return kinds.pop() if kinds else "none"


def exact_bytes(frame: pd.DataFrame) -> tuple[bytes, str]:
    """Serialise ``frame`` as (Parquet bytes, layout JSON) that :func:`exact_frame` restores.

    Raises
    ------
    ValueError
        The frame would not come back exactly (see the module docstring); nothing is returned.
    """
    if len(set(map(str, frame.columns))) != len(frame.columns) or not all(
            isinstance(c, str) for c in frame.columns):
        raise ValueError("column names must be distinct strings")
    if frame.index.dtype == object:
        raise ValueError("an object index does not come back exactly")
    objects = {str(c): _missing_kind(frame[c]) for c in frame.columns
               if frame[c].dtype == object and c != getattr(frame, "_geometry_column_name",
                                                            None)}
    buf = io.BytesIO()
    frame.to_parquet(buf, index=True)
    layout = {"geo": isinstance(frame, gpd.GeoDataFrame), "objects": objects,
              "categories": _categories(frame), "epsg": _epsg(frame)}
    return buf.getvalue(), json.dumps(layout, ensure_ascii=False)


def _categories(frame: pd.DataFrame) -> dict[str, tuple[list[str], bool, str]]:
    """Return the categories of each categorical column of text (list, ordered, dtype)."""
    out = {}
    for col in frame.columns:
        dtype = frame[col].dtype
        if isinstance(dtype, pd.CategoricalDtype) and all(
                isinstance(c, str) for c in dtype.categories):
            out[str(col)] = (list(dtype.categories), bool(dtype.ordered),
                             str(dtype.categories.dtype))
    return out


def _epsg(frame: pd.DataFrame) -> int | None:
    """Return the EPSG code of the frame's CRS when the CRS is exactly that code's, else None.

    With None the GeoParquet's own CRS is kept as read.
    """
    crs = getattr(frame, "crs", None) if isinstance(frame, gpd.GeoDataFrame) else None
    code = None if crs is None else crs.to_epsg()
    return code if code is not None and CRS.from_epsg(code) == crs else None


def exact_frame(data: bytes, layout: str) -> pd.DataFrame:
    """Read back what :func:`exact_bytes` wrote (a GeoDataFrame when one was written).

    Raises
    ------
    ValueError
        The bytes or the layout are damaged (not what :func:`exact_bytes` writes).
    """
    try:
        spec = json.loads(layout)
        if not (isinstance(spec, dict) and isinstance(spec.get("objects"), dict)
                and isinstance(spec.get("categories", {}), dict)
                and isinstance(spec.get("epsg"), int | None)):
            raise TypeError("not a layout of exact_bytes")
        frame = (gpd.read_parquet if spec["geo"] else pd.read_parquet)(io.BytesIO(data))
    except (KeyError, TypeError, OSError, json.JSONDecodeError) as err:
        raise ValueError(f"damaged frame: {err}") from err
    if spec["geo"] and spec.get("epsg") is not None:
        frame = frame.set_crs(spec["epsg"], allow_override=True)
    for col, kind in spec["objects"].items():
        if col not in frame.columns or kind not in _MISSING:
            raise ValueError(f"damaged frame layout: column {col!r}")
        values = frame[col].astype(object)
        frame[col] = values.where(values.notna(), _MISSING[kind]).astype(object)
    for col, (names, ordered, dtype) in spec.get("categories", {}).items():
        if col not in frame.columns:
            raise ValueError(f"damaged frame layout: column {col!r}")
        frame[col] = pd.Categorical(frame[col].astype(object), ordered=ordered,
                                    categories=pd.Index(names, dtype=dtype))
    return frame

"""The land-efficiency data model: parcels (宗地) and enterprises, their fields, units, headers.

Canonical internal units: land in m² (shown in 亩, 1 亩 = 10000/15 m²), money in 万元, energy in
吨标准煤, emissions in 吨 (排放当量), electricity in 万千瓦时, staff in persons. Importers map the
many headers officials use onto these fields (:mod:`geo.landuse.headers`) and convert the units
stated in the header or the cell. Each field's own header (that of the input and sample files)
comes from :data:`geo.labels.PARCEL_FIELD_HEADERS` / :data:`geo.labels.ENTERPRISE_FIELD_HEADERS`.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.labels import ENTERPRISE_FIELD_HEADERS, PARCEL_FIELD_HEADERS

__all__ = [
    "Field", "PARCEL_FIELDS", "ENTERPRISE_FIELDS", "PARCEL_STATUSES", "SCALES",
    "CLEARANCE_STATUSES", "CLEARED_STATUSES", "SAMPLE_LABEL", "is_sample_label",
    "split_ids", "id_pairs", "is_in", "index_in", "counts_of", "file_rows",
]

#: Every view, export and metadata sheet built on synthetic data carries this label.
SAMPLE_LABEL = "示例数据（合成，非真实企业/宗地数据）"

#: Production status of a parcel as recorded by land or industry departments.
PARCEL_STATUSES = ("正常", "在建", "停产", "半停产", "闲置", "空置")
#: Scale of an enterprise: 规上 (规模以上, ≥ 2000 万元 revenue) or 规下.
SCALES = ("规上", "规下")
#: Steps of the clearance register (低效用地整治台账).
CLEARANCE_STATUSES = ("待整治", "整治中", "已盘活", "已腾退", "已收储")
#: Statuses that count towards the 盘活腾退 target.
CLEARED_STATUSES = ("已盘活", "已腾退", "已收储")


@dataclass(frozen=True)
class Field:
    """One canonical field.

    Attributes
    ----------
    name : str
        Internal snake_case name.
    label : str
        Chinese header of the input and sample files (from :data:`geo.labels.PARCEL_FIELD_HEADERS`
        or :data:`geo.labels.ENTERPRISE_FIELD_HEADERS`).
    kind : {"id", "text", "number", "int", "year", "date_year", "status", "scale"}
        ``date_year`` is the year of a date or a year (成立日期 2019-05-01 → 2019).
    unit : str
        Canonical unit ("" for none); ``"m2"`` and ``"wan"`` fields accept unit conversion.
    required : bool
    """

    name: str
    label: str
    kind: str
    unit: str = ""
    required: bool = False


def _parcel(name: str, kind: str, unit: str = "", *, required: bool = False) -> Field:
    return Field(name, PARCEL_FIELD_HEADERS[name], kind, unit, required)


def _enterprise(name: str, kind: str, unit: str = "", *, required: bool = False) -> Field:
    return Field(name, ENTERPRISE_FIELD_HEADERS[name], kind, unit, required)


PARCEL_FIELDS = (
    _parcel("parcel_id", "id", required=True),
    _parcel("land_area_m2", "number", "m2"),
    _parcel("land_use", "text"),
    _parcel("floor_area_m2", "number", "m2"),
    _parcel("far", "number"),
    _parcel("status", "status"),
    _parcel("year", "year"),
    _parcel("holder", "text"),
    _parcel("supply_year", "date_year"),
    _parcel("data_label", "text"),
)
ENTERPRISE_FIELDS = (
    _enterprise("credit_code", "id", required=True),
    _enterprise("name", "text"),
    _enterprise("parcel_id", "id"),
    _enterprise("lon", "number"),
    _enterprise("lat", "number"),
    _enterprise("scale", "scale"),
    _enterprise("industry", "text"),
    _enterprise("township", "text"),
    _enterprise("year", "year"),
    _enterprise("land_area_m2", "number", "m2"),
    _enterprise("tax_wan", "number", "wan"),
    _enterprise("value_added_wan", "number", "wan"),
    _enterprise("revenue_wan", "number", "wan"),
    _enterprise("energy_tce", "number"),
    _enterprise("emission_t", "number"),
    _enterprise("power_10k_kwh", "number"),
    _enterprise("employees", "int"),
    _enterprise("rd_wan", "number", "wan"),
    _enterprise("industry_code", "text"),
    _enterprise("tenure", "text"),
    _enterprise("landlord_code", "text"),
    _enterprise("founded_year", "date_year"),
    _enterprise("exempt_reason", "text"),
    _enterprise("data_label", "text"),
)


def file_rows(frame: pd.DataFrame) -> list[int | None]:
    """Return each row's 行号 for report lines: its ``source_row`` (None if not a number).

    Read for all rows at once, not looked up once per line.
    """
    if "source_row" not in frame:
        return [None] * len(frame)
    numbers = pd.to_numeric(frame["source_row"], errors="coerce").to_numpy(dtype=float)
    return [None if math.isnan(v) else int(v) for v in numbers.tolist()]


def is_sample_label(label: object) -> bool:
    """Whether a 数据性质 text marks synthetic 示例数据 (the one test every module uses)."""
    return isinstance(label, str) and "示例" in label


def split_ids(value: object) -> list[str]:
    """Parcel ids of a cell that may list several ("A;B", "A、B", "A，B")."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    for sep in ("；", ";", "、", "，", ","):
        text = text.replace(sep, ";")
    return [p.strip() for p in text.split(";") if p.strip()]


_ID_SEPARATORS = "[；;、，,]"


def _cell_text(value: object) -> str:
    """Return the text :func:`split_ids` reads from a cell ("" for None or NaN)."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


#: The last few (copy of the cells, their buffer, their pairs) of :func:`id_pairs`: one analysis
#: reads the same parcel-id column five times (land, links, first parcel, holders, class lists).
#: The buffer's address finds a candidate; the pairs are reused only when every cell is still
#: the object it was (a write in place, which copy-on-write allows when nothing else refers to
#: the column, puts another object there).
_PAIRS: list[tuple[np.ndarray, tuple[int, tuple[int, ...], tuple[int, ...]], pd.DataFrame]] = []
_PAIRS_KEEP = 4
_PAIRS_LOCK = threading.Lock()


def id_pairs(values: pd.Series) -> pd.DataFrame:
    """Every parcel id of every cell, as :func:`split_ids` reads them, in one pass.

    A column of objects read a moment ago is not read again (see :data:`_PAIRS`).

    Vectorised (pyarrow) equivalent of ``values.map(lambda v: list(dict.fromkeys(split_ids(v))))``
    exploded: the ids of each cell in order, each once per cell.

    Returns
    -------
    DataFrame
        ``pos`` (int64 position of the cell in ``values``) and ``parcel_id`` (str), ordered by
        ``pos`` then by place in the cell; a cell without ids gives no row.
    """
    held_arrow = _arrow_cells(values)
    if held_arrow is not None:
        return _arrow_id_pairs(values, held_arrow)
    cells = values.to_numpy() if values.dtype == np.dtype(object) else None
    if cells is None:
        return _id_pairs(values)
    key = (int(cells.__array_interface__["data"][0]), cells.shape, cells.strides)
    with _PAIRS_LOCK:
        held = [(c, p) for c, k, p in _PAIRS if k == key]
    for copy, pairs in held:
        if _same_objects(copy, cells):
            return pairs.copy(deep=False)
    pairs = _id_pairs(values)
    with _PAIRS_LOCK:
        _PAIRS.append((cells.copy(), key, pairs))
        del _PAIRS[:-_PAIRS_KEEP]
    return pairs.copy(deep=False)


#: The last few (Arrow text, its buffers, its pairs) of :func:`id_pairs` on a column of
#: pandas' ``str`` dtype. Arrow buffers are never written in place, and the text held here
#: keeps them alive (so their addresses are not reused): the same buffers are the same cells.
_ARROW_PAIRS: list[tuple[pa.ChunkedArray, tuple, pd.DataFrame]] = []


def _arrow_cells(values: pd.Series) -> pa.ChunkedArray | None:
    """Return the Arrow text behind a column of pandas' ``str`` dtype (None for others)."""
    dtype = values.dtype
    if not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow":
        return None
    held = pa.array(values.array)
    return held if isinstance(held, pa.ChunkedArray) else pa.chunked_array([held])


def _buffers_key(text: pa.ChunkedArray) -> tuple:
    return tuple((c.offset, len(c), tuple(0 if b is None else b.address for b in c.buffers()))
                 for c in text.chunks)


def _arrow_id_pairs(values: pd.Series, text: pa.ChunkedArray) -> pd.DataFrame:
    """:func:`id_pairs` of a ``str`` column, reused while its Arrow buffers are the same."""
    key = _buffers_key(text)
    with _PAIRS_LOCK:
        held = [p for _, k, p in _ARROW_PAIRS if k == key]
    if held:
        return held[0].copy(deep=False)
    pairs = _id_pairs(values)
    with _PAIRS_LOCK:
        _ARROW_PAIRS.append((text, key, pairs))
        del _ARROW_PAIRS[:-_PAIRS_KEEP]
    return pairs.copy(deep=False)


def _same_objects(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two object arrays hold the very same objects, place by place."""
    if a.shape != b.shape:
        return False
    ids = np.frompyfunc(id, 1, 1)
    return bool((ids(a) == ids(b)).all())


def _id_pairs(values: pd.Series) -> pd.DataFrame:
    arrow = _arrow_cells(values)
    if arrow is not None:
        text = pc.fill_null(arrow.combine_chunks().cast(pa.large_string()), "")
    elif isinstance(values.dtype, pd.StringDtype):
        text = pa.array(values.to_numpy(dtype=object, na_value=""), type=pa.large_string())
    elif pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        # text or missing only (None / NaN; pd.NA, which split_ids would read as "<NA>" — an
        # id no parcel has — gives no id here)
        cells = values.to_numpy(dtype=object)
        missing = pd.isna(cells)
        if missing.any():
            cells = cells.copy()
            cells[missing] = ""
        text = pa.array(cells, type=pa.large_string())
    else:
        text = pa.array([v if isinstance(v, str) else _cell_text(v) for v in values],
                        type=pa.large_string())
    lists = pc.split_pattern_regex(pc.replace_substring_regex(text, _ID_SEPARATORS, ";"), ";")
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    ids = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    kept = pc.not_equal(pc.utf8_length(ids), 0)
    keep = kept.to_numpy(zero_copy_only=False)
    pos = parents[keep]
    found = ids.filter(kept)  # the ids stay in Arrow: a str column, object when there are none
    out = pd.DataFrame({"pos": pos, "parcel_id": pd.array(found, dtype="str") if len(found)
                        else np.empty(0, dtype=object)})
    several = np.bincount(pos)[pos] > 1 if len(pos) else np.zeros(0, dtype=bool)
    if not several.any():  # a cell of one id cannot list it twice
        return out
    repeated = np.zeros(len(out), dtype=bool)
    repeated[several] = out[several].duplicated(["pos", "parcel_id"]).to_numpy()
    return out[~repeated].reset_index(drop=True)


def _arrow_text(values: object) -> pa.Array | None:
    """``values`` as one arrow string array, or None when they are not all text or missing."""
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_null(arr.type):
        return arr.cast(pa.large_string())
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr.cast(pa.large_string())
    return None


def text_if_all_text(values: pd.Series) -> pd.Series:
    """Return ``values`` as pandas' ``str`` when every cell is text or missing, else as given.

    Ids read from files are text; a caller's column of numbers is left as it is, never turned
    into "1234.0".
    """
    text = _arrow_text(values.to_numpy(dtype=object))
    if text is None:
        return values
    return pd.Series(pd.array(text, dtype="str"), index=values.index, name=values.name)


def index_in(values: object, known: object) -> np.ndarray:
    """Position in ``known`` (unique) of each of ``values``, −1 when absent (as get_indexer)."""
    varr, karr = _arrow_text(values), _arrow_text(known)
    if varr is None or karr is None or karr.null_count or varr.null_count:
        return np.asarray(pd.Index(known).get_indexer(pd.Index(values)))
    found = pc.index_in(varr, value_set=karr)
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def is_in(values: object, known: object) -> np.ndarray:
    """``values.isin(known)`` as a bool array, hashed in arrow when both are text."""
    varr, karr = _arrow_text(values), _arrow_text(known)
    if varr is None or karr is None:
        index = pd.Index(known)
        if not index.is_unique:
            index = index.unique()
        return np.asarray(index.get_indexer(pd.Index(values)) >= 0)
    # a missing value is in no set of parcel ids (as pandas, unless the set has one too)
    found = pc.is_in(varr, value_set=karr, skip_nulls=not karr.null_count)
    return np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def counts_of(values: object) -> np.ndarray:
    """How often each value occurs among ``values`` (``values.map(values.value_counts())``)."""
    arr = _arrow_text(values)
    if arr is None or arr.null_count:
        series = pd.Series(values)
        return series.map(series.value_counts()).to_numpy()
    codes = pc.dictionary_encode(arr).indices.to_numpy(zero_copy_only=False)
    return np.bincount(codes)[codes] if len(codes) else np.zeros(0, dtype=np.int64)

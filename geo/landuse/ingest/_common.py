"""What both importers share: the result, report lines, value parsing, row checks."""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from geo._errors import DataImportError
from geo.crs import within
from geo.io.quantities import (
    DIMENSIONS,
    MISSING_MARKERS,
    header_key,
    is_missing,
    normalise_text,
    parse_date_year,
    parse_number,
    parse_year,
    to_canonical,
)
from geo.io.safefile import MAX_BYTES, MAX_UNZIPPED_BYTES
from geo.io.tables import DATE_CELL, TableMeta, read_table
from geo.labels import (
    ENTERPRISE_FIELD_HEADERS,
    PARCEL_FIELD_HEADERS,
    REPORT_COLUMNS,
    REPORT_LEVELS,
)
from geo.landuse.headers import (
    FIELDS,
    SCALE_LOOKUP,
    STATUS_LOOKUP,
    ColumnMap,
    HeaderMapping,
    looks_like_header,
    map_headers,
)
from geo.landuse.model import PARCEL_STATUSES, SCALES, Field

#: The columns of :attr:`ImportResult.report` (:data:`geo.labels.REPORT_COLUMNS`), by name.
FILE, ROW, RECORD, FIELD, VALUE, PROBLEM, ACTION, LEVEL = REPORT_COLUMNS

_ERROR, _WARN, _INFO = REPORT_LEVELS["error"], REPORT_LEVELS["warning"], REPORT_LEVELS["info"]
_DROP_ROW = "未导入该行"
_SET_NAN = "置空"
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?e[+-]?\d+$", re.IGNORECASE)
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_TOTAL_WORDS = frozenset({"合计", "总计", "小计", "总合计", "全市合计", "total", "subtotal"})
_AREA_MISMATCH = 0.5  # stated vs measured parcel area: warn when they differ by more than 50 %

_NON_NEGATIVE = frozenset({"floor_area_m2", "far", "energy_tce", "emission_t", "power_10k_kwh",
                           "employees", "rd_wan"})
_POSITIVE = frozenset({"land_area_m2"})


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class ImportResult:
    """An import: canonical data, the report of what could not be used, and how headers mapped.

    Attributes
    ----------
    data : DataFrame or GeoDataFrame
        Canonical columns (EPSG:4326 geometry for parcels, points for located enterprises),
        plus ``source_row`` (the file row of each record).
    report : DataFrame
        Columns :data:`REPORT_COLUMNS`; 级别 is 错误 (row or value not used), 警告 (used after
        a repair or with a doubt) or 提示 (information).
    mapping : HeaderMapping
    source : str
        File name.
    kind : {"parcel", "enterprise"}
    rows_read : int
        Data rows (or features) in the file.
    """

    data: pd.DataFrame
    report: pd.DataFrame
    mapping: HeaderMapping
    source: str
    kind: str
    rows_read: int

    def summary(self) -> str:
        """Short Chinese summary: rows read, imported, left out, values emptied, and why."""
        noun = "宗宗地" if self.kind == "parcel" else "条企业记录"
        rep = self.report
        dropped = rep[rep[ACTION] == _DROP_ROW]
        nulled = rep[rep[ACTION].str.startswith(_SET_NAN)]
        n_warn, n_info = int((rep[LEVEL] == _WARN).sum()), int((rep[LEVEL] == _INFO).sum())
        lines = [f"{self.source}：读取 {self.rows_read} 行，导入 {len(self.data)} {noun}；"
                 f"未导入 {len(dropped)} 行，置空 {len(nulled)} 个值，"
                 f"警告 {n_warn} 条，提示 {n_info} 条。"]
        for title, part in (("未导入", dropped), ("置空", nulled)):
            if len(part):
                counts = part[PROBLEM].map(_problem_kind).value_counts()
                lines.append(f"  {title}：" + "；".join(f"{k} {v}" for k, v in counts.items()))
        return "\n".join(lines)


def _problem_kind(problem: str) -> str:
    return re.split(r"[（(：:“]", problem, maxsplit=1)[0]


# --------------------------------------------------------------------------- values


def read_source(path: str | os.PathLike[str], *, sheet: str | None = None,
                layer: str | None = None, max_bytes: int = MAX_BYTES,
                max_unzipped_bytes: int = MAX_UNZIPPED_BYTES) -> tuple[pd.DataFrame, TableMeta]:
    """Read a parcel or enterprise file safely, recognising this domain's header rows.

    :func:`geo.io.tables.read_table` with :func:`geo.landuse.headers.looks_like_header` as the
    header predicate, the cells held in Arrow (``str`` dtype); raises
    :class:`geo._errors.DataImportError` as it does.
    """
    return read_table(path, sheet=sheet, layer=layer, is_header=looks_like_header,
                      max_bytes=max_bytes, max_unzipped_bytes=max_unzipped_bytes, text="arrow")


def report_line(file: str, row: int | None, field: str, value: object, problem: str,
                action: str, level: str = _ERROR, *, record: str = "") -> dict[str, object]:
    """Return one line of a validation report, keyed by :data:`REPORT_COLUMNS`.

    Parameters
    ----------
    file : str
        File name.
    row : int or None
        File row (行号) the line is about; None for the whole file.
    field : str
        Source header (or field) concerned; "" for none.
    value : object
        The cell as read (None gives "").
    problem, action : str
        What is wrong, and what was done about it.
    level : str
        级别: :data:`geo.labels.REPORT_LEVELS` (default 错误).
    record : str, keyword-only
        记录: the record the line is about, its id and name where known ("P07",
        "91330200MA2AAAAA0X 甲公司"; the raw id text when the id is unusable); "" for none.
    """
    return dict(zip(REPORT_COLUMNS, (file, row, record, field,
                                     "" if value is None else str(value), problem, action,
                                     level), strict=True))


def record_of(key: object, name: object = None) -> str:
    """Return the 记录 text of a record: its id (or raw id text) and its name, where known."""
    parts = [normalise_text(v) for v in (key, name) if v is not None and not is_missing(v)]
    return " ".join(dict.fromkeys(p for p in parts if p))


def _parse_vocab(text: str, lookup: Mapping[str, str], allowed: Sequence[str], what: str
                 ) -> tuple[str | None, str]:
    if is_missing(text):
        return None, ""
    hit = lookup.get(header_key(text))
    if hit is None:
        return None, f"{what}“{normalise_text(text)}”无法对应（可用：{'、'.join(allowed)}）"
    return hit, ""


#: How a year field is read: a year, or the year of a date (成立日期, 供地时间).
_YEAR_PARSERS = {"year": parse_year, "date_year": parse_date_year}


def _parse_value(text: str, field: Field, col: ColumnMap) -> tuple[object, str]:
    """(value or None, problem) for one cell of a non-id field."""
    if field.kind == "geometry":
        return (None, "") if is_missing(text) else (normalise_text(text), "")
    if field.kind == "text":  # names keep their characters (全角括号 stay); only spaces tidied
        return (None, "") if is_missing(text) else (" ".join(str(text).split()), "")
    if field.kind in _YEAR_PARSERS:
        return _YEAR_PARSERS[field.kind](text)
    if field.kind == "status":
        return _parse_vocab(text, STATUS_LOOKUP, PARCEL_STATUSES, PARCEL_FIELD_HEADERS["status"])
    if field.kind == "scale":
        return _parse_vocab(text, SCALE_LOOKUP, SCALES, ENTERPRISE_FIELD_HEADERS["scale"])
    value, problem = to_canonical(text, dimension=DIMENSIONS.get(field.name),
                                  header_factor=col.factor)
    if problem:
        return None, f"数值无法识别：{problem}" if problem == "不是数字" else problem
    if value is None:
        return None, ""
    if field.name in _POSITIVE and value <= 0:
        return None, "面积为零或负数"
    if field.name in _NON_NEGATIVE and value < 0:
        return None, f"{field.label}为负数"
    return value, ""


def _parse_id(text: str, *, credit: bool) -> tuple[str | None, str]:
    """Return (id or None, why the id cannot be used) for one id cell.

    Ids Excel damaged are refused: stored as a number in scientific notation (digits lost), or
    turned into a date ("3-12" → 2024-03-12), which the reader writes as a date and time
    (:data:`geo.io.tables.DATE_CELL`) — a text id such as "2024-03-12A" is kept.
    """
    t = normalise_text(text)
    if is_missing(t):
        return None, "缺少编号" if not credit else "缺少统一社会信用代码"
    if _SCIENTIFIC.match(t.replace(" ", "")):
        return None, ("编号已被 Excel 存成科学计数法数字，后几位已丢失（损坏的编号）；"
                      "请把该列设为文本后重新录入")
    date = DATE_CELL.match(t)
    if date:
        day, time = date.group(1, 2)
        shown = day if time == "00:00:00" else f"{day} {time}"
        problem = ("统一社会信用代码像是被 Excel 转成了日期" if credit
                   else "编号像是被 Excel 转成了日期")
        return None, f"{problem}（{shown}）：请把该列设为文本后重新录入"
    if not credit:
        return t, ""
    code = re.sub(r"[\s\-]", "", t).upper()
    if len(code) != 18:
        return None, f"统一社会信用代码不是18位（{len(code)}位）"
    if not _CREDIT_CODE.match(code):
        return None, "统一社会信用代码含有不允许的字符（只用数字和除 I、O、Z、S、V 外的大写字母）"
    return code, ""


def arrow_texts(values: object) -> pa.Array:
    """Return cell texts as one Arrow string array (null where a cell holds no text).

    A column of pandas' ``str`` dtype (how :func:`read_source` holds cells) is handed over
    without a Python object per cell; other sequences are converted.
    """
    if isinstance(values, pd.Series | pd.Index) and _arrow_str(values):
        values = pa.array(values.array)
    elif isinstance(values, pd.api.extensions.ExtensionArray) and _arrow_str(values):
        values = pa.array(values)  # e.g. what .unique() gives of a str column
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if isinstance(values, pa.Array):
        return values.cast(pa.large_string()) if values.type != pa.large_string() else values
    items = values if isinstance(values, np.ndarray) else list(values)  # type: ignore[call-overload]
    return pa.array(items, type=pa.large_string(), from_pandas=True)


class _Cells(Mapping[str, Mapping[int, str]]):
    """Column → {file row → text}, each column's dict built only when it is first asked for.

    Plain dicts are much faster than ``DataFrame.at`` in loops; building them lazily keeps a
    large file from holding a dict of every column at once. :meth:`arrow` gives a column's
    cells in row order as Arrow text (no Python object per cell), :meth:`texts` the cells of
    some rows.
    """

    def __init__(self, table: pd.DataFrame, columns: Sequence[str]) -> None:
        self._table = table
        self._columns = list(columns)
        self._built: dict[str, dict[int, str]] = {}
        self._arrow: dict[str, pa.Array] = {}

    def __getitem__(self, column: str) -> dict[int, str]:
        if column not in self._built:
            if column not in self._columns:
                raise KeyError(column)
            self._built[column] = dict(zip(self._table.index, self._table[column].tolist(),
                                           strict=True))
        return self._built[column]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def arrow(self, column: str) -> pa.Array:
        """Return the cells of ``column`` in row order, as Arrow text."""
        if column not in self._arrow:
            if column not in self._columns:
                raise KeyError(column)
            self._arrow[column] = arrow_texts(self._table[column])
        return self._arrow[column]

    def series(self, column: str) -> pd.Series:
        """Return the cells of ``column`` in row order as the table holds them (``str``)."""
        if column not in self._columns:
            raise KeyError(column)
        return self._table[column]

    def texts(self, column: str, rows: Sequence[int]) -> pa.Array:
        """Return the cells of ``column`` on ``rows`` (file rows of the table), as Arrow text."""
        return self.arrow(column).take(pa.array(_positions(self._table.index, rows)))

    @property
    def rows(self) -> np.ndarray:
        """The file rows, in order."""
        return self._table.index.to_numpy()


class RowValues(Mapping[int, object]):
    """File row → parsed value of one column, held as one array.

    The array is an object array, a float array (numbers; NaN where a row has none) or Arrow
    text (null where a row has none); looked up row by row, a row without a value gives None
    whichever it is. A dict is built only when a single row is looked up; :func:`take`,
    :func:`take_floats` and :func:`take_texts` read many rows at once without it.
    """

    def __init__(self, rows: pd.Index, values: np.ndarray | pa.Array) -> None:
        self._rows = rows
        self._values = values
        self._dict: dict[int, object] | None = None

    def _lookup(self) -> dict[int, object]:
        if self._dict is None:
            self._dict = dict(zip(self._rows.tolist(), _as_objects(self._values).tolist(),
                                  strict=True))
        return self._dict

    def __getitem__(self, row: int) -> object:
        return self._lookup()[row]

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows.tolist())

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, row: object) -> bool:
        return row in self._rows

    @property
    def index(self) -> pd.Index:
        """The file rows held, in order."""
        return self._rows

    @property
    def array(self) -> np.ndarray | pa.Array:
        """The values of :attr:`index`, in order."""
        return self._values

    def take(self, rows: Sequence[int]) -> np.ndarray:
        """Return the values of ``rows`` in order, as an object array (None if not held)."""
        at = _positions(self._rows, rows)
        if isinstance(self._values, pa.Array):
            return _as_objects(self._values.take(pa.array(at, mask=at < 0)))
        padded = np.empty(len(self._values) + 1, dtype=object)  # the last: None for −1
        padded[:-1] = _as_objects(self._values)
        return padded[at]

    def floats(self, rows: Sequence[int]) -> np.ndarray:
        """Return the values of ``rows`` as floats (NaN where none)."""
        if isinstance(self._values, np.ndarray) and self._values.dtype.kind == "f":
            at = _positions(self._rows, rows)
            return np.append(self._values, np.nan)[at]
        return _floats(self.take(rows))

    def texts(self, rows: Sequence[int]) -> pa.Array:
        """Return the values of ``rows`` as Arrow text (null where none)."""
        if isinstance(self._values, pa.Array):
            at = _positions(self._rows, rows)
            return self._values.take(pa.array(at, mask=at < 0))
        return arrow_texts(self.take(rows))


def _as_objects(values: np.ndarray | pa.Array) -> np.ndarray:
    """Return values as an object array, None where a value is missing (NaN, null)."""
    if isinstance(values, pa.Array):
        return np.asarray(values.to_pylist(), dtype=object) if values.null_count else \
            values.to_numpy(zero_copy_only=False).astype(object, copy=False)
    if values.dtype.kind == "f":
        out = values.astype(object)
        out[np.isnan(values)] = None
        return out
    return values


def _floats(values: np.ndarray) -> np.ndarray:
    """Return an object array of numbers and None as floats (NaN for None)."""
    return np.array([np.nan if v is None else v for v in values.tolist()], dtype=float)


#: The last (index, rows, positions) of :func:`_positions`: the columns of one table are read
#: for the same rows one after another.
_LAST_POSITIONS: tuple[pd.Index, Sequence[int], np.ndarray] | None = None


def _positions(index: pd.Index, rows: Sequence[int]) -> np.ndarray:
    """Position of each of ``rows`` in ``index`` (−1 where absent), reused for the same pair."""
    global _LAST_POSITIONS
    last = _LAST_POSITIONS
    if last is not None and last[0] is index and last[1] is rows:
        return last[2]
    at = np.asarray(index.get_indexer(pd.Index(rows, dtype=index.dtype)))
    _LAST_POSITIONS = (index, rows, at)
    return at


def take(values: Mapping[int, object] | None, rows: Sequence[int]) -> np.ndarray:
    """Return the values of ``rows`` from a row → value mapping, as an object array.

    None where a row is absent or has no value.
    """
    if isinstance(values, RowValues):
        return values.take(rows)
    out = np.empty(len(rows), dtype=object)
    if values:
        out[:] = list(map(values.get, rows))
    return out


def take_floats(values: Mapping[int, object] | None, rows: Sequence[int]) -> np.ndarray:
    """Return the numbers of ``rows`` from a row → value mapping, as floats (NaN where none)."""
    if isinstance(values, RowValues):
        return values.floats(rows)
    if not values:  # a field the file does not have
        return np.full(len(rows), np.nan)
    return _floats(take(values, rows))


def take_texts(values: Mapping[int, object] | None, rows: Sequence[int]) -> pa.Array:
    """Return the texts of ``rows`` from a row → value mapping as Arrow text (null: none)."""
    if isinstance(values, RowValues):
        return values.texts(rows)
    return arrow_texts(take(values, rows))


def text_column(texts: pa.Array) -> pd.Series:
    """Return Arrow text as the column a list of the same texts and None gives pandas.

    ``str`` dtype (None as NaN) when it holds a text; object (None) when it holds none or no
    rows — as ``pd.Series`` infers a column from a list.
    """
    if len(texts) == 0 or texts.null_count == len(texts):
        return pd.Series([None] * len(texts), dtype=object)
    return pd.Series(pd.array(texts, dtype="str"))


def _cells(table: pd.DataFrame, columns: Sequence[str]) -> _Cells:
    """Column → {file row → text} (:class:`_Cells`), for the loops over rows."""
    return _Cells(table, columns)


#: Cells that may hide a "no value" mark or a 合计 word are at most this long (after NFKC a
#: longer cell without composed characters cannot become one of :data:`MISSING_MARKERS`).
_SHORT = 4
#: A text that can be a 合计/总计/小计 word: every word of :data:`_TOTAL_WORDS` holds 计 or a
#: t; a cell of ASCII and CJK ideographs only (which NFKC leaves alone) holding neither is none.
_MAYBE_TOTAL = "[计tT]|[^\x01-\x7f\u4e00-\u9fff]"
#: The characters :meth:`str.isspace` (and so :meth:`str.split`) takes for white space, as a
#: class the Arrow (RE2) regex engine reads the same way (its ``\\s`` is ASCII only).
_SPACE = "[" + "".join(map(chr, (0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85,
                                 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029,
                                 0x202F, 0x205F, 0x3000))) + "]"
#: Scientific notation in ASCII digits (the fast id paths see ASCII only).
_PLAIN_SCIENTIFIC = r"[+-]?[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+"


def _str_series(texts: Sequence[str] | np.ndarray | pa.Array) -> pd.Series:
    """Return cell texts as an Arrow-backed string Series.

    Its ``.str`` methods (``fullmatch``, ``contains``, ``len``) then run over the whole
    column in Arrow, not once per cell in Python as on an object Series.
    """
    if isinstance(texts, pa.Array | pa.ChunkedArray):
        return pd.Series(pd.array(texts, dtype="str"))
    return pd.Series(texts if isinstance(texts, np.ndarray) else list(texts), dtype="str")


#: A plain decimal number, ASCII only: read by the fast path exactly as :func:`parse_number`.
_PLAIN_NUMBER = r"[+-]?[0-9]+(?:\.[0-9]+)?"


def _total_rows(cells: Mapping[str, Mapping[int, str]]) -> set[int]:
    """Rows that are 合计/总计/小计 lines (any cell says so).

    Only the short cells that may spell a total word (:data:`_MAYBE_TOTAL`, found over the
    whole column in Arrow) go through :func:`header_key`, each distinct text once.
    """
    rows: set[int] = set()
    for name in cells:
        if isinstance(cells, _Cells):
            found, at = cells.arrow(name), cells.rows
        else:
            col = cells[name]
            found = arrow_texts(np.asarray(list(col.values()), dtype=object))
            at = np.fromiter(col.keys(), dtype=np.int64, count=len(col))
        length = pc.utf8_length(found)
        maybe = np.flatnonzero(pc.and_(pc.and_(pc.greater_equal(length, 1),
                                               pc.less_equal(length, 16)),
                                       pc.match_substring_regex(found, _MAYBE_TOTAL))
                               .fill_null(False).to_numpy(zero_copy_only=False))
        if not len(maybe):
            continue
        texts = found.take(pa.array(maybe, pa.int64())).to_pylist()
        totals = {t for t in set(texts) if header_key(t) in _TOTAL_WORDS}
        if totals:
            rows.update(at[maybe[[t in totals for t in texts]]].tolist())
    return rows


def _unitless_cells(texts: Sequence[str]) -> np.ndarray:
    """Tell, per cell, whether it states no unit of its own (as :func:`parse_number` reads it).

    Plain numbers state none; only the other cells are read by :func:`parse_number`.
    """
    t = _str_series(texts)
    out = t.str.fullmatch(_PLAIN_NUMBER).fillna(False).to_numpy(dtype=bool, copy=True)
    for i in np.flatnonzero(~out).tolist():
        out[i] = not parse_number(texts[i]).unit
    return out


def _fast_numbers(texts: pd.Series, field: Field, col: ColumnMap) -> tuple[np.ndarray, np.ndarray]:
    """Read plain numbers ("1234.5", "-3") at once: (values × header factor, which were read).

    A cell read here gives the same value as :func:`_parse_value`; every other cell (units,
    separators, full-width digits, marks, a value out of range or of the wrong sign) is left
    to it.
    """
    ok = texts.str.fullmatch(_PLAIN_NUMBER).fillna(False).to_numpy(dtype=bool, copy=True)
    values = np.full(len(texts), np.nan)
    if ok.any():  # Arrow reads decimals correctly rounded, as float() does
        read = pc.cast(arrow_texts(texts).filter(pa.array(ok)), pa.float64())
        with np.errstate(over="ignore", invalid="ignore"):
            values[ok] = read.to_numpy(zero_copy_only=False) * col.factor
    ok &= np.isfinite(values)
    if field.name in _POSITIVE:
        ok &= values > 0
    elif field.name in _NON_NEGATIVE:
        ok &= values >= 0
    return values, ok


def _fast_texts(texts: pd.Series) -> np.ndarray:
    """Which text cells are kept as they are: no white space to tidy, too long to be a mark."""
    return (~texts.str.contains(_SPACE, regex=True).fillna(True) &
            (texts.str.len() > _SHORT)).to_numpy(dtype=bool, copy=True)


def _parse_texts(texts: pd.Series, field: Field, col: ColumnMap
                 ) -> tuple[np.ndarray | pa.Array, list[str]]:
    """Parse distinct cell texts of one column: the value and the problem of each, in order.

    The values are floats for numbers (NaN where none), Arrow text for text fields (null
    where none) and an object array (None where none) for the others. Plain numbers and
    plain names are read at once (:func:`_fast_numbers`, :func:`_fast_texts`);
    :func:`_parse_value` reads only the others, so every problem and value is the one it
    gives.
    """
    problems = [""] * len(texts)
    if field.kind in ("number", "int"):
        numbers, ok = _fast_numbers(texts, field, col)
        numbers[~ok] = np.nan
    elif field.kind == "text":
        ok = _fast_texts(texts)
    else:
        ok = np.zeros(len(texts), dtype=bool)
    slow = np.flatnonzero(~ok)
    parsed: list[object] = [None] * len(slow)
    for j, (i, raw) in enumerate(zip(slow.tolist(), texts.iloc[slow].tolist(), strict=True)):
        parsed[j], problems[i] = _parse_value(raw, field, col)
    if field.kind in ("number", "int"):
        numbers[slow] = [np.nan if v is None else v for v in parsed]
        return numbers, problems
    if field.kind == "text":
        kept = arrow_texts(texts)
        if not len(slow):
            return kept, problems
        fixed = pa.array(parsed, pa.large_string())
        return pc.replace_with_mask(kept, pa.array(~ok), fixed), problems
    out = np.empty(len(texts), dtype=object)
    out[slow] = parsed
    return out, problems


def _per_row(parsed: np.ndarray | pa.Array, codes: np.ndarray) -> np.ndarray | pa.Array:
    """Return each row's value from the values of the distinct texts (code −1: none)."""
    if isinstance(parsed, pa.Array):
        return parsed.take(pa.array(codes, mask=codes < 0))
    if parsed.dtype.kind == "f":
        return np.append(parsed, np.nan)[codes]
    padded = np.empty(len(parsed) + 1, dtype=object)
    padded[:-1] = parsed
    return padded[codes]


def _factorised(column: object) -> tuple[np.ndarray, pa.Array]:
    """Return each cell's code and the distinct texts in order of first appearance.

    Code −1 for a cell holding no text. The codes are int64 (Arrow gives int32), so keys
    built from them (id × year in :func:`_first_of_each`) cannot wrap past 2³¹.
    """
    encoded = pc.dictionary_encode(arrow_texts(column))
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return codes.astype(np.int64, copy=False), encoded.dictionary


def _parse_fields(table: pd.DataFrame, mapping: HeaderMapping, kind: str, file: str,
                  cells: _Cells | None = None
                  ) -> tuple[dict[str, Mapping[int, object]], list[dict]]:
    """Parse every mapped non-id column; values by field and row, and problem lines.

    Plain numbers and plain texts are read over the whole column at once; the other cells
    are factorised and each of their distinct texts is parsed once (:func:`_parse_texts`),
    so every value and problem is the one :func:`_parse_value` gives. The report has one
    line per row with a problem, in row order.
    """
    fields = FIELDS[kind]
    values: dict[str, Mapping[int, object]] = {}
    lines: list[dict] = []
    index = table.index.to_numpy()
    rows = pd.Index(index)  # one index, hashed once, for every column's RowValues
    for col in mapping.columns:
        field = fields[col.field]
        if field.kind in ("id", "geometry"):
            continue
        texts = cells.series(col.source) if cells is not None else table[col.source]
        parsed, problems = _parse_column(texts, field, col)
        values[col.field] = RowValues(rows, parsed)
        for i, (shown, problem) in problems.items():
            lines.append(report_line(file, int(index[i]), col.source, shown, problem, _SET_NAN))
    return values, lines


def _parse_column(texts: pd.Series, field: Field, col: ColumnMap
                  ) -> tuple[np.ndarray | pa.Array, dict[int, tuple[str, str]]]:
    """Parse one column: each row's value and, by row position, (cell text, problem).

    Values as :func:`_parse_texts` gives them. Plain numbers and plain names are read over
    the whole column (:func:`_fast_numbers`, :func:`_fast_texts`); the rest are factorised
    and read once per distinct text.
    """
    cells = arrow_texts(texts)
    if not _arrow_str(texts):
        texts = _str_series(cells)
    n = len(texts)
    if field.kind in ("number", "int"):
        numbers, ok = _fast_numbers(texts, field, col)
    elif field.kind == "text":
        ok = _fast_texts(texts)
    else:
        ok = np.zeros(n, dtype=bool)
    slow = np.flatnonzero(~ok)
    codes, uniques = _factorised(cells if len(slow) == n else cells.take(pa.array(slow)))
    parsed, distinct_problems = _parse_texts(_str_series(uniques), field, col)
    bad = [i for i, p in enumerate(distinct_problems) if p]
    problems: dict[int, tuple[str, str]] = {}
    if bad:
        shown = dict(zip(bad, uniques.take(pa.array(bad)).to_pylist(), strict=True))
        for i, code in zip(*_where_in(codes, bad), strict=True):
            problems[int(slow[i])] = (shown[code], distinct_problems[code])
    slow_values = _per_row(parsed, codes)
    if field.kind in ("number", "int"):
        numbers[~ok] = np.nan
        numbers[slow] = slow_values
        return numbers, problems
    if field.kind == "text":
        if not len(slow):
            return cells, problems
        return pc.replace_with_mask(cells, pa.array(~ok), slow_values), problems
    if len(slow) == n:
        return slow_values, problems
    out = np.empty(n, dtype=object)
    out[slow] = slow_values
    return out, problems


def _where_in(codes: np.ndarray, wanted: list[int]) -> tuple[list[int], list[int]]:
    """Positions of ``codes`` whose code is in ``wanted``, and those codes."""
    at = np.flatnonzero(np.isin(codes, wanted))
    return at.tolist(), codes[at].tolist()


def _arrow_str(values: pd.Series | pd.Index | pd.api.extensions.ExtensionArray) -> bool:
    """Whether ``values`` are pandas' ``str`` held in Arrow (handed over without a copy)."""
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def _header_lines(mapping: HeaderMapping, meta: TableMeta) -> list[dict]:
    row = meta.header_rows[-1] if meta.header_rows else None
    lines = [report_line(meta.source, r, "", "", note, "", _INFO) for r, note in meta.notes]
    for header, why in mapping.ignored:
        lines.append(report_line(meta.source, row, header, "", why, "该列未导入",
                                 _INFO if why == "表头未识别" else _WARN))
    for c in mapping.columns:
        if c.assumed:
            lines.append(report_line(meta.source, row, c.source, "", c.note, _ASSUMED_UNIT,
                                     _INFO))
    return lines


#: Action of the header line for a column whose unit is not stated (until it is decided).
_ASSUMED_UNIT = "按标准单位导入"


def restate_unit(lines: list[dict], col: ColumnMap, problem: str, unit: str) -> None:
    """Rewrite the header line that said ``col``'s unit was missing: say how it was decided.

    The line keeps why the unit was missing (``col.note`` up to its assumption) followed by
    ``problem``, and becomes a 警告 whose action names the unit taken.
    """
    why = col.note.split("，按")[0]
    for ln in lines:
        if ln[FIELD] == col.source and ln[ACTION] == _ASSUMED_UNIT:
            ln.update({PROBLEM: f"{why}；{problem}", ACTION: f"按{unit}导入", LEVEL: _WARN})


def _require(mapping: HeaderMapping, table: pd.DataFrame, meta: TableMeta) -> None:
    missing = mapping.missing_required()
    if mapping.kind == "enterprise" and "credit_code" in missing:
        code, name = ENTERPRISE_FIELD_HEADERS["credit_code"], ENTERPRISE_FIELD_HEADERS["name"]
        found = "、".join(map(str, table.columns[:20])) or "无"
        problem = f"企业文件既没有“{code}”列，也没有“{name}”列，无法识别企业（现有表头：{found}）"
        fix = (f"请把识别企业的列命名为“{code}”（首选）或“{name}”，或在“数据导入”页的"
               f"“表头识别与单位”中指定（命令行 --enterprise-map '表头=credit_code'）")
        raise DataImportError(problem, file=meta.source, field=code, fix=fix, zh=(problem, fix))
    if missing:
        label = FIELDS[mapping.kind][missing[0]].label
        found = "、".join(map(str, table.columns[:20])) or "none"
        found_zh = "、".join(map(str, table.columns[:20])) or "无"
        raise DataImportError(
            f"no column for {label} ({missing[0]}); headers found: {found}", file=meta.source,
            field=label, fix=f"name the column {label}, or choose it for a column on 数据导入 "
                             f"(CLI: --map '<header>={missing[0]}')",
            zh=(f"没有“{label}”列（{missing[0]}）；现有表头：{found_zh}",
                f"请把该列命名为“{label}”，或在“数据导入”页的“表头识别与单位”中为某列选择"
                f"“{label}”（命令行 --map '表头={missing[0]}'）"))


def _report_frame(lines: list[dict]) -> pd.DataFrame:
    rep = pd.DataFrame(lines, columns=list(REPORT_COLUMNS))
    rep[ROW] = rep[ROW].astype("Int64")
    return rep.sort_values(ROW, kind="stable", na_position="first").reset_index(drop=True)


def _outside_hint(bounds: tuple[float, float, float, float],
                  box: tuple[float, float, float, float]) -> str:
    minx, miny, maxx, maxy = bounds
    if within((miny, minx, maxy, maxx), box):
        return "经度和纬度可能填反了"
    if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
        return "像是投影坐标（米），请核对坐标系（.prj）"
    return "请核对坐标系（.prj）；高德坐标请选择 GCJ-02"


def _polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    parts = [p for g in polys for p in shapely.get_parts(g)]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _first_of_each(usable: Mapping[int, object], years: Mapping[int, object] | None,
                   lines: list[dict], *, file: str, column: str, what: str) -> list[int]:
    """Return the rows to keep: the first of each (id, year); later duplicates are reported.

    The (id, year) keys are factorised at once; only the duplicate rows get a line.
    """
    if isinstance(usable, RowValues):
        rows, ids = usable.index.tolist(), arrow_texts(usable.array)
    else:
        rows, ids = list(usable), arrow_texts(list(usable.values()))
    if not rows:
        return []
    codes = _factorised(ids)[0]
    if years is not None:
        yrs = np.asarray(take(years, rows), dtype=object)
        yr_codes, yr_uniques = pd.factorize(yrs, use_na_sentinel=False)
        codes = codes * (len(yr_uniques) + 1) + yr_codes
    _, first_at, key_of = np.unique(codes, return_index=True, return_inverse=True)
    first = first_at[key_of]  # position of the first row holding each row's key
    repeat = first != np.arange(len(rows))
    at = np.flatnonzero(repeat)
    for i, shown in zip(at.tolist(), ids.take(pa.array(at)).to_pylist(), strict=True):
        f = rows[int(first[i])]
        lines.append(report_line(file, rows[i], column, shown,
                                 f"{what}重复（与第 {f} 行相同，保留第 {f} 行）", _DROP_ROW))
    return np.asarray(rows, dtype=object)[~repeat].tolist()


def _name_records(lines: list[dict], records: Mapping[int, str]) -> None:
    """Fill the 记录 of row lines that do not name their record yet (in place)."""
    for ln in lines:
        if not ln[RECORD] and ln[ROW] in records:
            ln[RECORD] = records[ln[ROW]]


def _keep_value_lines(lines: list[dict], value_lines: Sequence[dict], kept: Sequence[int]
                      ) -> None:
    """Append the value problems of the rows kept (those of rows left out are moot)."""
    kept_set = set(kept)
    lines.extend(ln for ln in value_lines if ln[ROW] in kept_set)


def _geometries(table: pd.DataFrame) -> list[BaseGeometry | None]:
    """Return the shapes of a GeoDataFrame's rows as a list, at once (not item by item)."""
    return np.asarray(table.geometry.array, dtype=object).tolist()


def _attributes(table: pd.DataFrame) -> list:
    """Return the attribute columns of a table (all but a GeoDataFrame's geometry)."""
    geom = table.geometry.name if isinstance(table, gpd.GeoDataFrame) else None
    return [c for c in table.columns if c != geom]


def _open_table(path: str | os.PathLike[str], kind: str, *, sheet: str | None,
                layer: str | None, overrides: Mapping[str, str] | None, max_bytes: int,
                max_unzipped_bytes: int, require: bool = True
                ) -> tuple[pd.DataFrame, TableMeta, HeaderMapping, list]:
    """Read a file safely, map its headers for ``kind`` and check the key columns exist.

    Returns the table, its metadata, the header mapping and the first report lines (headers
    not recognised or not used). ``require=False`` leaves the key check to the caller.
    """
    table, meta = read_source(path, sheet=sheet, layer=layer, max_bytes=max_bytes,
                              max_unzipped_bytes=max_unzipped_bytes)
    _check_override_headers(overrides, _attributes(table), meta.source)
    mapping = map_headers(_attributes(table), kind=kind, overrides=overrides)
    if require:
        _require(mapping, table, meta)
    return table, meta, mapping, _header_lines(mapping, meta)


def _check_override_headers(overrides: Mapping[str, str] | None, headers: Sequence[object],
                            file: str) -> None:
    """Refuse a choice for a header the file does not have (a typo would be ignored)."""
    absent = [h for h in (overrides or {}) if h not in {str(c) for c in headers}]
    if absent:
        found = "、".join(map(str, list(headers)[:20])) or "无"
        raise DataImportError(
            f"a choice names the header {absent[0]!r}, which the file does not have "
            f"(headers: {found})", file=file, field=absent[0],
            fix="name a header exactly as it is written in the file",
            zh=(f"所指定的表头“{absent[0]}”不在文件中（现有表头：{found}）",
                "请按文件中的写法填写表头（命令行 --map '表头=字段:单位'）"))


def _key_column(mapping: HeaderMapping, name: str) -> ColumnMap:
    """Return the column of a required field, which :func:`_require` has checked exists."""
    col = mapping.column_for(name)
    if col is None:  # unreachable after _require; keeps the type honest
        raise ValueError(f"no column for required field {name!r}")
    return col


#: An id the fast path keeps as it is: ASCII letters, digits and ``_-./`` (no space, so
#: neither :data:`DATE_CELL` nor white space to tidy), not a mark and not scientific notation.
_PLAIN_ID = r"[0-9A-Za-z_\-./]+"
#: A credit code the fast path keeps as it is: :data:`_CREDIT_CODE` in ASCII digits only.
_PLAIN_CREDIT = r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}"


def _plain_ids(raw: Sequence[str] | pa.Array, totals: Collection[int],
               rows: Sequence[int] | np.ndarray, *, credit: bool) -> np.ndarray:
    """Tell, per row, whether its id cell is used as it is (what :func:`_row_id` would give).

    Credit codes must already be 18 valid upper-case characters; other ids plain
    (:data:`_PLAIN_ID`). Rows of ``totals``, marks ("-", "n/a"), scientific notation and
    everything else are left to :func:`_row_id`.
    """
    texts = _str_series(raw)
    pattern = _PLAIN_CREDIT if credit else _PLAIN_ID
    ok = texts.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool, copy=True)
    if not ok.any():
        return ok
    ok &= ~texts.str.fullmatch(_PLAIN_SCIENTIFIC).fillna(False).to_numpy(dtype=bool)
    if not credit:
        ok &= ~texts.str.lower().isin(MISSING_MARKERS).to_numpy(dtype=bool)
    if totals:
        ok &= ~np.isin(np.asarray(rows), np.fromiter(totals, dtype=np.int64))
    return ok


def _row_id(row_no: int, raw: str, totals: Collection[int], *, credit: bool, what: str
            ) -> tuple[str | None, str]:
    """Return (id or None, why the row cannot be used) for one row's id cell."""
    if row_no in totals:
        return None, f"合计行，不是{what}"
    return _parse_id(raw, credit=credit)

def _wkt_geometries(column: pd.Series) -> tuple[dict[int, BaseGeometry | None], set[int]]:
    """Return the geometries of a WKT column by row, and the rows not holding valid WKT."""
    geoms: dict[int, BaseGeometry | None] = {}
    bad: set[int] = set()
    for row_no, text in column.items():
        geoms[row_no] = None if is_missing(text) else shapely.from_wkt(
            normalise_text(text), on_invalid="ignore")
        if geoms[row_no] is None and not is_missing(text):
            bad.add(row_no)
    return geoms, bad

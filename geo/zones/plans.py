"""The plans behind the catalogue: their titles, indicator tables and land-efficiency figures.

Four tables hold what the source plans state, each row with the seed file and line it was
copied from and the verbatim text (``quote``):

* ``data/parks/sources.csv`` — one row per seed file: the document's title as the text states
  it (or how it was inferred, ``title_basis``), kind, status (征求意见稿 / 正式 / 未注明), date;
* ``data/targets/indicators.csv`` — the indicator tables (seed 000 表：指标体系, seed 001 表1-1
  and 表3-1, seed 003 表1): base and target as written and as numbers;
* ``data/targets/land_figures.csv`` — the land-efficiency figures (亩均, 用地, 小微企业园 …);
* ``data/targets/decisions_indicators.csv`` — where the seeds disagree or are garbled, both
  sides and what was decided.

Users are shown sources by document title — :func:`cite` gives "《title》第 N 行" — never by
the hashed seed file name. Every loader validates its table and raises
:class:`geo._errors.CatalogValidationError` (Chinese by default) naming the file, row and field.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geo._errors import CatalogValidationError

__all__ = [
    "SOURCES_FILE", "INDICATORS_FILE", "LAND_FIGURES_FILE", "DECISIONS_FILE",
    "INDICATOR_TABLES", "load_sources", "document_title", "cite", "cite_reference",
    "load_indicators", "load_land_figures", "load_indicator_decisions", "with_citations",
    "cite_text", "with_titles",
]

_DATA = Path(__file__).resolve().parents[2] / "data"
#: One row per seed file: title, kind, status, date (each with its line).
SOURCES_FILE = _DATA / "parks" / "sources.csv"
#: The plans' indicator tables, one row per indicator.
INDICATORS_FILE = _DATA / "targets" / "indicators.csv"
#: The land-efficiency figures stated in the plans.
LAND_FIGURES_FILE = _DATA / "targets" / "land_figures.csv"
#: Where the seeds disagree or are garbled, and what was decided.
DECISIONS_FILE = _DATA / "targets" / "decisions_indicators.csv"

#: The indicator tables (``table`` column) and their row counts as found in the seeds.
INDICATOR_TABLES = {"000:指标体系": 29, "001:表1-1": 16, "001:表3-1": 23, "003:表1": 18}

_SOURCE_COLUMNS = ("file", "title", "title_line", "title_basis", "short_title", "kind",
                   "status", "status_line", "date", "date_line")
_STATUSES = ("征求意见稿", "正式", "未注明")
_INDICATOR_COLUMNS = ("table", "row", "level1", "indicator", "unit", "base_year", "base_text",
                      "base_value", "target_year", "target_text", "target_value", "property",
                      "responsible", "seed", "line", "line_end", "quote", "conflict")
_INDICATOR_NUMBERS = ("row", "base_year", "base_value", "target_year", "target_value",
                      "actual_value", "line", "line_end")
_LAND_COLUMNS = ("key", "label", "value", "unit", "year", "seed", "line", "quote", "conflict")
_DECISION_COLUMNS = ("topic", "side_a", "side_b", "decision", "why")
_REFERENCE = re.compile(r"^(\d{3}_[0-9a-f]+\.txt):(\d+)(?: (.*))?$", re.S)


def _error(path: Path, row: int | None, field: str | None, problem: tuple[str, str],
           fix: tuple[str, str]) -> CatalogValidationError:
    """Build the located error for ``path`` (``row`` is the CSV line, header = 1)."""
    return CatalogValidationError(problem[0], file=path.name,
                                  feature=f"row {row}" if row is not None else None,
                                  field=field, fix=fix[0], zh=(problem[1], fix[1]))


def _read(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Read ``path`` as text cells and check that it has the ``required`` columns."""
    if not path.is_file():
        raise _error(path, None, None, ("the table does not exist", "表不存在"),
                     ("restore it from the repository", "从代码仓库恢复该文件"))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise _error(path, None, missing[0], ("a required column is missing", "缺少必需的列"),
                     (f"add the columns {', '.join(missing)}",
                      f"补上列：{'、'.join(missing)}"))
    return frame


def _numbers(frame: pd.DataFrame, path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Return ``frame`` with ``columns`` as numbers (empty cells NaN); raise on other text."""
    out = frame.copy()
    for col in (c for c in columns if c in out.columns):
        values = pd.to_numeric(out[col].replace("", None), errors="coerce")
        bad = out[col].ne("") & values.isna()
        if bad.any():
            row = int(bad.to_numpy().argmax()) + 2
            raise _error(path, row, col, ("the cell is not a number", "该单元格不是数字"),
                         ("write the number only; keep text in the *_text column",
                          "只填数字，原文写法放在 *_text 列"))
        out[col] = values
    return out


def _check_lines(frame: pd.DataFrame, path: Path, files: set[str], seed_col: str) -> None:
    """Raise unless every row names a known seed file, a line ≥ 1 and a quote."""
    for i, rec in enumerate(frame.to_dict("records")):
        if rec[seed_col] not in files:
            raise _error(path, i + 2, seed_col,
                         ("unknown seed file", "出处文件不在 sources.csv 中"),
                         ("use a file listed in data/parks/sources.csv",
                          "填写 data/parks/sources.csv 已列出的文件"))
        if not rec["line"] >= 1:
            raise _error(path, i + 2, "line", ("the line number is missing or below 1",
                                               "行号缺失或小于 1"),
                         ("give the 1-based seed line", "填写出处文件中从 1 起算的行号"))
        if not str(rec["quote"]).strip():
            raise _error(path, i + 2, "quote", ("the quote is empty", "原文摘录为空"),
                         ("copy the seed text of that line", "照录该行原文"))


@lru_cache(maxsize=8)
def _sources(path: Path) -> pd.DataFrame:
    frame = _read(path, _SOURCE_COLUMNS)
    for i, rec in enumerate(frame.to_dict("records")):
        if not rec["title"].strip():
            raise _error(path, i + 2, "title", ("the title is empty", "文件标题为空"),
                         ("copy the title from the text or infer it and say so in title_basis",
                          "照录原文标题；原文没有标题时写推定标题并在 title_basis 说明依据"))
        if rec["status"] not in _STATUSES:
            raise _error(path, i + 2, "status", ("unknown status", "文件状态不在可选范围内"),
                         ("use 征求意见稿, 正式 or 未注明", "填写 征求意见稿、正式 或 未注明"))
    if frame["file"].duplicated().any():
        row = int(frame["file"].duplicated().to_numpy().argmax()) + 2
        raise _error(path, row, "file", ("the file is listed twice", "同一出处文件列了两次"),
                     ("keep one row per seed file", "每个出处文件只留一行"))
    return _numbers(frame, path, ("title_line", "status_line", "date_line"))


def load_sources(path: str | Path | None = None) -> pd.DataFrame:
    """Read the source documents (``data/parks/sources.csv``), one row per seed file.

    Parameters
    ----------
    path : str or Path, optional
        Another copy of the table (default :data:`SOURCES_FILE`).

    Returns
    -------
    DataFrame
        ``file``, ``title`` (as the seed states it; ``title_basis`` says where, or how it was
        inferred), ``short_title``, ``kind``, ``status`` (征求意见稿 / 正式 / 未注明), ``date``
        and the lines they are read from (numbers, NaN when not stated).

    Raises
    ------
    CatalogValidationError
        A column is missing, a title empty, a status unknown or a file listed twice.
    """
    return _sources(Path(path or SOURCES_FILE)).copy()


def _source_row(file: str) -> dict[str, object]:
    """Return the sources row of ``file`` (a seed file name or its 3-digit prefix)."""
    return dict(_source_row_of(Path(str(file)).name))


@lru_cache(maxsize=512)
def _source_row_of(name: str) -> dict[str, object]:
    """Look up the sources row of seed file ``name`` once (a map cites hundreds)."""
    frame = _sources(SOURCES_FILE)
    hits = frame[(frame["file"] == name) | (frame["file"].str[:3] == name)]
    if len(hits) != 1:
        raise _error(SOURCES_FILE, None, "file", (f"no document for {name!r}",
                                                  f"找不到出处文件“{name}”对应的文件标题"),
                     ("add the seed file to data/parks/sources.csv",
                      "在 data/parks/sources.csv 中补上该出处文件"))
    return dict(hits.iloc[0])


def document_title(file: str) -> str:
    """Return the document title of seed ``file`` (without 《》).

    Parameters
    ----------
    file : str
        Seed file name (``000_ff44c4bc8aaeb92b.txt``), a path to it, or its prefix (``000``).

    Returns
    -------
    str
        The title as :func:`load_sources` gives it.

    Raises
    ------
    CatalogValidationError
        The file is not in ``data/parks/sources.csv``.
    """
    return str(_source_row(file)["title"])


def cite(file: str, line: int | float | str) -> str:
    """Return how a source line is shown to users: ``《title》第 N 行``.

    Parameters
    ----------
    file : str
        Seed file name or its prefix (see :func:`document_title`).
    line : int, float or str
        1-based line in that seed (``"741"`` and ``741.0`` are read as 741).

    Returns
    -------
    str
        For example ``《宁波打造全球智造创新之都行动方案》第 191 行``.

    Raises
    ------
    CatalogValidationError
        Unknown file, or a line that is not a whole number ≥ 1.
    """
    whole = isinstance(line, float) and line.is_integer()
    text = str(int(line) if whole else line).strip()
    number = int(text) if text.isdigit() and not isinstance(line, bool) else 0
    if number < 1:
        raise _error(SOURCES_FILE, None, "line", (f"line {line!r} is not a line number",
                                                  f"“{line}”不是有效行号"),
                     ("give a whole number from 1", "填写从 1 起算的整数行号"))
    return f"《{document_title(file)}》第 {number} 行"


def cite_reference(reference: str) -> str:
    """Return a ``file:line text`` reference (decisions' sides) with the title for the file.

    Parameters
    ----------
    reference : str
        ``000_ff44c4bc8aaeb92b.txt:191 原文…``; text in another form is returned unchanged.

    Returns
    -------
    str
        ``《title》第 191 行：原文…``.
    """
    m = _REFERENCE.match(reference)
    if not m:
        return reference
    shown = cite(m.group(1), int(m.group(2)))
    return f"{shown}：{m.group(3)}" if m.group(3) else shown


def _check_indicators(frame: pd.DataFrame, path: Path) -> None:
    """Raise unless every table is known and numbered 1..n, with line_end ≥ line."""
    for table, rows in frame.groupby("table", sort=False)["row"]:
        if table not in INDICATOR_TABLES:
            row = int(frame.index[frame["table"] == table][0]) + 2
            raise _error(path, row, "table", (f"unknown table {table!r}", f"未知指标表“{table}”"),
                         ("use one of the tables of geo.zones.plans.INDICATOR_TABLES",
                          "填写 geo.zones.plans.INDICATOR_TABLES 中的指标表"))
        if list(rows) != list(range(1, len(rows) + 1)):
            row = int(rows.index[0]) + 2
            raise _error(path, row, "row", (f"rows of {table} are not numbered 1..n",
                                            f"指标表“{table}”的行次不是从 1 连续编号"),
                         ("number the rows of each table 1, 2, 3 …", "每张表的行次从 1 起连续编号"))
    short = frame["line_end"] < frame["line"]
    if short.any():
        raise _error(path, int(short.to_numpy().argmax()) + 2, "line_end",
                     ("line_end is before line", "出处末行早于出处行"),
                     ("give the last seed line of the row", "填写该行在出处文件中的最后一行"))


def load_indicators(path: str | Path | None = None) -> pd.DataFrame:
    """Read the plans' indicator tables (``data/targets/indicators.csv``).

    Parameters
    ----------
    path : str or Path, optional
        Another copy of the table (default :data:`INDICATORS_FILE`).

    Returns
    -------
    DataFrame
        One row per indicator: ``table`` (:data:`INDICATOR_TABLES`), ``row`` (1..n),
        ``level1``, ``indicator``, ``unit``, base and target as written (``*_text``) and as
        numbers (``*_value``, NaN when the text is not a number), ``property``,
        ``responsible``, ``seed``, ``line`` … ``line_end``, ``quote`` and ``conflict``.

    Raises
    ------
    CatalogValidationError
        Missing columns, text in a number column, an unknown table or seed, bad numbering.
    """
    source = Path(path or INDICATORS_FILE)
    frame = _numbers(_read(source, _INDICATOR_COLUMNS), source, _INDICATOR_NUMBERS)
    _check_lines(frame, source, set(_sources(SOURCES_FILE)["file"]), "seed")
    _check_indicators(frame, source)
    return frame


def load_land_figures(path: str | Path | None = None) -> pd.DataFrame:
    """Read the land-efficiency figures the plans state (``data/targets/land_figures.csv``).

    Parameters
    ----------
    path : str or Path, optional
        Another copy of the table (default :data:`LAND_FIGURES_FILE`).

    Returns
    -------
    DataFrame
        ``key`` (unique), ``label``, ``value`` (number as stated, NaN for a rule without
        one), ``unit`` (as stated: 亩, 万亩, 万元/亩 …), ``year``, ``qualifier`` (以上, 左右 …),
        ``kind`` (目标 / 实绩 / 基数 / 规则 / 要求), ``seed``, ``line``, ``quote``, ``conflict``.

    Raises
    ------
    CatalogValidationError
        Missing columns, a duplicate key, text in a number column or an unknown seed.
    """
    source = Path(path or LAND_FIGURES_FILE)
    frame = _numbers(_read(source, _LAND_COLUMNS), source, ("value", "year", "line"))
    dup = frame["key"].duplicated()
    if dup.any():
        raise _error(source, int(dup.to_numpy().argmax()) + 2, "key",
                     ("the key is used twice", "编号重复"),
                     ("give every figure its own key", "每个数字用不同的编号"))
    _check_lines(frame, source, set(_sources(SOURCES_FILE)["file"]), "seed")
    return frame


def load_indicator_decisions(path: str | Path | None = None) -> pd.DataFrame:
    """Read the decisions on disagreeing or garbled figures (``decisions_indicators.csv``).

    Parameters
    ----------
    path : str or Path, optional
        Another copy of the table (default :data:`DECISIONS_FILE`).

    Returns
    -------
    DataFrame
        ``topic``, ``side_a`` and ``side_b`` (``file:line text``, see :func:`cite_reference`),
        ``decision`` and ``why``.

    Raises
    ------
    CatalogValidationError
        Missing columns or a row without both sides, a decision and a reason.
    """
    source = Path(path or DECISIONS_FILE)
    frame = _read(source, _DECISION_COLUMNS)
    for i, rec in enumerate(frame.to_dict("records")):
        empty = [c for c in _DECISION_COLUMNS if not rec[c].strip()]
        if empty:
            raise _error(source, i + 2, empty[0], ("the cell is empty", "该单元格为空"),
                         ("name both sides, the decision and why", "写明双方出处、处理和理由"))
    return frame


def with_citations(frame: pd.DataFrame, *, seed: str = "seed", line: str = "line") -> pd.DataFrame:
    """Return ``frame`` with ``document`` (title) and ``citation`` (:func:`cite`) columns.

    Parameters
    ----------
    frame : DataFrame
        A table with a seed-file column and a line column (indicators, land figures).
    seed, line : str, keyword-only
        Names of those columns.

    Returns
    -------
    DataFrame
        A copy; show ``document``/``citation`` to users instead of the seed file name.
    """
    out = frame.copy()
    out["document"] = [document_title(f) for f in out[seed]]
    out["citation"] = [cite(f, int(n)) for f, n in zip(out[seed], out[line], strict=True)]
    return out


_FILE_LINE = re.compile(r"(\d{3}_[0-9a-f]{16}\.txt):(\d+)")


def cite_text(text: object) -> object:
    """Replace every ``file.txt:line`` in ``text`` by 《title》第 N 行 (other values unchanged).

    Catalogue fields keep the seed file and line as provenance; whatever an official reads —
    profiles, popups, matched wording, exports — names the document by its title.
    """
    if not isinstance(text, str) or ".txt:" not in text:
        return text
    return _FILE_LINE.sub(lambda m: cite(m.group(1), int(m.group(2))), text)


def with_titles(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with its ``source`` and ``*_sources`` columns cited by title."""
    out = frame.copy()
    for col in out.columns:
        if col == "source" or str(col).endswith("_sources") or col == "matched_text":
            out[col] = out[col].map(cite_text)
    return out

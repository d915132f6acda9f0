"""The official's header choices: an editable table in, per-file overrides out.

The 数据导入 page shows each uploaded file's headers as a table (表头 · 导入为 · 单位 · 识别说明)
built by :func:`choice_table`. The official may set another field, ``（不导入）`` or a unit for
any column; :func:`overrides_from` turns what changed into the ``header → field[:unit]``
overrides that :class:`geo.landuse.pipeline.ImportChoices` carries — the same form the CLI's
``--map`` takes — so the report and the output's 说明 record them.

A parcel file given without an enterprise file may carry the figures on each row (税收 …,
see :func:`geo.landuse.pipeline.load_inputs`): its table then also offers the enterprise
figure fields, and a choice is routed to the parcel import, the figures import, or both when
both kinds know the field (宗地编号, 年度).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from geo.io.quantities import DIMENSIONS, UNIT_FACTORS, header_key, unit_factor
from geo.labels import CHOICE_COLUMNS, NOT_IMPORTED
from geo.landuse.headers import FIELDS, HeaderMapping, map_headers

__all__ = ["field_options", "unit_options", "choice_table", "overrides_from", "option_label"]

#: Units offered in the 单位 column (the plain words of each dimension; "" = as read).
_UNIT_WORDS = ("平方米", "亩", "公顷", "元", "万元", "亿元", "吨标准煤", "吨", "千瓦时", "万千瓦时")


def option_label(label: str) -> str:
    """Return a field's label without a unit in brackets ("税收（万元）" → "税收").

    Brackets that hold no unit stay ("乡镇（街道）").
    """
    found = re.search(r"[（(]([^（）()]*)[）)]$", label)
    if found and any(unit_factor(header_key(found.group(1)), d) is not None for d in UNIT_FACTORS):
        return label[:found.start()]
    return label


#: What 识别说明 says of a header without a unit whose unit the import decides from the data.
_DECIDED = {("parcel", "area"): "表头未写单位：导入时与图形面积比对确定（平方米/亩/公顷），"
                                "并在校验报告中说明；无法确定时请在此选择",
            ("enterprise", "area"): "表头未写单位：导入时与所列宗地的面积比对确定；无法确定时"
                                    "请在此选择",
            ("enterprise", "money"): "表头未写单位：导入时按亩均数值的合理范围判断（元/万元）；"
                                     "无法判断时请在此选择"}


def _options(kinds: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Option label → {kind: field name} for the fields of ``kinds`` (first kind first)."""
    out: dict[str, dict[str, str]] = {}
    for kind in kinds:
        for name, fld in FIELDS[kind].items():
            if name == "data_label" and kind != kinds[0]:
                continue
            out.setdefault(option_label(fld.label), {})[kind] = name
    return out


def _kinds(kind: str, with_figures: bool) -> tuple[str, ...]:
    return ("parcel", "enterprise") if kind == "parcel" and with_figures else (kind,)


def field_options(kind: str, *, with_figures: bool = False) -> list[str]:
    """Choices of the 导入为 column: ``（不导入）`` and every field's label."""
    return [NOT_IMPORTED, *_options(_kinds(kind, with_figures))]


def unit_options() -> list[str]:
    """Choices of the 单位 column: "" (as the header or the data say) and the plain units."""
    known = {u for table in UNIT_FACTORS.values() for u in table}
    return ["", *(u for u in _UNIT_WORDS if u in known)]


def _mappings(headers: list[str], kind: str, with_figures: bool
              ) -> list[HeaderMapping]:
    return [map_headers(headers, kind=k) for k in _kinds(kind, with_figures)]


def choice_table(headers: list[str], kind: str, *, with_figures: bool = False
                 ) -> pd.DataFrame:
    """Return the editable table of a file's headers as they would be read today.

    Parameters
    ----------
    headers : list of str
        The file's headers, in order (two-row headers joined as the reader joins them).
    kind : {"parcel", "enterprise"}
    with_figures : bool, keyword-only
        A parcel file read also for its per-row figures: headers the parcel import does not
        use are shown as the figures import reads them.

    Returns
    -------
    DataFrame
        Columns :data:`geo.labels.CHOICE_COLUMNS`; 导入为 is ``（不导入）`` for an unused
        header, 单位 the unit read (or assumed, as 识别说明 says).
    """
    rows = {h: {"source": h, "field": NOT_IMPORTED, "unit": "", "note": ""} for h in headers}
    for mapping in reversed(_mappings(headers, kind, with_figures)):  # the file's own kind wins
        fields = FIELDS[mapping.kind]
        for col in mapping.columns:
            decided = (_DECIDED.get((mapping.kind, DIMENSIONS.get(col.field, "")))
                       if col.assumed else None)
            rows[col.source].update(field=option_label(fields[col.field].label),
                                    unit="" if decided else col.unit,
                                    note=decided or col.note)
        for header, why in mapping.ignored:
            if rows[header]["field"] == NOT_IMPORTED:
                rows[header]["note"] = why
    frame = pd.DataFrame(list(rows.values()), columns=list(CHOICE_COLUMNS))
    return frame.rename(columns=CHOICE_COLUMNS)


def _target(name: str, unit: str) -> str:
    return f"{name}:{unit}" if unit else name


def overrides_from(before: pd.DataFrame, after: pd.DataFrame, kind: str, *,
                   with_figures: bool = False) -> dict[str, dict[str, str]]:
    """Turn the rows the official changed into overrides per import kind.

    Parameters
    ----------
    before, after : DataFrame
        :func:`choice_table`'s table, and the same table as edited (same rows, same order).
    kind, with_figures
        As given to :func:`choice_table`.

    Returns
    -------
    dict
        ``{"parcel": {header: "field[:unit]"}, "enterprise": {...}}`` — only for changed rows;
        ``""`` leaves a column out (also of the other import when it read the column as
        another field). A unit that does not fit its field is kept as given: the import
        refuses it with a message naming the column (the page shows it).
    """
    src, fld, unit = (CHOICE_COLUMNS[k] for k in ("source", "field", "unit"))
    options = _options(_kinds(kind, with_figures))
    out: dict[str, dict[str, str]] = {k: {} for k in _kinds(kind, with_figures)}
    for (_, old), (_, new) in zip(before.iterrows(), after.iterrows(), strict=True):
        new_unit = "" if pd.isna(new[unit]) else str(new[unit]).strip()
        if new[fld] == old[fld] and new_unit == (old[unit] or ""):
            continue
        header = str(new[src])
        if new[fld] == NOT_IMPORTED or new[fld] not in options:
            for k in out:
                out[k][header] = ""
            continue
        targets: Mapping[str, str] = options[new[fld]]
        was: Mapping[str, str] = options.get(old[fld], {})
        for k in out:
            name = targets.get(k)
            if name is not None:
                out[k][header] = _target(name, new_unit)
            elif k in was:
                out[k][header] = ""  # that import read it as another field: not any more
    return out


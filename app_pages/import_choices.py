"""数据导入's header table: how each column of an upload reads, and the official's choice of
field and unit per column (the same choice as the CLI's ``--map``)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.io.quantities import DIMENSIONS
from geo.labels import ACCEPT_LABELS, CHOICE_COLUMNS
from geo.landuse.choices import (
    choice_table,
    field_options,
    option_label,
    overrides_from,
    unit_options,
)
from geo.landuse.headers import FIELDS
from geo.landuse.ingest import read_source
from geo.landuse.pipeline import layer_names, sheet_names

#: 导入为 labels of fields with a unit (area, money …): offered for a unit choice when unset.
_DIMENSIONED = {option_label(f.label) for kind in FIELDS.values() for f in kind.values()
                if f.name in DIMENSIONS}


#: Characters that make inline Markdown (links, emphasis, code, HTML, maths, directives,
#: autolinked e-mails); ``.`` and ``-`` only matter at a line's start and stay readable.
_MD_INLINE = re.compile(r"([\\`*_{}\[\]()<>#!~$|:@])")
_WWW = re.compile(r"(?i)\b(www)\.")


def md_text(value: object) -> str:
    """``value`` as literal text in st.* Markdown: a file name never becomes a link or bold.

    Unlike :func:`app_pages.common.md_escape` it leaves ``.``, ``-`` and ``+`` alone, so
    "宗地.csv" still reads (and matches) as typed; "www." is broken so it is not autolinked.
    """
    return _WWW.sub(r"\1\\.", _MD_INLINE.sub(r"\\\1", str(value)))


#: Suffixes an upload keeps on disk (what the uploaders accept); any other is dropped.
UPLOAD_SUFFIXES = frozenset({".gpkg", ".geojson", ".json", ".zip", ".csv", ".xlsx", ".toml"})


def safe_name(name: str, n: int = 1) -> str:
    """``upload_<n><suffix>``: a short ASCII name whatever the upload's own name is."""
    suffix = Path(name).suffix.lower()
    return f"upload_{n}{suffix if suffix in UPLOAD_SUFFIXES else ''}"


def write_upload(folder: Path, name: str, data: bytes, n: int = 1) -> Path:
    """Write uploaded bytes to a private folder under a safe generated name (:func:`safe_name`).

    The upload's own name (too long for the file system, or holding anything) is never used
    on disk; show it with :func:`shown` in place of the stored name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe_name(name, n)
    path.write_bytes(data)
    return path


def shown(value: object, names: Mapping[str, str]) -> object:
    """``value`` with each stored name (``names``: stored → own) replaced by the upload's own."""
    if not isinstance(value, str):
        return value
    for stored, own in sorted(names.items(), key=lambda kv: -len(kv[0])):
        value = value.replace(stored, own)
    return value


def shown_report(report: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """A validation report whose 文件 (and any text) names the uploads by their own names."""
    return report.map(lambda v: shown(v, names))


@st.cache_data(show_spinner="正在读取文件结构…", max_entries=16)
def _parts(name: str, data: bytes) -> tuple[str, list[str]]:
    """The layers of an uploaded GeoPackage or the sheets of an Excel file (else none)."""
    suffix = Path(name).suffix.lower()
    if suffix not in (".gpkg", ".xlsx"):
        return "", []
    with tempfile.TemporaryDirectory() as tmp:
        path = write_upload(Path(tmp), name, data)
        return ("layer", layer_names(path)) if suffix == ".gpkg" else ("sheet", sheet_names(path))


def choose_part(column, upload, key: str) -> dict[str, str | None]:
    """Offer the layers or sheets of an upload that holds several; return the one chosen."""
    chosen: dict[str, str | None] = {"layer": None, "sheet": None}
    if upload is None:
        return chosen
    part, names = _parts(upload.name, upload.getvalue())
    if len(names) > 1:
        what = "图层" if part == "layer" else "工作表"
        chosen[part] = column.selectbox(
            f"{md_text(upload.name)} 含多个{what}，请选择要导入的{what}", names, key=key)
    return chosen


@st.cache_data(show_spinner="正在读取表头…", max_entries=8)
def _headers(name: str, data: bytes, layer: str | None, sheet: str | None
             ) -> tuple[str, list[str], list[str]]:
    """How the file reads and its headers — read once per uploaded file, not per rerun."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_upload(Path(tmp), name, data)
        table, meta = read_source(path, layer=layer, sheet=sheet)
    own = {path.name: name}
    caption = (f"{shown(meta.source, own)} · {meta.format} · 编码 {meta.encoding or '—'} · "
               f"表头行 {', '.join(map(str, meta.header_rows)) or '—'} · 坐标系 {meta.crs or '—'}")
    notes = [f"{'第 ' + str(row) + ' 行：' if row else ''}{shown(note, own)}"
             for row, note in meta.notes]
    return caption, notes, [str(c) for c in table.columns if c != "geometry"]


def header_choices(upload, kind: str, part: dict[str, str | None], *, with_figures: bool,
                   key: str) -> dict[str, dict[str, str]]:
    """Show how a file's headers read and let the official set field and unit of any column.

    Columns whose unit the import would decide from the data are offered for a choice first.
    Returns the overrides per import kind (see :func:`geo.landuse.choices.overrides_from`).
    """
    caption, notes, headers = _headers(upload.name, upload.getvalue(), part["layer"],
                                       part["sheet"])
    st.caption(md_text(caption))  # file names and headers are data: shown as plain text
    for note in notes:
        st.info(md_text(note))
    before = choice_table(headers, kind, with_figures=with_figures)
    st.dataframe(before, hide_index=True, width="stretch")
    src, fld, unit = (CHOICE_COLUMNS[k] for k in ("source", "field", "unit"))
    undecided = [h for h, u, f in zip(before[src], before[unit], before[fld], strict=True)
                 if not u and f in _DIMENSIONED]
    picked = st.multiselect("调整以下列的字段或单位（表头未写单位的列已列出，可增减）", headers,
                            default=undecided, key=f"{key}_cols", placeholder="选择要调整的列")
    after = before.copy()
    fields, units = field_options(kind, with_figures=with_figures), unit_options()
    for header in picked:
        i = headers.index(header)
        c1, c2 = st.columns(2)
        now_field, now_unit = before.at[i, fld], before.at[i, unit]
        after.at[i, fld] = c1.selectbox(f"“{md_text(header)}”导入为", fields, key=f"{key}_f{i}",
                                        index=fields.index(now_field))
        after.at[i, unit] = c2.selectbox(f"“{md_text(header)}”的单位（留空 = 按表头或数据判断）",
                                         units,
                                         key=f"{key}_u{i}",
                                         index=units.index(now_unit) if now_unit in units else 0)
    overrides = overrides_from(before, after, kind, with_figures=with_figures)
    changed = sorted({h for m in overrides.values() for h in m})
    if changed:
        st.caption("已按您的选择调整：" + "、".join(map(md_text, changed))
                   + "（写入校验报告与导出说明）")
    return overrides


def accepted_doubts(with_parcels: bool) -> tuple[str, ...]:
    """The doubts the official accepts instead of rows set aside (parcels only)."""
    if not with_parcels:
        return ()
    st.markdown("**存疑数据的处理**（默认不接受：存疑的宗地不进入排名，列入校验报告）")
    return tuple(name for name, label in ACCEPT_LABELS.items()
                 if st.checkbox(label, key=f"up_accept_{name}"))

"""The industry filter of the 亩均 pages: GB/T 4754—2017 门类 and 大类 present in the data."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.labels import INDUSTRY_FILTER_TEXTS

__all__ = ["industry_options", "industry_filter", "matches_industry"]


def industry_options(enterprises: pd.DataFrame) -> dict[str, str]:
    """``{code: "C39 计算机、通信和其他电子设备制造业"}`` of every 门类 and 大类 in the data,
    each 门类 followed by its 大类 (unknown codes left out)."""
    options: dict[str, str] = {}
    for code_col, name_col in (("industry_section", "industry_section_name"),
                               ("industry_group", "industry_group_name")):
        if code_col not in enterprises:
            continue
        names = enterprises[name_col] if name_col in enterprises else enterprises[code_col]
        pairs = pd.DataFrame({"code": enterprises[code_col], "name": names}).dropna(
            subset=["code"]).drop_duplicates("code")
        options.update({str(c): f"{c} {'' if pd.isna(n) else n}".strip()
                        for c, n in zip(pairs["code"], pairs["name"], strict=True)})
    return dict(sorted(options.items()))


@st.cache_resource(show_spinner=False, max_entries=32)
def _options(key: str, _enterprises: pd.DataFrame) -> dict[str, str]:
    """:func:`industry_options` of the enterprises of analysis ``key``, once for every session."""
    return industry_options(_enterprises)


def industry_filter(enterprises: pd.DataFrame, key: str, *, data: str) -> tuple[str, ...]:
    """A multiselect of the 门类/大类 in ``enterprises``; returns the codes chosen ("C", "C39").

    Nothing chosen (or no recognised industry in the data, said in a caption) returns ``()``:
    no restriction. A 门类 includes all its 大类 (match on either code of an enterprise).
    ``data`` (the analysis key of ``enterprises``) keeps the options for every session.
    """
    options = _options(data, enterprises)
    if not options:
        st.caption(INDUSTRY_FILTER_TEXTS["none"])
        return ()
    if key in st.session_state:  # a kept choice no longer offered by these data is dropped
        st.session_state[key] = [c for c in st.session_state[key] if c in options]
    chosen = st.multiselect(INDUSTRY_FILTER_TEXTS["label"], list(options),
                            format_func=lambda c: options.get(c, c), key=key,
                            placeholder=INDUSTRY_FILTER_TEXTS["placeholder"],
                            help=INDUSTRY_FILTER_TEXTS["help"])
    return tuple(chosen)


def matches_industry(enterprises: pd.DataFrame, codes: tuple[str, ...]) -> pd.Series:
    """Whether each enterprise's 大类 or 门类 is among ``codes``; all True when none is chosen."""
    if not codes:
        return pd.Series(True, index=enterprises.index)
    hit = pd.Series(False, index=enterprises.index)
    for col in ("industry_group", "industry_section"):
        if col in enterprises:
            hit |= enterprises[col].isin(list(codes)).fillna(False).astype(bool)
    return hit

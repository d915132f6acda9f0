"""Session state of the 亩均 pages: which analysis is shown (a dataset of the workspace, this
session's unsaved upload, or the bundled 示例数据), its cache key, and the banner that says what
the data are."""

from __future__ import annotations

import uuid

import streamlit as st

from app_pages.common import catalog_at, data_key
from app_pages.stored_analysis import stored_analysis
from app_pages.workspace_state import (
    WORK_DIR_ENV,
    active_profile_path,
    chosen_dataset,
    dataset_gone,
    forget_dataset,
    work_dir,
    workspace_problem,
)

__all__ = ["UPLOADED", "UPLOADED_KEY", "WORK_DIR_ENV", "work_dir", "set_uploaded",
           "clear_uploaded", "current_analysis", "analysis_key", "data_banner"]

# --- land efficiency --------------------------------------------------------------------
#: Session-state key of an analysis built from uploaded files (else the sample is shown).
UPLOADED = "uploaded_analysis"
UPLOADED_KEY = "uploaded_analysis_key"
@st.cache_resource(show_spinner="正在计算示例数据的亩均效益…")
def _sample_analysis(data_dir: str, profile_path: str):
    from geo.landuse.pipeline import analyse, load_sample
    from geo.landuse.scoring import load_profile

    sample = load_sample()
    return analyse(sample.parcels, sample.enterprises, catalog_at(data_dir),
                   load_profile(profile_path or None), data_label=sample.data_label,
                   year=sample.year)


def set_uploaded(analysis) -> None:
    """Make ``analysis`` this session's data, under a fresh cache key."""
    st.session_state[UPLOADED] = analysis
    st.session_state[UPLOADED_KEY] = uuid.uuid4().hex


def clear_uploaded() -> None:
    """Go back to the bundled 示例数据."""
    st.session_state.pop(UPLOADED, None)
    st.session_state.pop(UPLOADED_KEY, None)


def current_analysis():
    """This session's unsaved upload, else the workspace dataset in use, else the 示例数据."""
    if (uploaded := st.session_state.get(UPLOADED)) is not None:
        return uploaded
    if (ds_id := chosen_dataset()) is not None:
        try:
            return stored_analysis(ds_id)[0]
        except KeyError:  # deleted by an admin a moment ago
            forget_dataset(ds_id)
    return _sample_analysis(data_key(), active_profile_path())


def analysis_key() -> str:
    """A key that changes whenever the analysis does (for caches of derived tables)."""
    if key := st.session_state.get(UPLOADED_KEY):
        return key
    ds_id = chosen_dataset()
    return f"{ds_id or 'sample'}:{data_key()}:{active_profile_path()}"


def data_banner(analysis) -> None:
    """State what the figures rest on — 示例数据 is never shown as real.

    The data label names the uploaded files and the profile names itself: both are data,
    shown as plain text (Markdown escaped), never as links or formatting.
    """
    from app_pages.import_choices import md_text

    if problem := workspace_problem():
        st.error(problem)
    elif dataset_gone():
        st.warning("所选的数据集已被删除，现显示示例数据；请在“工作区”页选择其他数据集。")
    year = f" · 数据年度 {analysis.year}" if analysis.year else ""
    label = md_text(analysis.data_label)
    if analysis.is_sample:
        st.warning(f"⚠ {label}：本页所有数值均为程序合成，仅用于演示功能；"
                   f"请在“数据导入”页导入真实宗地与企业数据。{year}")
    else:
        st.info(f"数据：{label}{year} · 评价方案：{md_text(analysis.profile.name)}")

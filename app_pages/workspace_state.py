"""The workspace as the pages see it: the store, the dataset in use, the active profile.

Datasets an official with the 经办 or 管理 role imports are kept in the store
(:mod:`geo.store`) and survive reloads and restarts; the dataset shown is the one named in the
page address (``?dataset=…``, so a reload shows it again), else the newest stored one, else the
示例数据. The analysis of a stored dataset is computed once per dataset and profile and shared
by every session.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path

import streamlit as st

from app_pages.common import APP_DIR, catalog_at, data_key
from geo._errors import RegisterError, user_message
from geo.store import DATABASE_URL_ENV, open_workspace

#: Query parameter naming the dataset in use.
DATASET_PARAM = "dataset"
#: Register scopes: the 示例数据 keep a register of their own, never mixed with real parcels.
SAMPLE_SCOPE, IMPORTED_SCOPE = "sample", "imported"
SAMPLE_REGISTER = APP_DIR / "data" / "sample" / "clearance_register.csv"


#: Environment variable naming the work folder (the SQLite store, roles file, old registers).
WORK_DIR_ENV = "NINGBO_WORK_DIR"


def work_dir() -> Path:
    """The work folder (default ``./work``; ``NINGBO_WORK_DIR``)."""
    return Path(os.environ.get(WORK_DIR_ENV) or APP_DIR / "work")


@st.cache_resource(show_spinner="正在打开工作区…")
def _workspace_at(folder: str, url: str):
    """The store and what could not be migrated from the old CSV files (file left as it was)."""
    ws = open_workspace(folder, url or None)
    old = Path(folder)
    sample_csv = old / "sample_clearance_register.csv"
    problems = []
    for scope, reg, log in (
            (SAMPLE_SCOPE, sample_csv if sample_csv.exists() else SAMPLE_REGISTER,
             old / "sample_clearance_audit.csv"),
            (IMPORTED_SCOPE, old / "clearance_register.csv", old / "clearance_audit.csv")):
        try:
            ws.migrate_csv(scope, reg, log)
        except RegisterError as err:
            problems.append(f"旧整治台账文件无法读取，未迁入工作区，文件未作任何修改："
                            f"{user_message(err)}")
    return ws, problems


def get_workspace():
    """The workspace store of this server (opened, and old CSV registers migrated, once)."""
    return _workspace_at(str(work_dir()), os.environ.get(DATABASE_URL_ENV, ""))[0]


def migration_problems() -> list[str]:
    """Why an old CSV register could not be migrated (shown on the 整治台账 tab)."""
    return _workspace_at(str(work_dir()), os.environ.get(DATABASE_URL_ENV, ""))[1]


def register_scope(analysis) -> str:
    """The register an analysis' parcels belong to."""
    return SAMPLE_SCOPE if analysis.is_sample else IMPORTED_SCOPE


def _profile_file(name: str, toml: str) -> Path:
    """The active profile's TOML as a file the profile reader opens (written once per text)."""
    digest = hashlib.sha256(toml.encode("utf-8")).hexdigest()[:16]
    path = work_dir() / "profiles" / f"active_{digest}.toml"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(toml, encoding="utf-8")
    return path


def active_profile_path() -> str:
    """Path of the scoring profile in use ("" = the bundled default)."""
    active = get_workspace().active_profile()
    return "" if active is None else str(_profile_file(active[0], active[1]))


@st.cache_resource(show_spinner="正在计算所选数据集的亩均效益…", max_entries=8)
def _stored_analysis(ds_id: str, folder: str, url: str, catalog_dir: str, profile_path: str):
    from geo.landuse.pipeline import analyse
    from geo.landuse.scoring import load_profile
    from geo.landuse.townships import TownshipTable

    stored = _workspace_at(folder, url)[0].load_dataset(ds_id)
    towns = stored.extra.get("townships")
    analysis = analyse(stored.parcels, stored.enterprises, catalog_at(catalog_dir),
                       load_profile(profile_path or None), data_label=stored.info.data_label,
                       year=stored.info.data_year,
                       townships=None if towns is None else TownshipTable.from_frame(towns))
    return replace(analysis, import_choices=stored.info.choices), stored.report


def stored_analysis(ds_id: str):
    """(Analysis, validation report) of a stored dataset, computed once per dataset/profile."""
    return _stored_analysis(ds_id, str(work_dir()), os.environ.get(DATABASE_URL_ENV, ""),
                            data_key(), active_profile_path())


def chosen_dataset() -> str | None:
    """The stored dataset in use: this session's choice, else the one in the address, else the
    newest stored one; None = 示例数据. The address is kept in step, so a reload shows it again.
    """
    wanted = st.session_state.get(_CHOICE) or st.query_params.get(DATASET_PARAM)
    known = [d.id for d in get_workspace().datasets()]
    chosen = (None if wanted == SAMPLE_SCOPE else wanted if wanted in known
              else known[0] if known else None)
    use_dataset(chosen)
    return chosen


def use_dataset(ds_id: str | None) -> None:
    """Show ``ds_id`` (None: the 示例数据) from now on, also after a reload."""
    value = ds_id or SAMPLE_SCOPE
    st.session_state[_CHOICE] = value
    if st.query_params.get(DATASET_PARAM) != value:
        st.query_params[DATASET_PARAM] = value


_CHOICE = "workspace_dataset"


def who_of(user) -> str:
    """How a logged-in official is named in the register, the audit log and the datasets."""
    return user.name if user.name == user.id else f"{user.name}（{user.id}）"


def keep_or_hold(analysis, inputs, report, towns, *, name: str, who: str | None,
                 own_profile: bool) -> str:
    """Keep an import: in the workspace (``who`` may save, default profile), else in this
    session only. Returns the sentence that says which, for the page.
    """
    from app_pages.analysis_state import clear_uploaded, set_uploaded

    if who is not None and not own_profile:
        ds_id = get_workspace().add_dataset(
            name=name or inputs.data_label, parcels=inputs.parcels,
            enterprises=inputs.enterprises, report=report, data_label=inputs.data_label,
            year=inputs.year, choices=inputs.choices, who=who,
            extra=None if towns is None else {"townships": towns.to_frame()})
        use_dataset(ds_id)
        clear_uploaded()
        return "已保存到工作区：刷新页面或重启后仍可使用（见“工作区”页）。"
    set_uploaded(analysis)
    return "只在本次会话中有效，未保存到工作区：" + (
        "使用了自行上传的评价方案（全局方案由管理员在“工作区”页设置）。" if who is not None
        else "保存到工作区需以“经办”或“管理”角色登录。")

"""低效用地's 整治台账 tab: the register from the workspace store, edited by 经办/管理 only.

The register is read once into the session (with each row's version) and edited against what
was read; a save is one transaction with its audit rows (:meth:`geo.store.Workspace
.save_register`). When someone else saved the same rows meanwhile the save is refused with the
rows named, and the official reloads and reapplies — nothing is overwritten silently. The
经办人 of every change is the logged-in identity, never typed.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from app_pages.auth import can_edit, current_user
from app_pages.import_choices import md_text
from app_pages.paging import page_of
from app_pages.workspace_save import who_of
from app_pages.workspace_state import (
    get_workspace,
    migration_problems,
    register_scope,
    workspace_problem,
)
from geo._errors import user_message
from geo.labels import AUDIT_HEADERS, REGISTER_HEADERS, labelled
from geo.landuse.model import CLEARANCE_STATUSES
from geo.landuse.register import update_register
from geo.store import StaleRegisterError

_READ_ONLY = ("parcel_id", "data_label", "updated_by", "updated_at", "version")
_VERSION = "版本"


def _base(scope: str) -> pd.DataFrame:
    """The register as this session read it (read again after a save or a reload)."""
    key = f"reg_base_{scope}"
    if key not in st.session_state:
        st.session_state[key] = get_workspace().register(scope)
    return st.session_state[key]


def _reload(scope: str) -> None:
    st.session_state.pop(f"reg_base_{scope}", None)
    st.session_state.pop(f"reg_editor_{scope}", None)
    st.session_state.pop("reg_add", None)


def _editor(base: pd.DataFrame, scope: str) -> pd.DataFrame:
    return st.data_editor(
        base, key=f"reg_editor_{scope}", hide_index=True, width="stretch", num_rows="fixed",
        disabled=list(_READ_ONLY),
        column_config={
            "parcel_id": st.column_config.TextColumn(REGISTER_HEADERS["parcel_id"]),
            "status": st.column_config.SelectboxColumn(
                REGISTER_HEADERS["status"], options=list(CLEARANCE_STATUSES), required=True),
            "area_mu": st.column_config.NumberColumn(REGISTER_HEADERS["area_mu"], min_value=0.01,
                                                     format="%.2f"),
            "year": st.column_config.TextColumn(REGISTER_HEADERS["year"], max_chars=4),
            "note": st.column_config.TextColumn(REGISTER_HEADERS["note"]),
            "version": st.column_config.NumberColumn(_VERSION, format="%d"),
            **{c: REGISTER_HEADERS[c] for c in ("data_label", "updated_by", "updated_at")}})


def _save(analysis, scope: str, base: pd.DataFrame, changes: list[dict], user) -> None:
    ws = get_workspace()
    try:
        new, audit = update_register(base, changes, who=who_of(user),
                                     data_label=analysis.data_label)
        ws.save_register(scope, base, new, audit)
    except StaleRegisterError as err:
        st.error(md_text(user_message(err)))
    except (ValueError, OSError) as err:
        st.error(f"未保存，台账与审计日志保持不变：{md_text(user_message(err))}")
    except SQLAlchemyError as err:  # locked for too long, connection lost …
        st.error(f"未保存，台账与审计日志保持不变：工作区数据库出错（{type(err).__name__}），"
                 "请稍后再试。")
    else:
        _reload(scope)
        st.session_state["reg_saved"] = len(audit)
        st.rerun()


def _warn_if_changed(base: pd.DataFrame, current: pd.DataFrame) -> None:
    """Say when others saved rows since this session read the register."""
    was = dict(zip(base["parcel_id"], base["version"], strict=True))
    changed = [p for p, v in zip(current["parcel_id"], current["version"], strict=True)
               if was.get(p) != v]
    if changed:
        st.warning(f"您打开台账后，他人已修改或新增 {len(changed)} 宗（"
                   f"{md_text('、'.join(map(str, changed[:10])))}{'…' if len(changed) > 10 else ''}"
                   "）；请先“重新载入台账”再修改，否则这些宗地的保存会被拒绝。")


def _edit(analysis, flagged: pd.DataFrame, scope: str, base: pd.DataFrame, user) -> None:
    edited = _editor(base, scope)
    known = set(base["parcel_id"].astype(str))
    candidates = [p for p in flagged["parcel_id"].astype(str) if p not in known]
    add = st.multiselect("纳入台账的低效宗地（新增为“待整治”）", candidates, key="reg_add",
                         placeholder="选择宗地编号")
    st.caption(f"经办人：{md_text(who_of(user))}（登录身份）")
    c1, c2 = st.columns(2)
    if c1.button("保存台账", type="primary", key="reg_save"):
        area = dict(zip(flagged["parcel_id"].astype(str), flagged["land_mu"], strict=True))
        changes = [row.to_dict() for _, row in edited.drop(columns="version").iterrows()]
        changes += [{"parcel_id": p, "status": "待整治", "area_mu": round(float(area[p]), 2)}
                    for p in add]
        _save(analysis, scope, base, changes, user)
    if c2.button("重新载入台账", key="reg_reload",
                 help="读取他人已保存的最新台账；未保存的修改将丢弃"):
        _reload(scope)
        st.rerun()


def _read_only_reason(user, session_only: bool) -> str:
    if session_only:
        return ("只读：当前分析的数据只在本次会话中（未保存到工作区），不能据此修改共用的整治台账；"
                "请以“经办”角色导入并保存到工作区后再修改。")
    return ("只读：修改整治台账需以“经办”或“管理”角色登录"
            + ("。" if user is not None else "（未登录或未配置登录）。"))


def register_tab(analysis, flagged: pd.DataFrame, *, session_only: bool = False) -> None:
    """Show (and, for 经办/管理, edit) the register of the analysis' parcels.

    ``session_only``: the analysis rests on an upload kept in this session only; the shared
    register is then shown read-only.
    """
    ws = get_workspace()
    if ws is None:
        st.error(workspace_problem())
        return
    scope, user = register_scope(analysis), current_user()
    for problem in migration_problems():
        st.error(problem)
    editable = can_edit(user) and not session_only
    current = ws.register(scope)
    base = _base(scope) if editable else current
    st.caption(f"台账保存在工作区（{ws.describe(detail=False)}）；每次保存与其审计日志为同一事务，"
               "他人同时修改同一宗地时不会被覆盖。")
    if saved := st.session_state.pop("reg_saved", None):
        st.success(f"已保存，{saved} 项修改记入审计日志。")
    if not editable:
        st.info(_read_only_reason(user, session_only))
        st.dataframe(labelled(page_of(base, "reg_page"), extra={
            **REGISTER_HEADERS, "version": _VERSION}), hide_index=True, width="stretch")
    else:
        _warn_if_changed(base, current)
        _edit(analysis, flagged, scope, base, user)
    log = ws.audit_log(scope)
    with st.expander(f"审计日志（{len(log)} 条，最新在前）"):
        st.dataframe(labelled(page_of(log, "reg_log_page"), extra=AUDIT_HEADERS),
                     hide_index=True, width="stretch")

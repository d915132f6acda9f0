"""工作区 — the datasets kept in the workspace store: choose, compare, delete (管理), the
scoring profile in use (管理), and the 整治台账 with its audit log as files."""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from app_pages.auth import current_user, is_admin
from app_pages.common import get_catalog
from app_pages.import_choices import md_text
from app_pages.stored_analysis import stored_analysis
from app_pages.workspace_save import who_of
from app_pages.workspace_state import (
    IMPORTED_SCOPE,
    SAMPLE_SCOPE,
    chosen_dataset,
    get_workspace,
    use_dataset,
    workspace_problem,
)
from geo._errors import user_message
from geo.labels import COLUMNS, DATASET_COLUMNS, ROLE_LABELS
from geo.landuse.register import register_file
from geo.landuse.scoring import load_profile
from geo.landuse.tables import level_table

_FIGURES = ("tax_per_mu", "va_per_mu", "land_mu", "enterprise_count")


def _register_file(scope: str, title: str, fmt: str) -> bytes:
    ws = get_workspace()
    return register_file(ws.register(scope), ws.audit_log(scope), fmt, data_label=title)

ws = get_workspace()
user = current_user()
st.title("工作区")
if ws is None:
    st.error(workspace_problem())
    st.stop()
st.caption(f"数据保存在{ws.describe(detail=is_admin(user))}；经办、管理角色导入的数据集在此长期"
           "保存，刷新或重启后仍在。")
infos = ws.datasets()
chosen = chosen_dataset()
if infos:
    table = pd.DataFrame([{k: getattr(i, k) for k in DATASET_COLUMNS} for i in infos]).rename(
        columns=DATASET_COLUMNS)
    st.dataframe(table, hide_index=True, width="stretch")
else:
    st.info("工作区中还没有数据集：请在“数据导入”页以经办或管理角色导入。")
names = {i.id: f"{i.name}（{i.data_year or '年度未注明'}，{i.imported_by}，{i.imported_at}）"
         for i in infos}
options = [SAMPLE_SCOPE, *names]
pick = st.selectbox("当前使用的数据", options, index=options.index(chosen or SAMPLE_SCOPE),
                    format_func=lambda k: "示例数据（合成）" if k == SAMPLE_SCOPE else names[k],
                    key="ws_pick")
if pick != (chosen or SAMPLE_SCOPE):
    use_dataset(None if pick == SAMPLE_SCOPE else pick, chosen=True)
    st.rerun()

if len(infos) >= 2:
    st.subheader("数据集对比（全市）")
    pair = st.multiselect("选择两个或多个数据集", list(names), format_func=names.get,
                          default=list(names)[:2], key="ws_compare",
                          placeholder="选择数据集")
    rows = []
    for ds_id in pair:
        try:
            city = level_table(stored_analysis(ds_id)[0], get_catalog(), level="city").iloc[0]
        except KeyError:  # deleted meanwhile
            continue
        rows.append({DATASET_COLUMNS["name"]: names[ds_id],
                     **{COLUMNS[c]: city.get(c) for c in _FIGURES}})
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

st.subheader("整治台账与审计日志")
for scope, title in ((IMPORTED_SCOPE, "导入数据的台账"), (SAMPLE_SCOPE, "示例数据的台账")):
    c1, c2 = st.columns(2)  # files built when clicked, from the register as saved then
    c1.download_button(f"{title}（Excel，含审计日志）",
                       partial(_register_file, scope, title, "xlsx"),
                       file_name=f"{title}.xlsx", key=f"ws_x_{scope}")
    c2.download_button(f"{title}（CSV）", partial(_register_file, scope, title, "csv"),
                       file_name=f"{title}.csv", key=f"ws_c_{scope}")

if not is_admin(user):
    st.caption("删除数据集、更换评价方案需要“管理”角色。")
    st.stop()
st.subheader(f"{ROLE_LABELS['admin']}功能")
doomed = st.selectbox("删除数据集", ["", *names], format_func=lambda k: names.get(k, "（不删除）"),
                      key="ws_delete")
if doomed and st.checkbox("确认删除（不可恢复；整治台账不受影响）", key="ws_delete_ok") and \
        st.button("删除", key="ws_delete_go"):
    try:
        ws.delete_dataset(doomed)
    except SQLAlchemyError as err:
        st.error(f"未删除：工作区数据库出错（{type(err).__name__}），请稍后再试。")
        st.stop()
    if doomed == chosen:
        use_dataset(None)
    st.success("已删除。")
    st.rerun()
active = ws.active_profile()
st.caption("当前评价方案：" + (md_text(f"{active[0]}（{active[2]} 于 {active[3]} 设定）")
                              if active else "默认方案（data/profiles/default.toml）"))
profile_up = st.file_uploader("上传评价方案（TOML）并设为全局使用", type=["toml"], key="ws_profile")
if profile_up is not None and st.button("设为当前评价方案", key="ws_profile_go"):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profile.toml"
        path.write_bytes(profile_up.getvalue())
        try:
            profile = load_profile(path)
        except ValueError as err:
            st.error(f"方案未采用：{user_message(err)}")
            st.stop()
    try:
        text = profile_up.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        st.error("方案未采用：文件不是 UTF-8 编码。处理办法：请用 UTF-8 编码另存后再上传")
        st.stop()
    ws.set_active_profile(profile.name, text, who=who_of(user))
    st.success(f"已采用评价方案：{md_text(profile.name)}")
if active and st.button("恢复默认方案", key="ws_profile_reset"):
    ws.clear_active_profile()
    st.rerun()

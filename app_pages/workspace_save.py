"""Saving to the workspace from the pages: who an official is in the records, and keeping an
import as a dataset (or, when it cannot be saved, in the session only)."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from app_pages.analysis_state import clear_uploaded, set_uploaded
from app_pages.common import data_key
from app_pages.stored_analysis import keep_analysis, kept_key, prime_stored_analysis
from app_pages.workspace_state import get_workspace, use_dataset
from geo._errors import user_message


def who_of(user) -> str:
    """How a logged-in official is named in the register, the audit log and the datasets."""
    return user.name if user.name == user.id else f"{user.name}（{user.id}）"


def keep_or_hold(analysis, inputs, report, towns, *, name: str, who: str | None,
                 own_profile: bool) -> str:
    """Keep an import: in the workspace (``who`` may save, default profile), else in this
    session only. Returns the sentence that says which, for the page.
    """
    ws = get_workspace()
    if who is not None and not own_profile and ws is not None:
        try:
            ds_id = ws.add_dataset(
                name=name or inputs.data_label, parcels=inputs.parcels,
                enterprises=inputs.enterprises, report=report, data_label=inputs.data_label,
                year=inputs.year, choices=inputs.choices, who=who,
                extra=None if towns is None else {"townships": towns.to_frame()})
        except (ValueError, SQLAlchemyError) as err:
            set_uploaded(analysis)
            return f"未保存到工作区（{user_message(err)}）；结果只在本次会话中有效。"
        use_dataset(ds_id)
        if prime_stored_analysis(ds_id, analysis, report):  # scored with the bundled profile
            keep_analysis(ws, ds_id, analysis, key=kept_key(data_key(), ""))
        clear_uploaded()
        return "已保存到工作区：刷新页面或重启后仍可使用（见“工作区”页）。"
    set_uploaded(analysis)
    return "只在本次会话中有效，未保存到工作区：" + (
        "工作区数据库无法打开。" if ws is None else
        "使用了自行上传的评价方案（全局方案由管理员在“工作区”页设置）。" if who is not None
        else "保存到工作区需以“经办”或“管理”角色登录。")

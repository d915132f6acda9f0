"""Downloads built when asked for, never on a rerun that did not ask: a 准备 button builds the
file once for the inputs shown and the download button then hands it out (:func:`on_demand`), or
the download button is given a callable that Streamlit runs on the click (:func:`table_file`
through ``functools.partial``)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from geo.export import export_bytes

__all__ = ["on_demand", "table_file"]

#: Session-state prefix of the prepared files (one per download, replaced when inputs change).
_PREFIX = "prepared_download:"


def on_demand(label: str, key: str, inputs: tuple, build: Callable[[], bytes], file_name: str,
              *, container=None, prepare: str | None = None, download: str | None = None
              ) -> None:
    """Show "准备{label}" until pressed, then the download of what ``build`` returned.

    Parameters
    ----------
    label : str
        What is downloaded ("企业评价清单（Excel）").
    key : str
        Widget key of this download (unique on the page).
    inputs : tuple
        The real inputs of the file (analysis key, filters …): a file prepared for other
        inputs is dropped, never handed out for the ones now shown.
    build : callable
        Returns the file's bytes; called only when the button is pressed. Exceptions it raises
        propagate (pages show them in Chinese, as for any action).
    file_name : str
    container : streamlit container, optional
        Where to draw (a column); default the page.
    prepare, download : str, optional
        The buttons' texts, when not "准备{label}" / "下载{label}".
    """
    where = container if container is not None else st
    slot = _PREFIX + key
    held = st.session_state.get(slot)
    if held is not None and held[0] != inputs:
        st.session_state.pop(slot, None)
        held = None
    if held is None and where.button(prepare or f"准备{label}", key=f"{key}_prepare"):
        with st.spinner("正在生成文件…"):
            st.session_state[slot] = (inputs, build())
        held = st.session_state[slot]
    if held is not None:
        where.download_button(download or f"下载{label}", held[1], file_name=file_name,
                              key=key)


# Run on the click by Streamlit, off the script thread (no spinner there); kept per ``key`` for
# every session, so a second click, or another official's, is instant.
@st.cache_data(show_spinner=False, max_entries=16)
def table_file(key: str, fmt: str, _frame, _notes) -> bytes:
    """``_frame`` as a ``fmt`` file with its 说明 ``_notes``; ``key`` names the frame's real
    inputs (analysis key, evidence, filters) — the cache key, as ``_frame`` is not hashed."""
    return export_bytes(_frame, fmt, notes=_notes)

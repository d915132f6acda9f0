"""The 低效用地 parcels as vector tiles, built in the background so the page answers at once.

Building the archive of a city's flagged parcels takes tens of seconds. The first session to
open the page starts the build (one worker for the whole server, shared by every session: one
build per analysis, evidence and industry filter); until it is done the page draws the largest
parcels as GeoJSON with a note (:func:`app_pages.paging.map_capped`) and looks again every few
seconds, then draws the tiles. A build that fails says so and the capped map stays.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from app_pages import common
from app_pages.common import asset_base, get_catalog
from app_pages.workspace_state import work_dir
from geo.labels import PAGING_TEXTS
from geo.tiles import (
    LOOKUP_SUFFIX,
    TileBuildError,
    build_archive,
    layer_key,
    lookup_point,
    write_lookup,
)
from layers.assets import STATIC_SUBDIR, plugin_ready
from layers.vector_tiles import build_tiled_parcel_map, record_table, style_codes

__all__ = ["PARCEL_COLUMNS", "TileJobs", "tile_jobs", "tiled_map"]

PARCEL_COLUMNS = ("parcel_id", "land_mu", "status", "far_used", "tax_per_mu", "enterprise_classes",
                  "reasons", "built_share", "data_note", "zone_id", "district")
#: How long a page waits for a build before it draws the capped map instead (a small layer's
#: tiles are usually ready by then).
WAIT_S = 1.5
#: How often a page waiting for tiles looks again.
POLL_S = 3.0
#: Seconds after which a failed build is tried again when a page asks for it.
RETRY_S = 60.0

_LOG = logging.getLogger(__name__)


class TileJobs:
    """Builds by key on one worker thread; the results of the last ``keep`` keys are kept."""

    def __init__(self, keep: int = 8) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiles")
        self._jobs: OrderedDict[str, Future] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep
        self._started: dict[str, float] = {}

    def job(self, key: str, build: Callable[[], tuple[str, str]]) -> Future:
        """The build of ``key``, started now if it has not been (or failed a while ago)."""
        with self._lock:
            fut = self._jobs.get(key)
            if fut is not None and fut.done() and fut.exception() is not None \
                    and time.monotonic() - self._started.get(key, 0.0) > RETRY_S:
                fut = None  # a failure is retried after a while, not remembered for good
            if fut is None:
                fut = self._jobs[key] = self._pool.submit(build)
                self._started[key] = time.monotonic()
                done = [k for k, f in self._jobs.items() if f.done() and k != key]
                for old in done[:max(0, len(self._jobs) - self._keep)]:
                    del self._jobs[old]
                    self._started.pop(old, None)
            self._jobs.move_to_end(key)
            return fut

    def result(self, key: str, build: Callable[[], tuple[str, str]], *, wait: float = 0.0
               ) -> tuple[str, str] | None:
        """(archive name, lookup file) of ``key``; None while it is still being built.

        Raises
        ------
        TileBuildError
            When the build failed (tippecanoe missing or failing).
        """
        running = self.pending(key)  # a page already waited for it once: do not again
        fut = self.job(key, build)
        try:
            return fut.result(timeout=0.0 if running else wait)
        except TimeoutError:
            return None

    def pending(self, key: str) -> bool:
        """Whether the build of ``key`` has started and not finished."""
        with self._lock:
            fut = self._jobs.get(key)
        return fut is not None and not fut.done()

    def wait_all(self, timeout: float | None = None) -> None:
        """Wait until every build started so far has finished (tests, benchmarks)."""
        with self._lock:
            pending = list(self._jobs.values())
        for fut in pending:
            with contextlib.suppress(TileBuildError):
                fut.result(timeout=timeout)


@st.cache_resource(show_spinner=False)
def tile_jobs() -> TileJobs:
    """The server's tile builds, shared by every session."""
    return TileJobs()


def _build(flagged: gpd.GeoDataFrame, static: Path, lookups: Path) -> tuple[str, str]:
    """Build the archive and the click lookup of ``flagged``, named by their content hash.

    Raises
    ------
    TileBuildError
        On any failure (tippecanoe, a full or read-only disk, memory): the page then says the
        tiles failed and draws the capped map.
    """
    try:
        content = layer_key(flagged, style := style_codes(flagged))
        cols = [c for c in (*PARCEL_COLUMNS, "geometry") if c in flagged]
        lookup = write_lookup(flagged[cols], lookups / (content + LOOKUP_SUFFIX))
        archive = build_archive(flagged, static / "tiles", key=content, style=style)
    except TileBuildError:
        raise
    except Exception as err:  # noqa: BLE001 - said on the page, logged with the cause
        _LOG.warning("vector tile build failed", exc_info=True)
        raise TileBuildError(f"tile build failed: {err}") from err
    return archive.name, str(lookup)


@st.fragment(run_every=POLL_S)
def _wait_for_tiles(key: str) -> None:
    """Look again every :data:`POLL_S` seconds; rerun the page once the tiles are ready."""
    if not tile_jobs().pending(key):
        st.rerun()
    st.caption(PAGING_TEXTS["tiles_building"])


def tiled_map(analysis, flagged, key: str) -> bool:
    """Draw the flagged parcels as vector tiles and show a clicked one's record.

    ``key``: the view's cache key (judged analysis and industry filter). False when tiles
    cannot be drawn yet or here (the caller then sends the capped GeoJSON): the plugin is not
    installed, the build failed, or it is still running (the page then looks again by itself).
    """
    if not plugin_ready(common.APP_DIR / "static"):
        st.warning("矢量瓦片插件未安装（运行 scripts/install_js.sh），地图改为逐宗发送。")
        return False
    build = partial(_build, flagged, common.APP_DIR / "static", work_dir() / "tiles")
    try:
        built = tile_jobs().result(key, build, wait=WAIT_S)
    except TileBuildError:
        st.warning("矢量瓦片生成失败，地图改为逐宗发送。")
        return False
    if built is None:
        _wait_for_tiles(key)
        return False
    name, lookup = built
    url = asset_base()[: -len(STATIC_SUBDIR)] + f"tiles/{name}"
    fmap = build_tiled_parcel_map(url, count=len(flagged), data_label=analysis.data_label,
                                  districts=get_catalog()["district"],
                                  subzones=get_catalog()["subzone"], asset_base=asset_base())
    out = st_folium(fmap, key="lowland_tiles", height=520, use_container_width=True,
                    returned_objects=["last_clicked"])
    clicked = (out or {}).get("last_clicked")
    hit = lookup_point(lookup, clicked["lng"], clicked["lat"]) if clicked else None
    if hit is None or hit.record is None:
        st.caption("点击处没有低效宗地。" if hit else "点击地图上的宗地查看其认定原因与指标。")
    else:
        st.table(record_table(hit.record, PARCEL_COLUMNS), hide_index=True)
    return True

"""The analysis of a stored dataset, kept beside it so a restarted server loads it.

Computing the 亩均 analysis of a city's dataset takes seconds (3 s for 100,000 parcels and
300,000 enterprises); reading it back takes a fraction of that. :func:`save_analysis` keeps the
scored parcels and enterprises and the analysis's own report lines in the store, exactly
(:mod:`geo.store.frames`), under :func:`kept_analysis_key`: a digest of this program's code,
the reference tables it reads (``data/reference``), the Python and library versions, the
catalogue (every layer, geometry included), the scoring profile's text and whatever the caller
adds (the app: its modules that call the analysis). :func:`load_analysis` returns it only under
the same key — after any change to the code, the catalogue or the profile nothing is found and
the analysis is computed again — and returns None, never a doubtful analysis, when what is
kept cannot be read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.metadata import version
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.landuse.pipeline import Analysis
from geo.landuse.scoring import DEFAULT_PROFILE, ScoringProfile
from geo.store.frames import exact_bytes, exact_frame
from geo.store.workspace import Workspace

__all__ = ["catalog_digest", "code_digest", "files_digest", "kept_analysis_key", "load_analysis",
           "save_analysis"]

_LOG = logging.getLogger(__name__)
_GEO = Path(__file__).resolve().parents[1]
#: Tables the analysis reads besides the catalogue and the profile (GB/T 4754 industries).
_REFERENCE = _GEO.parent / "data" / "reference"
#: Libraries whose version can change a figure or how a frame is read back.
_LIBRARIES = ("pandas", "geopandas", "shapely", "numpy", "pyproj", "pyarrow")
_FRAMES = ("parcels", "enterprises", "report")


@cache
def code_digest() -> str:
    """Digest of every module of ``geo/``, the reference tables, Python and :data:`_LIBRARIES`.

    Computed once per process, at its first call (the app asks for it at start).
    """
    h = hashlib.sha256()
    for top, paths in ((_GEO, _GEO.rglob("*.py")), (_REFERENCE, _REFERENCE.rglob("*"))):
        for path in sorted(p for p in paths if p.is_file()):
            h.update(str(path.relative_to(top)).encode())
            h.update(path.read_bytes())
    h.update(f"python={sys.version_info[:3]}".encode())
    for lib in _LIBRARIES:
        h.update(f"{lib}={version(lib)}".encode())
    return h.hexdigest()


def files_digest(paths: Sequence[str | Path]) -> str:
    """Digest of the files at ``paths`` (names and bytes), e.g. a caller's own modules."""
    h = hashlib.sha256()
    for path in paths:
        h.update(Path(path).name.encode())
        h.update(Path(path).read_bytes())
    return h.hexdigest()


def catalog_digest(catalog: Mapping[str, gpd.GeoDataFrame]) -> str:
    """Digest of a catalogue: every layer's name, columns, attributes and geometry (WKB)."""
    h = hashlib.sha256()
    for name in sorted(catalog):
        layer = catalog[name]
        h.update(name.encode())
        attrs = layer.drop(columns=layer.geometry.name) if isinstance(
            layer, gpd.GeoDataFrame) else layer
        h.update(str(attrs.dtypes.to_dict()).encode())  # floats in full (repr), None ≠ NaN
        h.update(attrs.to_csv(na_rep="\0NaN", float_format=repr).encode())
        if isinstance(layer, gpd.GeoDataFrame):
            h.update(str(layer.crs).encode())
            for wkb in layer.geometry.to_wkb():
                h.update(b"\0" if wkb is None else wkb)
    return h.hexdigest()


def kept_analysis_key(catalog_sum: str, profile_path: str | Path | None,
                      parts: Sequence[str] = ()) -> str:
    """Return the key an analysis is kept under: code, catalogue, profile.

    ``catalog_sum`` is :func:`catalog_digest` of the catalogue.

    ``profile_path`` None or "" is the bundled default profile; its text is part of the key.
    ``parts``: more the analysis depends on, as text (e.g. digests of the caller's modules).
    """
    text = Path(profile_path or DEFAULT_PROFILE).read_bytes()
    return hashlib.sha256("\n".join((code_digest(), catalog_sum,
                                     hashlib.sha256(text).hexdigest(), *parts)).encode()
                          ).hexdigest()


def save_analysis(ws: Workspace, ds_id: str, key: str, analysis: Analysis) -> bool:
    """Keep ``analysis`` of dataset ``ds_id`` under ``key``; True when it was kept.

    Nothing is kept (False, a warning logged) when a frame would not come back exactly, is
    too large for the store, the dataset has been deleted meanwhile or the store fails; the
    analysis is then simply computed again next time.
    """
    try:
        frames = {kind: exact_bytes(getattr(analysis, kind)) for kind in _FRAMES}
        for kind, (data, layout) in frames.items():  # read back before it is trusted
            _same(exact_frame(data, layout), getattr(analysis, kind))
        meta = {"data_label": analysis.data_label, "year": analysis.year,
                "import_choices": analysis.import_choices, "evidence": analysis.evidence,
                "profile": analysis.profile.name}
        frames["meta"] = (b"", json.dumps(meta, ensure_ascii=False))
        return ws.save_analysis_frames(ds_id, key, frames)
    except Exception as err:  # noqa: BLE001 - a cache: whatever fails, nothing is kept
        _LOG.warning("the analysis of dataset %s is not kept: %s", ds_id, str(err)[:300])
        return False


def _same(back: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Raise AssertionError unless ``back`` is ``frame``.

    Values, dtypes, index, CRS, and in ``object`` columns the same missing value
    (assert_frame_equal takes None for NaN).
    """
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    if getattr(back, "crs", None) != getattr(frame, "crs", None):
        raise AssertionError("the CRS did not come back")
    for col in frame.columns:
        if frame[col].dtype == object and col != getattr(frame, "_geometry_column_name", None):
            was = np.fromiter((v is None for v in frame[col]), dtype=bool, count=len(frame))
            now = np.fromiter((v is None for v in back[col]), dtype=bool, count=len(back))
            if not np.array_equal(was, now):
                raise AssertionError(f"column {col!r}: None and NaN did not come back")


def load_analysis(ws: Workspace, ds_id: str, key: str, profile: ScoringProfile
                  ) -> Analysis | None:
    """Return the analysis kept for ``ds_id`` under ``key``, scored with ``profile``, or None.

    None when nothing is kept under that key (another code, catalogue or profile) or when what
    is kept cannot be read back (a warning is logged; the caller computes it again).
    """
    try:
        blobs = ws.analysis_frames(ds_id, key)
        if set(blobs) != {*_FRAMES, "meta"}:
            return None
        meta = json.loads(blobs["meta"][1])
        if not (isinstance(meta.get("year"), int | None) and all(
                isinstance(meta.get(k), str) for k in ("data_label", "import_choices",
                                                       "evidence", "profile"))):
            raise ValueError("damaged meta")
        if meta["profile"] != profile.name:
            return None
        frames = {kind: exact_frame(*blobs[kind]) for kind in _FRAMES}
        parcels = frames["parcels"]
        if not isinstance(parcels, gpd.GeoDataFrame):
            raise ValueError("the kept parcels have no geometry")
        return Analysis(parcels=parcels, enterprises=frames["enterprises"], profile=profile,
                        data_label=meta["data_label"], year=meta["year"],
                        report=frames["report"], import_choices=meta["import_choices"],
                        evidence=meta["evidence"])
    except Exception as err:  # noqa: BLE001 - a cache: on any doubt the analysis is computed
        _LOG.warning("the kept analysis of dataset %s cannot be read: %s", ds_id, err)
        return None

"""The analysis of a stored dataset, kept beside it so a restarted server loads it.

Computing the 亩均 analysis of a city's dataset takes seconds (3 s for 100,000 parcels and
300,000 enterprises); reading it back takes a fraction of that. :func:`save_analysis` keeps the
scored parcels and enterprises and the analysis's own report lines in the store, exactly
(:mod:`geo.store.frames`), under :func:`kept_analysis_key`: a digest of this program's code and
library versions, the catalogue (every layer, geometry included) and the scoring profile's
text. :func:`load_analysis` returns it only under the same key — after any change to the code,
the catalogue or the profile nothing is found and the analysis is computed again — and returns
None, never a doubtful analysis, when what is kept cannot be read.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from importlib.metadata import version
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.landuse.pipeline import Analysis
from geo.landuse.scoring import DEFAULT_PROFILE, ScoringProfile
from geo.store.frames import exact_bytes, exact_frame
from geo.store.workspace import Workspace

__all__ = ["kept_analysis_key", "catalog_digest", "load_analysis", "save_analysis"]

_LOG = logging.getLogger(__name__)
_GEO = Path(__file__).resolve().parents[1]
#: Libraries whose version can change a figure or how a frame is read back.
_LIBRARIES = ("pandas", "geopandas", "shapely", "numpy", "pyproj", "pyarrow")
_FRAMES = ("parcels", "enterprises", "report")


@cache
def code_digest() -> str:
    """Digest of every module of ``geo/`` and the versions of :data:`_LIBRARIES`."""
    h = hashlib.sha256()
    for path in sorted(_GEO.rglob("*.py")):
        h.update(str(path.relative_to(_GEO)).encode())
        h.update(path.read_bytes())
    for lib in _LIBRARIES:
        h.update(f"{lib}={version(lib)}".encode())
    return h.hexdigest()


def catalog_digest(catalog: Mapping[str, gpd.GeoDataFrame]) -> str:
    """Digest of a catalogue: every layer's name, columns, attributes and geometry (WKB)."""
    h = hashlib.sha256()
    for name in sorted(catalog):
        layer = catalog[name]
        h.update(name.encode())
        attrs = layer.drop(columns=layer.geometry.name) if isinstance(
            layer, gpd.GeoDataFrame) else layer
        h.update(attrs.to_json(orient="split", default_handler=str).encode())
        if isinstance(layer, gpd.GeoDataFrame):
            h.update(str(layer.crs).encode())
            for wkb in layer.geometry.to_wkb():
                h.update(b"\0" if wkb is None else wkb)
    return h.hexdigest()


def kept_analysis_key(catalog_sum: str, profile_path: str | Path | None) -> str:
    """Return the key an analysis is kept under: code, catalogue, profile.

    ``catalog_sum`` is :func:`catalog_digest` of the catalogue.

    ``profile_path`` None or "" is the bundled default profile; its text is part of the key.
    """
    text = Path(profile_path or DEFAULT_PROFILE).read_bytes()
    return hashlib.sha256("\n".join((code_digest(), catalog_sum,
                                     hashlib.sha256(text).hexdigest())).encode()).hexdigest()


def save_analysis(ws: Workspace, ds_id: str, key: str, analysis: Analysis) -> bool:
    """Keep ``analysis`` of dataset ``ds_id`` under ``key``; True when it was kept.

    Nothing is kept (False, a warning logged) when a frame would not come back exactly, is
    too large for the store, or the dataset has been deleted meanwhile; the analysis is then
    simply computed again next time.
    """
    try:
        frames = {kind: exact_bytes(getattr(analysis, kind)) for kind in _FRAMES}
        for kind, (data, layout) in frames.items():  # read back before it is trusted
            pd.testing.assert_frame_equal(exact_frame(data, layout), getattr(analysis, kind),
                                          check_exact=True)
    except (ValueError, TypeError, AssertionError) as err:
        _LOG.warning("the analysis of dataset %s is not kept: %s", ds_id, str(err)[:300])
        return False
    meta = {"data_label": analysis.data_label, "year": analysis.year,
            "import_choices": analysis.import_choices, "evidence": analysis.evidence,
            "profile": analysis.profile.name}
    frames["meta"] = (b"", json.dumps(meta, ensure_ascii=False))
    return ws.save_analysis_frames(ds_id, key, frames)


def load_analysis(ws: Workspace, ds_id: str, key: str, profile: ScoringProfile
                  ) -> Analysis | None:
    """Return the analysis kept for ``ds_id`` under ``key``, scored with ``profile``, or None.

    None when nothing is kept under that key (another code, catalogue or profile) or when what
    is kept cannot be read back (a warning is logged; the caller computes it again).
    """
    blobs = ws.analysis_frames(ds_id, key)
    if set(blobs) != {*_FRAMES, "meta"}:
        return None
    try:
        meta = json.loads(blobs["meta"][1])
        if meta["profile"] != profile.name:
            return None
        frames = {kind: exact_frame(*blobs[kind]) for kind in _FRAMES}
        parcels = frames["parcels"]
        if not isinstance(parcels, gpd.GeoDataFrame):
            raise ValueError("the kept parcels have no geometry")
        analysis = Analysis(parcels=parcels, enterprises=frames["enterprises"],
                            profile=profile, data_label=str(meta["data_label"]),
                            year=meta["year"], report=frames["report"])
        return replace(analysis, import_choices=str(meta["import_choices"]),
                       evidence=str(meta["evidence"]))
    except (ValueError, KeyError, TypeError) as err:
        _LOG.warning("the kept analysis of dataset %s cannot be read: %s", ds_id, err)
        return None

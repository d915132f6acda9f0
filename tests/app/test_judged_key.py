"""Two built-up rasters of one name and unit are two analyses: their views are cached apart."""

from __future__ import annotations

from types import SimpleNamespace

import app_pages.analysis_state
import app_pages.raster_state as raster_state


def test_rasters_of_one_name_but_other_content_key_their_views_apart(monkeypatch):
    monkeypatch.setattr(app_pages.analysis_state, "analysis_key", lambda: "ds-1:/data:")
    judged = SimpleNamespace(evidence="建成区.tif（比例）")
    keys = []
    for content in ("sha-a", "sha-b"):
        monkeypatch.setattr(raster_state, "evidence_of",
                            lambda c=content: (f"/work/rasters/{c}.tif", "ratio", c,
                                               "建成区.tif", "ds-1:/data:"))
        keys.append(raster_state.judged_key(judged))
    assert keys[0] != keys[1]
    plain = SimpleNamespace(evidence="")
    assert raster_state.judged_key(plain) == "ds-1:/data:|"

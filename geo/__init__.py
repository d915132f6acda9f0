"""Pure logic of the Ningbo industrial-space planner (no Streamlit here), in rooms.

- :mod:`geo.io` — the one guarded way to open a user's file (:mod:`geo.io.safefile`), tables
  (:mod:`geo.io.tables`), numbers and units as officials write them
  (:mod:`geo.io.quantities`), and one atomic write (:mod:`geo.io.atomic`).
- :mod:`geo.zones` — the catalogue of industrial platforms: model and validation
  (:mod:`geo.zones.catalog`), taxonomy, selection, schematic geometry, districts, boundary
  import, entity profile, printable summary.
- :mod:`geo.landuse` — 亩均论英雄: data model, headers, ingest, spatial assignment, metrics,
  scoring, low-efficiency rules, register, targets, pipeline and views.
- :mod:`geo.labels` (one Chinese vocabulary), :mod:`geo.export` (domain-free writer),
  :mod:`geo.crs`, :mod:`geo.gcj02`, :mod:`geo.display`, :mod:`geo._errors`, :mod:`geo.cli`.

Imports run one way: app_pages → layers → landuse → display → zones → export → io →
labels/crs/gcj02/_errors (``tests/test_imports.py`` checks it)::

    from geo.zones.catalog import load_catalog
    from geo.zones.selection import filter_by_industry
    catalog = load_catalog()                      # dict: level -> validated GeoDataFrame
    cars = filter_by_industry(catalog, "汽车")     # matches across all layers
"""

import os as _os

# GDAL must never open a VRT for us (a VRT can read any file on the server): skip the driver
# for the whole process before anything imports rasterio (geo.raster.safe checks it again).
_skip = _os.environ.get("GDAL_SKIP", "").replace(",", " ").split()
if "VRT" not in _skip:
    _os.environ["GDAL_SKIP"] = " ".join([*_skip, "VRT"])

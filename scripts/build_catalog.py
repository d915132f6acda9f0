"""Rebuild the schematic catalogue layers from data/parks/sources/*.csv.

Usage: python scripts/build_catalog.py
Reads districts.geojson (build it first with scripts/build_districts.py) and writes
zones, subzones, towns, hightech_branches and national_bases GeoJSON into data/parks/.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.zones.build import build_layers, write_layers

if __name__ == "__main__":
    layers = build_layers()
    write_layers(layers)
    for level, gdf in layers.items():
        print(f"{level}: {len(gdf)} features")

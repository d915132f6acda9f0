"""Rebuild the schematic catalogue layers from data/parks/sources/*.csv.

Usage: .venv/bin/python scripts/build_catalog.py
Reads districts.geojson (build it first with scripts/build_districts.py) and writes
zones, subzones, towns, hightech_branches and national_bases GeoJSON into data/parks/.
"""

from __future__ import annotations

from geo.zones.build import build_layers, write_layers

if __name__ == "__main__":
    layers = build_layers()
    write_layers(layers)
    for level, gdf in layers.items():
        print(f"{level}: {len(gdf)} features")

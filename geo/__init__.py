"""Pure logic of the Ningbo industrial-space planner (no Streamlit here).

Main entry points::

    from geo import load_catalog, filter_by_industry, export_layer
    catalog = load_catalog()                      # dict: level -> validated GeoDataFrame
    cars = filter_by_industry(catalog, "汽车")     # matches across all layers
"""

from geo._errors import BoundaryImportError, CatalogValidationError, ExportError
from geo.crs import AREA_CRS, M2_PER_MU, STORAGE_CRS, area_km2, area_mu
from geo.export import export_bytes, export_layer
from geo.zones.boundaries import import_boundaries
from geo.zones.catalog import (
    BELTS,
    LEVEL_LABELS,
    LEVELS,
    SCHEMATIC_NOTICE,
    filter_by_industry,
    filter_layer,
    load_catalog,
    load_layer,
    validate_catalog,
    validate_layer,
)

__all__ = [
    "AREA_CRS", "BELTS", "BoundaryImportError", "CatalogValidationError", "ExportError",
    "LEVELS", "LEVEL_LABELS", "M2_PER_MU", "SCHEMATIC_NOTICE", "STORAGE_CRS", "area_km2",
    "area_mu", "export_bytes", "export_layer", "filter_by_industry", "filter_layer",
    "import_boundaries", "load_catalog", "load_layer", "validate_catalog", "validate_layer",
]

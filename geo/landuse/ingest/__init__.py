"""Import parcels (宗地) and enterprises from the files officials keep.

Formats: GeoPackage, GeoJSON, zipped or plain Shapefile, CSV and Excel ``.xlsx``, read through
:func:`geo.io.tables.read_table` (which opens every file through :mod:`geo.io.safefile`).
Headers in Chinese or English are mapped onto the fields of :mod:`geo.landuse.model`
(:func:`geo.landuse.headers.map_headers`), units in the header or the cell are converted
(:mod:`geo.io.quantities`), and every row or value that could not be used is listed in the
report with the row number the official sees in the file. Nothing is silently dropped or
zero-filled: a bad value becomes NaN and a report line; a row that cannot be used is left out
and reported.
"""

from geo.labels import REPORT_COLUMNS
from geo.landuse.ingest._common import ImportResult, read_source, report_line
from geo.landuse.ingest.enterprises import import_enterprises
from geo.landuse.ingest.parcels import import_parcels

__all__ = ["REPORT_COLUMNS", "ImportResult", "read_source", "report_line",
           "import_parcels", "import_enterprises"]

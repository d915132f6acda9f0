"""Rasters: the guarded opening of a user's GeoTIFF and parcel surfaces written as COG (issue 13).

:mod:`geo.raster.safe` is the one way to open a user's raster; :mod:`geo.raster.surface`
rasterizes a parcel figure onto an EPSG:4549 grid and writes it as a Cloud-Optimized GeoTIFF;
:mod:`geo.raster.zonal` computes zonal statistics of a user's GeoTIFF over polygons (cells
weighted by their covered fraction, rows aligned by id).
"""

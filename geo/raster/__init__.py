"""Rasters: the guarded opening of a user's GeoTIFF and parcel surfaces written as COG (issue 13).

:mod:`geo.raster.safe` is the one way to open a user's raster; :mod:`geo.raster.surface`
rasterizes a parcel figure onto an EPSG:4549 grid and writes it as a Cloud-Optimized GeoTIFF.
"""

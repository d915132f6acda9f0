"""Reports on paper: printable maps, one-page zone summaries and enterprise 体检表 as PDF.

* :func:`map_figure` / :func:`zone_map` — maps drawn by geopandas/matplotlib (no browser) with
  legend, scale bar, north arrow, title, date and data notice, as PNG or PDF;
* :func:`zone_summary_pdf` / :func:`zones_pdf` — the A4 one-page summary of a 重点工业集聚区
  (always one page), and all of them as one PDF with contents page and outline;
* :func:`checkup_pdf` / :func:`checkups_pdf` — the 亩均效益 体检表 of an enterprise, and of every
  enterprise of a class (in a district) as one PDF with contents page and outline.

PDFs are laid out by WeasyPrint in the Noto Sans CJK SC font (Debian ``fonts-noto-cjk``).
"""

from __future__ import annotations

from geo.reports.checkup_pdf import checkup_pdf, checkups_pdf, select_enterprises
from geo.reports.fonts import CJK_FAMILY, require_cjk_font
from geo.reports.mapfig import Style, map_figure, zone_map
from geo.reports.zone_pdf import zone_summary_pdf, zones_pdf

__all__ = ["CJK_FAMILY", "Style", "checkup_pdf", "checkups_pdf", "map_figure",
           "require_cjk_font", "select_enterprises", "zone_map", "zone_summary_pdf",
           "zones_pdf"]

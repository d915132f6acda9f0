"""HTML → PDF with WeasyPrint, the CJK font and the common page style of every report."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from geo.reports.fonts import css_font_stack

if TYPE_CHECKING:
    from weasyprint import Document

__all__ = ["page_css", "render", "merge", "img_tag"]


def page_css(*, font_pt: float = 8.6, footer: str = "") -> str:
    """Return the style sheet of an A4 portrait report page (``footer``: printed bottom right)."""
    foot = footer.replace("\\", "").replace('"', "")
    return f"""
@page {{ size: A4 portrait; margin: 11mm 12mm 12mm 12mm;
  @bottom-right {{ content: "{foot}"; font-size: 7pt; color: #6b7280; }} }}
html {{ font-family: {css_font_stack()}; font-size: {font_pt}pt; color: #1f2937; }}
body {{ margin: 0; line-height: 1.35; }}
h1 {{ font-size: 15pt; margin: 0 0 1mm 0; color: #111827; }}
h2 {{ font-size: 9.6pt; margin: 2.2mm 0 0.8mm 0; padding-bottom: 0.3mm; color: #7c2d12;
      border-bottom: 0.6pt solid #d6d3d1; bookmark-level: none; }}
.meta {{ color: #4b5563; font-size: 8pt; }}
.notice {{ border: 0.6pt solid #f59e0b; background: #fffbeb; color: #92400e; padding: 1mm 2mm;
           margin: 1.5mm 0; font-size: 7.8pt; }}
.sample {{ border-color: #dc2626; background: #fef2f2; color: #991b1b; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 0.4pt solid #d1d5db; padding: 0.5mm 1.2mm; text-align: left;
          vertical-align: top; }}
th {{ background: #f3f4f6; font-weight: bold; }}
td.num, th.num {{ text-align: right; white-space: nowrap; }}
.kv th {{ width: 28%; }}
.kv.wide th {{ width: 55%; }}
.cols {{ display: flex; gap: 4mm; }}
.cols > div {{ flex: 1 1 0; min-width: 0; }}
.muted {{ color: #6b7280; }}
.small {{ font-size: 7.2pt; }}
.map {{ width: 100%; display: block; border: 0.4pt solid #9ca3af; }}
.big {{ font-size: 13pt; font-weight: bold; }}
.class-A {{ color: #047857; }} .class-B {{ color: #1d4ed8; }} .class-C {{ color: #b45309; }}
.class-D {{ color: #b91c1c; }}
.toc td {{ padding: 0.8mm 1.5mm; }}
"""


def img_tag(png: bytes, *, alt: str, height_mm: float | None = None, cls: str = "map") -> str:
    """Return an <img> holding ``png`` inline (no external resource)."""
    data = base64.b64encode(png).decode("ascii")
    style = f' style="height:{height_mm:.1f}mm; width:auto; max-width:100%"' if height_mm else ""
    return f'<img class="{cls}" alt="{alt}" src="data:image/png;base64,{data}"{style}>'


def render(html_text: str) -> Document:
    """Lay out ``html_text`` (a weasyprint Document; ``.pages`` tells the page count)."""
    from weasyprint import HTML

    return HTML(string=html_text, base_url=None).render()


def merge(documents: Sequence[Document]) -> bytes:
    """Write the pages of ``documents`` as one PDF (their bookmarks make its outline)."""
    pages = [page for doc in documents for page in doc.pages]
    out = io.BytesIO()
    documents[0].copy(pages).write_pdf(out)
    return out.getvalue()

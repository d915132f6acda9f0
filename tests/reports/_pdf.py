"""Reading report PDFs back (pypdf)."""

from __future__ import annotations

import io

from pypdf import PdfReader


def reader(pdf: bytes) -> PdfReader:
    assert pdf[:5] == b"%PDF-"
    return PdfReader(io.BytesIO(pdf))


def outline_titles(r: PdfReader) -> list[str]:
    """Titles of the outline, flattened."""
    out: list[str] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(str(item.title))
    walk(r.outline)
    return out


def outline_pages(r: PdfReader) -> dict[str, int]:
    """Outline title → 0-based page index."""
    out: dict[str, int] = {}

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out[str(item.title)] = r.get_destination_page_number(item)
    walk(r.outline)
    return out


def assert_clean(text: str) -> None:
    """No English schematic notice, no empty figure shown as nan/None."""
    assert "schematic" not in text.lower()
    for word in ("nan", "None", "NaN"):
        assert f" {word} " not in f" {text} ".replace("\n", " "), word
        assert f"{word}\n" not in text

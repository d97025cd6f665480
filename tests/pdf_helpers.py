"""Reading just enough of a PDF in tests: WeasyPrint compresses its objects into streams."""

from __future__ import annotations

import contextlib
import io
import re
import zlib

from pypdf import PdfReader

_STREAM_START = re.compile(rb">>\s*stream\r?\n")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\d)")
_PAGES = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", re.S)


def pdf_objects_text(data: bytes) -> bytes:
    """The PDF's bytes with every Flate stream decompressed and appended (objects become searchable).
    Streams are sliced by their /Length, so binary font data is never mistaken for PDF syntax."""
    parts = [data]
    position = 0
    while match := _STREAM_START.search(data, position):
        dictionary = data[data.rfind(b"<<", 0, match.start()) : match.start()]
        length = _LENGTH.search(dictionary)
        start = match.end()
        if length is None:
            position = start
            continue
        end = start + int(length.group(1))
        if b"/FlateDecode" in dictionary:
            with contextlib.suppress(zlib.error):
                parts.append(zlib.decompress(data[start:end]))
        position = end
    return b"\n".join(parts)


def pdf_page_count(data: bytes) -> int:
    """The /Count of the root /Pages object."""
    counts = [int(a or b) for a, b in _PAGES.findall(pdf_objects_text(data))]
    assert counts, "no /Pages object found"
    return max(counts)


def pdf_texts(data: bytes) -> list[str]:
    """Each page's extracted text with runs of white space made single (pypdf spaces columns out)."""
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages]


def pdf_strings_at(data: bytes, page: int = 0) -> list[tuple[float, float, str]]:
    """``(x, y, text)`` of every string shown on a page (points from the bottom-left corner), as the
    text matrix places it: enough to check where a ReportLab page puts a line."""
    found: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.append((round(tm[4] * cm[0] + cm[4], 1), round(tm[5] * cm[3] + cm[5], 1), text.strip()))

    PdfReader(io.BytesIO(data)).pages[page].extract_text(visitor_text=visit)
    return found

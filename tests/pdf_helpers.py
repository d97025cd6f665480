"""Reading just enough of a PDF in tests: WeasyPrint compresses its objects into streams."""

from __future__ import annotations

import contextlib
import re
import zlib

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

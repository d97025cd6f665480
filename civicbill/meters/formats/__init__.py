"""Read file formats: bytes in, ``ParsedFile`` (candidate reads, AMI intervals, bad rows with their
line numbers) out. Pure: no database. A file that is not the declared format raises
:class:`FormatError` and is refused whole. Formats are documented in docs/reads-formats.md.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from civicbill.meters.formats import ami_interval, beacon, generic_csv, sensus_route
from civicbill.meters.formats.common import FORMAT_LABELS, BadRow, FormatError, IntervalRow, ParsedFile

FORMATS = tuple(FORMAT_LABELS)

__all__ = ["FORMATS", "FORMAT_LABELS", "BadRow", "FormatError", "IntervalRow", "ParsedFile", "parse"]


def parse(file_format: str, content: bytes, *, zone: ZoneInfo) -> ParsedFile:
    """Parse ``content`` as ``file_format`` (one of :data:`FORMATS`)."""
    if file_format == generic_csv.FORMAT:
        return generic_csv.parse(content)
    if file_format == beacon.FORMAT:
        return beacon.parse(content, zone=zone)
    if file_format == sensus_route.FORMAT:
        return sensus_route.parse(content)
    if file_format == ami_interval.FORMAT:
        return ami_interval.parse(content)
    raise FormatError(file_format, f"unknown format {file_format!r}; expected one of {', '.join(FORMATS)}.")

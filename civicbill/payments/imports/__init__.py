"""Pure readers of remittance files (lockbox CSV, lockbox fixed-width, online/IVR CSV).

Bytes in, a :class:`~civicbill.payments.imports.records.ParsedFile` out: the detail rows that can
be read, the problems with line numbers (a bad row is reported, never silently dropped) and the
file-level problems (header, trailer, totals) that refuse the whole file. No database. The formats
are documented in docs/payment-files.md.
"""

from civicbill.payments.imports.lockbox import parse_lockbox_csv, parse_lockbox_fixed
from civicbill.payments.imports.online import parse_online_csv
from civicbill.payments.imports.records import FORMATS, ParsedFile, RemittanceRow, RowProblem, parse_file

__all__ = [
    "FORMATS",
    "ParsedFile",
    "RemittanceRow",
    "RowProblem",
    "parse_file",
    "parse_lockbox_csv",
    "parse_lockbox_fixed",
    "parse_online_csv",
]

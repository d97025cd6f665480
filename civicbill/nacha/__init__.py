"""NACHA ACH files, pure Python (no Django): records in, bytes out; bytes in, records and problems out.

    from civicbill import nacha
    result = nacha.read_file(data)            # never raises; result.valid, result.errors, result.file
    data = nacha.write_file(ach_file)          # strict; raises NachaWriteError for an invalid file

See docs/nacha.md for the record layouts, the reader's tolerance and the problem format.
"""

from __future__ import annotations

from civicbill.nacha.builders import (
    CHECKING,
    SAVINGS,
    Debit,
    Originator,
    clean_text,
    debit_transaction_code,
    ppd_debit_file,
)
from civicbill.nacha.codes import (
    CHANGE_CODES,
    RETURN_REASON_CODES,
    TRANSACTION_CODES,
    is_return_reason_code,
    is_valid_routing_number,
    routing_check_digit,
)
from civicbill.nacha.corrections import Correction, parse_corrected_data
from civicbill.nacha.layouts import block_count
from civicbill.nacha.problems import ERROR, WARNING, NachaWriteError, Problem
from civicbill.nacha.reader import ReadResult, read_file
from civicbill.nacha.records import (
    AchFile,
    Addenda,
    Addenda05,
    Addenda98,
    Addenda99,
    Addenda99Contested,
    Addenda99Dishonored,
    Batch,
    BatchControl,
    BatchHeader,
    EntryDetail,
    FileControl,
    FileHeader,
    ReturnAddenda,
)
from civicbill.nacha.writer import (
    entry_hash,
    file_lines,
    make_batch,
    make_file,
    next_file_id_modifier,
    trace_number,
    write_file,
)

__all__ = [
    "CHANGE_CODES",
    "CHECKING",
    "ERROR",
    "RETURN_REASON_CODES",
    "SAVINGS",
    "TRANSACTION_CODES",
    "WARNING",
    "AchFile",
    "Addenda",
    "Addenda05",
    "Addenda98",
    "Addenda99",
    "Addenda99Contested",
    "Addenda99Dishonored",
    "Batch",
    "BatchControl",
    "BatchHeader",
    "Correction",
    "Debit",
    "EntryDetail",
    "FileControl",
    "FileHeader",
    "NachaWriteError",
    "Originator",
    "Problem",
    "ReadResult",
    "ReturnAddenda",
    "block_count",
    "clean_text",
    "debit_transaction_code",
    "entry_hash",
    "file_lines",
    "is_return_reason_code",
    "is_valid_routing_number",
    "make_batch",
    "make_file",
    "next_file_id_modifier",
    "parse_corrected_data",
    "ppd_debit_file",
    "read_file",
    "routing_check_digit",
    "trace_number",
    "write_file",
]

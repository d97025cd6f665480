"""Field positions of each record (1-based, inclusive), as the NACHA Operating Rules give them.

Kinds: ``N`` numeric (right-justified, zero-filled), ``A`` alphanumeric (left-justified, space-filled,
upper case when written), ``C`` a constant, ``B`` reserved (blank). Field names are the attribute
names of the records in ``records.py`` (and the ``field`` of a reported problem).
"""

from __future__ import annotations

from dataclasses import dataclass

RECORD_LENGTH = 94
BLOCKING_FACTOR = 10


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    start: int
    end: int
    kind: str
    title: str

    @property
    def width(self) -> int:
        return self.end - self.start + 1

    @property
    def positions(self) -> str:
        return f"{self.start}-{self.end}" if self.end > self.start else str(self.start)

    def cut(self, line: str) -> str:
        return line[self.start - 1 : self.end]


def _f(name: str, start: int, end: int, kind: str, title: str) -> Field:
    return Field(name, start, end, kind, title)


FILE_HEADER = (
    _f("record_type", 1, 1, "C", "Record type code '1'"),
    _f("priority_code", 2, 3, "N", "Priority code '01'"),
    _f("immediate_destination", 4, 13, "A", "Immediate destination (blank + 9-digit routing)"),
    _f("immediate_origin", 14, 23, "A", "Immediate origin"),
    _f("file_creation_date", 24, 29, "N", "File creation date YYMMDD"),
    _f("file_creation_time", 30, 33, "N", "File creation time HHMM (optional)"),
    _f("file_id_modifier", 34, 34, "A", "File ID modifier A-Z, 0-9"),
    _f("record_size", 35, 37, "C", "Record size '094'"),
    _f("blocking_factor", 38, 39, "C", "Blocking factor '10'"),
    _f("format_code", 40, 40, "C", "Format code '1'"),
    _f("immediate_destination_name", 41, 63, "A", "Immediate destination name"),
    _f("immediate_origin_name", 64, 86, "A", "Immediate origin name"),
    _f("reference_code", 87, 94, "A", "Reference code"),
)

BATCH_HEADER = (
    _f("record_type", 1, 1, "C", "Record type code '5'"),
    _f("service_class_code", 2, 4, "N", "Service class code 200/220/225"),
    _f("company_name", 5, 20, "A", "Company name"),
    _f("company_discretionary_data", 21, 40, "A", "Company discretionary data"),
    _f("company_identification", 41, 50, "A", "Company identification"),
    _f("sec_code", 51, 53, "A", "Standard entry class code (PPD, CCD, WEB, COR...)"),
    _f("company_entry_description", 54, 63, "A", "Company entry description"),
    _f("company_descriptive_date", 64, 69, "A", "Company descriptive date"),
    _f("effective_entry_date", 70, 75, "N", "Effective entry date YYMMDD"),
    _f("settlement_date", 76, 78, "N", "Settlement date (Julian, blank: inserted by the ACH operator)"),
    _f("originator_status_code", 79, 79, "A", "Originator status code"),
    _f("odfi_identification", 80, 87, "N", "Originating DFI identification (8 digits)"),
    _f("batch_number", 88, 94, "N", "Batch number"),
)

ENTRY_DETAIL = (
    _f("record_type", 1, 1, "C", "Record type code '6'"),
    _f("transaction_code", 2, 3, "N", "Transaction code (27/37 debit, 28/38 prenote, 22/32 credit...)"),
    _f("receiving_dfi_identification", 4, 11, "N", "Receiving DFI identification (routing, 8 digits)"),
    _f("check_digit", 12, 12, "N", "Routing number check digit"),
    _f("account_number", 13, 29, "A", "DFI account number"),
    _f("amount_cents", 30, 39, "N", "Amount in cents"),
    _f("identification_number", 40, 54, "A", "Individual / company identification number"),
    _f("name", 55, 76, "A", "Individual name / receiving company name"),
    _f("discretionary_data", 77, 78, "A", "Discretionary data (WEB: payment type code)"),
    _f("addenda_indicator", 79, 79, "N", "Addenda record indicator 0/1"),
    _f("trace_number", 80, 94, "N", "Trace number (ODFI 8 digits + sequence 7 digits)"),
)

ADDENDA_05 = (
    _f("record_type", 1, 1, "C", "Record type code '7'"),
    _f("addenda_type", 2, 3, "C", "Addenda type code '05'"),
    _f("payment_related_information", 4, 83, "A", "Payment related information"),
    _f("sequence_number", 84, 87, "N", "Addenda sequence number"),
    _f("entry_detail_sequence_number", 88, 94, "N", "Entry detail sequence number"),
)

ADDENDA_98 = (
    _f("record_type", 1, 1, "C", "Record type code '7'"),
    _f("addenda_type", 2, 3, "C", "Addenda type code '98'"),
    _f("change_code", 4, 6, "A", "Change code (C01...)"),
    _f("original_trace_number", 7, 21, "N", "Original entry trace number"),
    _f("reserved", 22, 27, "B", "Reserved"),
    _f("original_rdfi_identification", 28, 35, "N", "Original receiving DFI identification"),
    _f("corrected_data", 36, 64, "A", "Corrected data"),
    _f("reserved", 65, 79, "B", "Reserved"),
    _f("trace_number", 80, 94, "N", "Trace number"),
)

ADDENDA_99 = (
    _f("record_type", 1, 1, "C", "Record type code '7'"),
    _f("addenda_type", 2, 3, "C", "Addenda type code '99'"),
    _f("return_reason_code", 4, 6, "A", "Return reason code (R01...)"),
    _f("original_trace_number", 7, 21, "N", "Original entry trace number"),
    _f("date_of_death", 22, 27, "N", "Date of death YYMMDD (or blank)"),
    _f("original_rdfi_identification", 28, 35, "N", "Original receiving DFI identification"),
    _f("addenda_information", 36, 79, "A", "Addenda information"),
    _f("trace_number", 80, 94, "N", "Trace number"),
)

ADDENDA_99_DISHONORED = (
    _f("record_type", 1, 1, "C", "Record type code '7'"),
    _f("addenda_type", 2, 3, "C", "Addenda type code '99'"),
    _f("return_reason_code", 4, 6, "A", "Dishonored return reason code (R61, R62, R67-R70)"),
    _f("original_trace_number", 7, 21, "N", "Original entry trace number"),
    _f("reserved", 22, 27, "B", "Reserved"),
    _f("original_rdfi_identification", 28, 35, "N", "Original receiving DFI identification"),
    _f("reserved", 36, 38, "B", "Reserved"),
    _f("return_trace_number", 39, 53, "N", "Return trace number"),
    _f("return_settlement_date", 54, 56, "N", "Return settlement date (Julian)"),
    _f("original_return_reason", 57, 58, "N", "Return reason code (2 digits)"),
    _f("addenda_information", 59, 79, "A", "Addenda information"),
    _f("trace_number", 80, 94, "N", "Trace number"),
)

ADDENDA_99_CONTESTED = (
    _f("record_type", 1, 1, "C", "Record type code '7'"),
    _f("addenda_type", 2, 3, "C", "Addenda type code '99'"),
    _f("return_reason_code", 4, 6, "A", "Contested dishonored return reason code (R71-R77)"),
    _f("original_trace_number", 7, 21, "N", "Original entry trace number"),
    _f("date_original_entry_returned", 22, 27, "N", "Date original entry returned"),
    _f("original_rdfi_identification", 28, 35, "N", "Original receiving DFI identification"),
    _f("original_settlement_date", 36, 38, "N", "Original settlement date (Julian)"),
    _f("return_trace_number", 39, 53, "N", "Return trace number"),
    _f("return_settlement_date", 54, 56, "N", "Return settlement date (Julian)"),
    _f("original_return_reason", 57, 58, "N", "Return reason code (2 digits)"),
    _f("dishonored_return_trace_number", 59, 73, "N", "Dishonored return trace number"),
    _f("dishonored_return_settlement_date", 74, 76, "N", "Dishonored return settlement date"),
    _f("dishonored_return_reason", 77, 78, "N", "Dishonored return reason code (2 digits)"),
    _f("reserved", 79, 79, "B", "Reserved"),
    _f("trace_number", 80, 94, "N", "Trace number"),
)

BATCH_CONTROL = (
    _f("record_type", 1, 1, "C", "Record type code '8'"),
    _f("service_class_code", 2, 4, "N", "Service class code (as the batch header)"),
    _f("entry_addenda_count", 5, 10, "N", "Entry/addenda count"),
    _f("entry_hash", 11, 20, "N", "Entry hash (sum of receiving DFI ids, rightmost 10 digits)"),
    _f("total_debit_cents", 21, 32, "N", "Total debit entry dollar amount (cents)"),
    _f("total_credit_cents", 33, 44, "N", "Total credit entry dollar amount (cents)"),
    _f("company_identification", 45, 54, "A", "Company identification (as the batch header)"),
    _f("message_authentication_code", 55, 73, "A", "Message authentication code"),
    _f("reserved", 74, 79, "B", "Reserved"),
    _f("odfi_identification", 80, 87, "N", "Originating DFI identification"),
    _f("batch_number", 88, 94, "N", "Batch number"),
)

FILE_CONTROL = (
    _f("record_type", 1, 1, "C", "Record type code '9'"),
    _f("batch_count", 2, 7, "N", "Batch count"),
    _f("block_count", 8, 13, "N", "Block count (records / 10, rounded up)"),
    _f("entry_addenda_count", 14, 21, "N", "Entry/addenda count"),
    _f("entry_hash", 22, 31, "N", "Entry hash"),
    _f("total_debit_cents", 32, 43, "N", "Total debit entry dollar amount (cents)"),
    _f("total_credit_cents", 44, 55, "N", "Total credit entry dollar amount (cents)"),
    _f("reserved", 56, 94, "B", "Reserved"),
)

LAYOUTS: dict[str, tuple[Field, ...]] = {
    "file header": FILE_HEADER,
    "batch header": BATCH_HEADER,
    "entry detail": ENTRY_DETAIL,
    "addenda 05": ADDENDA_05,
    "addenda 98": ADDENDA_98,
    "addenda 99": ADDENDA_99,
    "addenda 99 dishonored": ADDENDA_99_DISHONORED,
    "addenda 99 contested": ADDENDA_99_CONTESTED,
    "batch control": BATCH_CONTROL,
    "file control": FILE_CONTROL,
}


def field(layout: tuple[Field, ...], name: str) -> Field:
    """The field called ``name`` in ``layout`` (the first, for ``reserved``)."""
    for item in layout:
        if item.name == name:
            return item
    raise KeyError(name)


PADDING_RECORD = "9" * RECORD_LENGTH  # fills the last block of a file


def block_count(record_count: int) -> int:
    """Blocks of 10 records needed for ``record_count`` records (rounded up)."""
    return -(-record_count // BLOCKING_FACTOR)

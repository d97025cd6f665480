"""NACHA records as frozen dataclasses, and the containers (batch, file) that hold them.

Values are plain Python: money in integer cents, dates as ``datetime.date`` (``None`` where the field
is blank or zero, as in returns), routing and trace numbers as digit strings (leading zeros matter),
alphanumeric fields without their right padding. ``layouts.py`` gives each field's positions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from civicbill.nacha import codes


@dataclass(frozen=True, slots=True)
class FileHeader:
    """Record type 1."""

    immediate_destination: str  # routing number of the receiving point (9 digits), written " " + it
    immediate_origin: str  # up to 10 characters, usually " " + routing or a 10-digit company ID
    file_creation_date: dt.date | None
    file_creation_time: dt.time | None = None  # HHMM, optional (blank)
    file_id_modifier: str = "A"
    immediate_destination_name: str = ""
    immediate_origin_name: str = ""
    reference_code: str = ""
    priority_code: str = "01"


@dataclass(frozen=True, slots=True)
class BatchHeader:
    """Record type 5 (domestic layout)."""

    service_class_code: int
    company_name: str
    company_identification: str
    sec_code: str
    company_entry_description: str
    effective_entry_date: dt.date | None
    odfi_identification: str  # 8 digits: the originating bank's routing number without check digit
    batch_number: int
    company_discretionary_data: str = ""
    company_descriptive_date: str = ""
    settlement_date: str = ""  # Julian day, inserted by the ACH operator: blank in originated files
    originator_status_code: str = "1"


@dataclass(frozen=True, slots=True)
class Addenda05:
    """Addenda type 05: payment-related information for PPD/CCD/WEB entries."""

    payment_related_information: str
    sequence_number: int = 1
    entry_detail_sequence_number: int = 0  # last 7 digits of the entry's trace number


@dataclass(frozen=True, slots=True)
class Addenda98:
    """Addenda type 98: notification of change (or a refused NOC, codes C61-C69)."""

    change_code: str
    original_trace_number: str
    original_rdfi_identification: str
    corrected_data: str
    trace_number: str


@dataclass(frozen=True, slots=True)
class Addenda99:
    """Addenda type 99: a return."""

    return_reason_code: str
    original_trace_number: str
    original_rdfi_identification: str
    trace_number: str
    date_of_death: dt.date | None = None
    addenda_information: str = ""


@dataclass(frozen=True, slots=True)
class Addenda99Dishonored:
    """Addenda type 99, dishonored-return layout (R61, R62, R67-R70)."""

    return_reason_code: str
    original_trace_number: str
    original_rdfi_identification: str
    return_trace_number: str
    return_settlement_date: str
    original_return_reason: str  # two digits: the R code of the return being dishonored
    trace_number: str
    addenda_information: str = ""


@dataclass(frozen=True, slots=True)
class Addenda99Contested:
    """Addenda type 99, contested-dishonored-return layout (R71-R77)."""

    return_reason_code: str
    original_trace_number: str
    date_original_entry_returned: str
    original_rdfi_identification: str
    original_settlement_date: str
    return_trace_number: str
    return_settlement_date: str
    original_return_reason: str
    dishonored_return_trace_number: str
    dishonored_return_settlement_date: str
    dishonored_return_reason: str
    trace_number: str


Addenda = Addenda05 | Addenda98 | Addenda99 | Addenda99Dishonored | Addenda99Contested
ReturnAddenda = Addenda99 | Addenda99Dishonored | Addenda99Contested


@dataclass(frozen=True, slots=True)
class EntryDetail:
    """Record type 6 (PPD/CCD/WEB/COR layout), with its addenda records."""

    transaction_code: int
    routing_number: str  # 9 digits: receiving DFI identification (8) + check digit
    account_number: str
    amount_cents: int
    name: str  # individual name (PPD/WEB) or receiving company name (CCD)
    trace_number: str  # 15 digits: ODFI identification (8) + sequence (7)
    identification_number: str = ""
    discretionary_data: str = ""  # payment type code for WEB
    addenda: tuple[Addenda, ...] = ()

    @property
    def receiving_dfi_identification(self) -> str:
        return self.routing_number[:8]

    @property
    def addenda_indicator(self) -> int:
        return 1 if self.addenda else 0

    @property
    def is_debit(self) -> bool:
        return self.transaction_code in codes.DEBIT_CODES

    @property
    def is_credit(self) -> bool:
        return self.transaction_code in codes.CREDIT_CODES

    @property
    def is_prenote(self) -> bool:
        return self.transaction_code in codes.PRENOTE_CODES

    @property
    def return_addenda(self) -> ReturnAddenda | None:
        """The first addenda 99 (return), if any."""
        for addenda in self.addenda:
            if isinstance(addenda, Addenda99 | Addenda99Dishonored | Addenda99Contested):
                return addenda
        return None

    @property
    def change_addenda(self) -> Addenda98 | None:
        """The addenda 98 (notification of change), if any."""
        for addenda in self.addenda:
            if isinstance(addenda, Addenda98):
                return addenda
        return None


@dataclass(frozen=True, slots=True)
class BatchControl:
    """Record type 8."""

    service_class_code: int
    entry_addenda_count: int
    entry_hash: int
    total_debit_cents: int
    total_credit_cents: int
    company_identification: str
    odfi_identification: str
    batch_number: int
    message_authentication_code: str = ""


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch header, its entries (with addenda) and its control.

    An IAT batch is recognised but not parsed: ``entries`` is empty and ``unsupported_records`` holds
    its entry and addenda lines as read.
    """

    header: BatchHeader
    entries: tuple[EntryDetail, ...]
    control: BatchControl
    unsupported_records: tuple[str, ...] = ()

    @property
    def supported(self) -> bool:
        return self.header.sec_code not in codes.UNSUPPORTED_SEC_CODES

    @property
    def total_debit_cents(self) -> int:
        return sum(entry.amount_cents for entry in self.entries if entry.is_debit)

    @property
    def total_credit_cents(self) -> int:
        return sum(entry.amount_cents for entry in self.entries if entry.is_credit)


@dataclass(frozen=True, slots=True)
class FileControl:
    """Record type 9."""

    batch_count: int
    block_count: int
    entry_addenda_count: int
    entry_hash: int
    total_debit_cents: int
    total_credit_cents: int


@dataclass(frozen=True, slots=True)
class AchFile:
    header: FileHeader
    batches: tuple[Batch, ...]
    control: FileControl

    @property
    def entries(self) -> tuple[EntryDetail, ...]:
        return tuple(entry for batch in self.batches for entry in batch.entries)

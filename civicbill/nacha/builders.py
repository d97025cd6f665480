"""PPD debit (and prenote) files from plain payment data: what autopay drafts are made of."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from civicbill.nacha import codes
from civicbill.nacha.problems import NachaWriteError
from civicbill.nacha.records import AchFile, Addenda, Addenda05, BatchHeader, EntryDetail, FileHeader
from civicbill.nacha.writer import make_batch, make_file, trace_number

CHECKING = "checking"
SAVINGS = "savings"


def clean_text(text: str, width: int) -> str:
    """Text fit for an alphanumeric field: accents dropped (José -> JOSE), upper case, printable ASCII
    only, runs of spaces collapsed, cut to ``width``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    printable = "".join(char if " " <= char <= "~" else " " for char in ascii_text)
    return " ".join(printable.upper().split())[:width].rstrip(" ")


@dataclass(frozen=True, slots=True)
class Originator:
    """The city's ACH origination settings."""

    company_name: str  # up to 16 characters
    company_identification: str  # up to 10 characters, e.g. "1" + the city's EIN
    odfi_routing_number: str  # the originating bank's 9-digit routing number
    immediate_destination: str  # 9-digit routing number of the bank (or operator) receiving the file
    immediate_origin: str  # up to 10 characters
    immediate_destination_name: str = ""
    immediate_origin_name: str = ""
    company_entry_description: str = "UTILITY"  # up to 10 characters, shown on the bank statement


@dataclass(frozen=True, slots=True)
class Debit:
    """One PPD debit (or prenote) to a customer's account."""

    routing_number: str
    account_number: str
    amount_cents: int
    name: str
    identification_number: str = ""  # e.g. the utility account number
    account_type: str = CHECKING  # "checking" or "savings"
    prenote: bool = False
    payment_information: str = ""  # optional addenda 05 text


def debit_transaction_code(*, account_type: str, prenote: bool) -> int:
    """27 checking debit, 37 savings debit, 28/38 their prenotes."""
    if account_type == CHECKING:
        return codes.CHECKING_PRENOTE_DEBIT if prenote else codes.CHECKING_DEBIT
    if account_type == SAVINGS:
        return codes.SAVINGS_PRENOTE_DEBIT if prenote else codes.SAVINGS_DEBIT
    raise NachaWriteError(f"account type {account_type!r} must be 'checking' or 'savings'")


def ppd_debit_file(
    *,
    originator: Originator,
    debits: Sequence[Debit],
    effective_entry_date: dt.date,
    created_at: dt.datetime,
    file_id_modifier: str,
    is_business_day: Callable[[dt.date], bool],
    first_trace_sequence: int = 1,
    batch_number: int = 1,
    reference_code: str = "",
) -> AchFile:
    """One PPD batch (service class 225, debits only) of ``debits``, with trace numbers ODFI + sequence.

    ``created_at`` is the file creation time in the utility's zone (its date and HH:MM are written);
    ``effective_entry_date`` must be a business day (by ``is_business_day``) after the creation date.
    Names and free text are cleaned with ``clean_text``; routing numbers must pass their check digit
    and amounts be positive (zero for prenotes), or ``NachaWriteError`` is raised.
    """
    if not is_business_day(effective_entry_date):
        raise NachaWriteError(
            f"effective entry date {effective_entry_date.isoformat()} is not a business day"
        )
    if effective_entry_date <= created_at.date():
        raise NachaWriteError(
            f"effective entry date {effective_entry_date.isoformat()} must be after the file creation date "
            f"{created_at.date().isoformat()}"
        )
    if not codes.is_valid_routing_number(originator.odfi_routing_number):
        raise NachaWriteError(f"ODFI routing number {originator.odfi_routing_number!r} fails its check digit")
    odfi = originator.odfi_routing_number[:8]
    entries = []
    for offset, debit in enumerate(debits):
        if not codes.is_valid_routing_number(debit.routing_number):
            raise NachaWriteError(f"routing number {debit.routing_number!r} fails its check digit")
        if debit.prenote and debit.amount_cents != 0:
            raise NachaWriteError(f"a prenote carries no money, not {debit.amount_cents} cents")
        if not debit.prenote and debit.amount_cents <= 0:
            raise NachaWriteError(f"a debit must be for a positive amount, not {debit.amount_cents} cents")
        account = debit.account_number.strip()
        if not account or len(account) > 17:
            raise NachaWriteError("the account number must have 1 to 17 characters")
        addenda: tuple[Addenda, ...] = ()
        if debit.payment_information:
            addenda = (Addenda05(clean_text(debit.payment_information, 80)),)
        entries.append(
            EntryDetail(
                transaction_code=debit_transaction_code(
                    account_type=debit.account_type, prenote=debit.prenote
                ),
                routing_number=debit.routing_number,
                account_number=clean_text(account, 17),
                amount_cents=debit.amount_cents,
                name=clean_text(debit.name, 22),
                trace_number=trace_number(odfi, first_trace_sequence + offset),
                identification_number=clean_text(debit.identification_number, 15),
                addenda=addenda,
            )
        )
    header = BatchHeader(
        service_class_code=codes.SERVICE_CLASS_DEBITS,
        company_name=clean_text(originator.company_name, 16),
        company_identification=clean_text(originator.company_identification, 10),
        sec_code="PPD",
        company_entry_description=clean_text(originator.company_entry_description, 10),
        effective_entry_date=effective_entry_date,
        odfi_identification=odfi,
        batch_number=batch_number,
    )
    file_header = FileHeader(
        immediate_destination=originator.immediate_destination,
        immediate_origin=originator.immediate_origin.strip(),
        file_creation_date=created_at.date(),
        file_creation_time=dt.time(created_at.hour, created_at.minute),
        file_id_modifier=file_id_modifier,
        immediate_destination_name=clean_text(originator.immediate_destination_name, 23),
        immediate_origin_name=clean_text(originator.immediate_origin_name, 23),
        reference_code=clean_text(reference_code, 8),
    )
    batch = make_batch(header=header, entries=entries, is_business_day=is_business_day)
    return make_file(header=file_header, batches=[batch])

"""What the bank sends back, built as the bank would: return and notification-of-change files.

For the tests, the demo city and trying the import before a bank's test environment is at hand
(docs/autopay.md, "Testing with a bank"). :func:`return_file` is pure (plain data in, NACHA bytes out,
written and checked by :mod:`civicbill.nacha`); :func:`return_specs` reads what it needs
from draft entries (decrypting their account numbers, as the bank holds them).

A return is an entry with transaction code 26 (checking) / 36 (savings) for the drafted amount and
an addenda 99 naming the original trace number and the R code; a notification of change is a
zero-dollar entry in a COR batch with an addenda 98 carrying the change code and corrected data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from civicbill import nacha

RETURNING_BANK_ROUTING = "091000019"  # the (sample) bank sending the returns back
CHECKING_RETURN = 26
SAVINGS_RETURN = 36


@dataclass(frozen=True, slots=True)
class ReturnSpec:
    """One return (``code`` R..) or notification of change (``code`` C.., with ``corrected_data``)."""

    original_trace_number: str
    code: str
    routing_number: str
    account_number: str
    amount_cents: int
    name: str
    account_type: str = nacha.CHECKING
    corrected_data: str = ""

    def __repr__(self) -> str:  # never print the account number
        return f"ReturnSpec({self.code} of {self.original_trace_number}, {self.amount_cents} cents)"


def corrected_data(
    change_code: str,
    *,
    routing_number: str = "",
    account_number: str = "",
    transaction_code: int | None = None,
) -> str:
    """The 29-character corrected data of a notification of change (layouts as
    :func:`civicbill.nacha.parse_corrected_data` reads them)."""
    code = "" if transaction_code is None else f"{transaction_code:02d}"
    layouts = {
        "C01": account_number.ljust(17),
        "C02": routing_number,
        "C03": routing_number.ljust(9) + "   " + account_number.ljust(17),
        "C05": code,
        "C06": account_number.ljust(17) + "     " + code,
        "C07": routing_number.ljust(9) + account_number.ljust(17) + code,
    }
    return layouts.get(change_code, "").ljust(29)[:29]


def return_file(
    *,
    originator: nacha.Originator,
    items: Sequence[ReturnSpec],
    created_on: dt.date,
    file_id_modifier: str = "A",
    returning_bank_routing: str = RETURNING_BANK_ROUTING,
) -> bytes:
    """A return/NOC file for ``items``: returns in a PPD batch, notifications of change in a COR
    batch, trace numbers of the returning bank."""
    bank = returning_bank_routing[:8]
    returns = [item for item in items if item.code.startswith("R")]
    changes = [item for item in items if item.code.startswith("C")]
    batches = []
    sequence = 0
    for batch_number, (group, sec_code) in enumerate(((returns, "PPD"), (changes, "COR")), start=1):
        if not group:
            continue
        entries = []
        for item in group:
            sequence += 1
            trace = nacha.trace_number(bank, sequence)
            addenda: nacha.Addenda
            if sec_code == "PPD":
                addenda = nacha.Addenda99(
                    return_reason_code=item.code,
                    original_trace_number=item.original_trace_number,
                    original_rdfi_identification=item.routing_number[:8],
                    trace_number=trace,
                )
            else:
                addenda = nacha.Addenda98(
                    change_code=item.code,
                    original_trace_number=item.original_trace_number,
                    original_rdfi_identification=item.routing_number[:8],
                    corrected_data=item.corrected_data,
                    trace_number=trace,
                )
            entries.append(
                nacha.EntryDetail(
                    transaction_code=SAVINGS_RETURN
                    if item.account_type == nacha.SAVINGS
                    else CHECKING_RETURN,
                    routing_number=item.routing_number,
                    account_number=item.account_number,
                    amount_cents=item.amount_cents if sec_code == "PPD" else 0,
                    name=nacha.clean_text(item.name, 22),
                    trace_number=trace,
                    addenda=(addenda,),
                )
            )
        header = nacha.BatchHeader(
            service_class_code=200,
            company_name=nacha.clean_text(originator.company_name, 16),
            company_identification=originator.company_identification,
            sec_code=sec_code,
            company_entry_description=nacha.clean_text(originator.company_entry_description, 10),
            effective_entry_date=created_on,
            odfi_identification=bank,
            batch_number=batch_number,
        )
        batches.append(nacha.make_batch(header=header, entries=entries))
    file_header = nacha.FileHeader(
        immediate_destination=originator.odfi_routing_number,
        immediate_origin=returning_bank_routing,
        file_creation_date=created_on,
        file_creation_time=dt.time(6, 0),
        file_id_modifier=file_id_modifier,
        immediate_destination_name=nacha.clean_text(originator.company_name, 23),
        immediate_origin_name="RETURNING BANK",
    )
    return nacha.write_file(nacha.make_file(header=file_header, batches=batches))


def return_specs(entries: Iterable[tuple[object, str, str]]) -> list[ReturnSpec]:
    """Specs for ``(draft entry, code, corrected data)`` triples, read from the draft entries and
    their enrollments (the account number decrypted, as the bank knows it)."""
    from civicbill.autopay.models import DraftEntry
    from civicbill.autopay.services.enrollment import bank_account_number

    specs = []
    for entry, code, data in entries:
        if not isinstance(entry, DraftEntry):
            raise TypeError("return_specs takes draft entries")
        specs.append(
            ReturnSpec(
                original_trace_number=entry.trace_number,
                code=code,
                routing_number=entry.routing_number,
                account_number=bank_account_number(entry.enrollment),
                amount_cents=entry.amount_cents,
                name=entry.enrollment.holder_name,
                account_type=nacha.SAVINGS if entry.transaction_code in (37, 38) else nacha.CHECKING,
                corrected_data=data,
            )
        )
    return specs

"""Hypothesis strategies for whole NACHA files the writer accepts."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from civicbill import nacha
from civicbill.nacha import codes

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -.,'&/#*()"


def text(max_size: int, *, required: bool = False) -> st.SearchStrategy[str]:
    """Upper-case printable text without trailing spaces (as the reader gives it back)."""
    return (
        st.text(ALPHABET, min_size=1 if required else 0, max_size=max_size)
        .map(lambda value: value.rstrip(" "))
        .filter(lambda value: bool(value) or not required)
    )


def digits(size: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=size, max_size=size)


routing_numbers = digits(8).map(lambda first: first + str(nacha.routing_check_digit(first)))
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
times = st.builds(dt.time, st.integers(0, 23), st.integers(0, 59))
amounts = st.integers(0, 9_999_999_999)
STANDARD_RETURNS = sorted(
    set(codes.RETURN_REASON_CODES) - codes.DISHONORED_RETURN_CODES - codes.CONTESTED_RETURN_CODES
)
SEC_FOR_PAYMENTS = ["PPD", "CCD", "WEB", "TEL", "POS"]

file_headers = st.builds(
    nacha.FileHeader,
    immediate_destination=routing_numbers,
    immediate_origin=st.one_of(routing_numbers, digits(10)),
    file_creation_date=dates,
    file_creation_time=st.none() | times,
    file_id_modifier=st.sampled_from(codes.FILE_ID_MODIFIERS),
    immediate_destination_name=text(23),
    immediate_origin_name=text(23),
    reference_code=text(8),
)


def return_addenda(trace: str) -> st.SearchStrategy[nacha.Addenda]:
    standard = st.builds(
        nacha.Addenda99,
        return_reason_code=st.sampled_from(STANDARD_RETURNS),
        original_trace_number=digits(15),
        original_rdfi_identification=digits(8),
        trace_number=st.just(trace),
        date_of_death=st.none() | dates,
        addenda_information=text(44),
    )
    dishonored = st.builds(
        nacha.Addenda99Dishonored,
        return_reason_code=st.sampled_from(sorted(codes.DISHONORED_RETURN_CODES)),
        original_trace_number=digits(15),
        original_rdfi_identification=digits(8),
        return_trace_number=digits(15),
        return_settlement_date=st.just("") | digits(3),
        original_return_reason=digits(2),
        trace_number=st.just(trace),
        addenda_information=text(21),
    )
    contested = st.builds(
        nacha.Addenda99Contested,
        return_reason_code=st.sampled_from(sorted(codes.CONTESTED_RETURN_CODES)),
        original_trace_number=digits(15),
        date_original_entry_returned=st.just("") | digits(6),
        original_rdfi_identification=digits(8),
        original_settlement_date=st.just("") | digits(3),
        return_trace_number=digits(15),
        return_settlement_date=st.just("") | digits(3),
        original_return_reason=digits(2),
        dishonored_return_trace_number=digits(15),
        dishonored_return_settlement_date=st.just("") | digits(3),
        dishonored_return_reason=digits(2),
        trace_number=st.just(trace),
    )
    return st.one_of(standard, dishonored, contested)


def change_addenda(trace: str) -> st.SearchStrategy[nacha.Addenda98]:
    corrected = st.one_of(
        st.tuples(st.just("C01"), text(17, required=True).filter(lambda v: not v.startswith(" "))),
        st.tuples(st.just("C02"), routing_numbers),
        st.tuples(st.just("C05"), st.sampled_from(["22", "27", "32", "37"])),
        st.tuples(st.just("C09"), text(22, required=True)),
    )
    return corrected.flatmap(
        lambda pair: st.builds(
            nacha.Addenda98,
            change_code=st.just(pair[0]),
            original_trace_number=digits(15),
            original_rdfi_identification=digits(8),
            corrected_data=st.just(pair[1]),
            trace_number=st.just(trace),
        )
    )


@st.composite
def batches(draw: st.DrawFn, batch_number: int) -> nacha.Batch:
    kind = draw(st.sampled_from(["payments", "returns", "cor"]))
    odfi = draw(digits(8))
    sec = draw(st.sampled_from(SEC_FOR_PAYMENTS)) if kind != "cor" else "COR"
    count = draw(st.integers(0, 6))
    sequences = sorted(draw(st.sets(st.integers(1, 9_999_999), min_size=count, max_size=count)))
    entries = []
    for sequence in sequences:
        trace = f"{odfi}{sequence:07d}"
        if kind == "cor":
            code = draw(st.sampled_from([21, 26, 31, 36]))
            addenda: tuple[nacha.Addenda, ...] = (draw(change_addenda(trace)),)
            amount = 0
        else:
            code = draw(
                st.sampled_from(
                    [22, 23, 27, 28, 32, 33, 37, 38] + ([21, 26, 31, 36] if kind == "returns" else [])
                )
            )
            amount = 0 if code in codes.ZERO_AMOUNT_CODES else draw(amounts)
            if kind == "returns":
                addenda = (draw(return_addenda(trace)),)
            else:
                notes = draw(st.lists(text(80), max_size=2))
                addenda = tuple(nacha.Addenda05(note) for note in notes)
        entries.append(
            nacha.EntryDetail(
                transaction_code=code,
                routing_number=draw(routing_numbers),
                account_number=draw(text(17, required=True).filter(lambda v: not v.startswith(" "))),
                amount_cents=amount,
                name=draw(text(22)),
                trace_number=trace,
                identification_number=draw(text(15)),
                discretionary_data=draw(text(2)),
                addenda=addenda,
            )
        )
    header = nacha.BatchHeader(
        service_class_code=200,
        company_name=draw(text(16)),
        company_identification=draw(text(10, required=True).filter(lambda v: not v.startswith(" "))),
        sec_code=sec,
        company_entry_description=draw(text(10)),
        effective_entry_date=draw(st.none() | dates),
        odfi_identification=odfi,
        batch_number=batch_number,
        company_discretionary_data=draw(text(20)),
        company_descriptive_date=draw(text(6)),
        settlement_date=draw(st.just("") | digits(3)),
        originator_status_code=draw(st.sampled_from("012")),
    )
    return nacha.make_batch(header=header, entries=entries)


@st.composite
def ach_files(draw: st.DrawFn) -> nacha.AchFile:
    numbers = sorted(draw(st.sets(st.integers(1, 9_999_999), max_size=4)))
    return nacha.make_file(header=draw(file_headers), batches=[draw(batches(number)) for number in numbers])

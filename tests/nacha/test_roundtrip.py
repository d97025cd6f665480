"""Property: what the writer writes, the reader reads back identically (and finds nothing wrong)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from civicbill import nacha
from tests.nacha.strategies import ach_files

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(ach_files())
def test_written_files_read_back_identically(ach):
    data = nacha.write_file(ach)
    result = nacha.read_file(data, strict=True)
    assert result.problems == ()
    assert result.file == ach


@SETTINGS
@given(ach_files())
def test_written_files_have_94_character_records_in_blocks_of_ten(ach):
    lines = nacha.write_file(ach).decode("ascii").split("\n")
    assert lines[-1] == ""
    records = lines[:-1]
    assert {len(record) for record in records} == {94}
    assert len(records) % 10 == 0
    assert ach.control.block_count == len(records) // 10
    padding = records[records.index(next(r for r in records if r.startswith("9") and r != "9" * 94)) + 1 :]
    assert padding == ["9" * 94] * len(padding)


@SETTINGS
@given(ach_files())
def test_controls_match_the_entries(ach):
    entries = ach.entries
    assert ach.control.entry_hash == sum(int(e.routing_number[:8]) for e in entries) % 10**10
    assert ach.control.total_debit_cents == sum(e.amount_cents for e in entries if e.is_debit)
    assert ach.control.total_credit_cents == sum(e.amount_cents for e in entries if e.is_credit)
    assert ach.control.entry_addenda_count == sum(1 + len(e.addenda) for e in entries)
    assert ach.control.batch_count == len(ach.batches)

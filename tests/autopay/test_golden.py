"""Golden files: the prenote file and the draft file of the December scenario, byte for byte.

Fixed clock and data (three test customers, Coachella rates, cycle 1), so the bytes never change
unless the rules do. To accept a deliberate change, run with ``CIVICBILL_UPDATE_GOLDEN=1`` and
review the difference in the stored files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from civicbill.autopay import selectors
from civicbill.autopay.models import DraftFile
from civicbill.nacha import read_file
from tests.autopay.conftest import DEC_3, DEC_21, Drafted

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).with_name("golden")


def assert_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("CIVICBILL_UPDATE_GOLDEN") == "1":
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} differs from the stored golden file"


def test_the_prenote_and_draft_files_are_exactly_the_golden_bytes(drafted: Drafted) -> None:
    prenote_file = DraftFile.objects.get(effective_date=DEC_3)
    draft_file = DraftFile.objects.get(effective_date=DEC_21)
    prenotes = selectors.draft_file_bytes(prenote_file)
    drafts = selectors.draft_file_bytes(draft_file)
    assert_golden("prenotes-20261203.ach", prenotes)
    assert_golden("draft-20261221.ach", drafts)
    for data in (prenotes, drafts):
        result = read_file(data, strict=True)
        assert result.valid and not result.problems
        assert all(len(line) == 94 for line in data.decode("ascii").splitlines())
        assert len(data.decode("ascii").splitlines()) % 10 == 0


def test_the_golden_draft_reads_back_as_the_stored_totals(drafted: Drafted) -> None:
    draft_file = drafted.draft
    result = read_file((GOLDEN / "draft-20261221.ach").read_bytes())
    assert result.file is not None
    control = result.file.control
    assert (control.total_debit_cents, control.entry_hash, control.block_count * 10) == (
        draft_file.total_debit_cents, draft_file.entry_hash, draft_file.record_count,
    )  # fmt: skip
    header = result.file.batches[0].header
    assert (header.company_name, header.company_identification, header.company_entry_description) == (
        "CITY COACHELLA", "1956000123", "UTILITY",
    )  # fmt: skip
    assert (header.service_class_code, header.sec_code, header.effective_entry_date) == (225, "PPD", DEC_21)
    traces = [entry.trace_number for entry in result.file.entries]
    assert traces == ["121042880000004", "121042880000005", "121042880000006"]


def test_the_file_is_stored_encrypted(drafted: Drafted, settings: Any) -> None:
    draft_file = drafted.draft
    assert b"123456789" not in draft_file.content_encrypted.encode()
    assert "UTILITY" not in draft_file.content_encrypted

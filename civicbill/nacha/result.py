"""What reading a NACHA file gives: the records that could be read and every problem found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from civicbill.nacha.problems import ERROR, Problem
from civicbill.nacha.records import AchFile, Batch, EntryDetail, FileControl, FileHeader


@dataclass(frozen=True, slots=True)
class ReadResult:
    header: FileHeader | None
    batches: tuple[Batch, ...]
    control: FileControl | None
    problems: tuple[Problem, ...]
    record_count: int  # records read (after line repairs), padding included
    total_debit_cents: int = 0  # from every debit entry record read (unsupported batches included)
    total_credit_cents: int = 0

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.severity != ERROR)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def file(self) -> AchFile | None:
        """The file's records, when it has both a file header and a file control (valid or not)."""
        if self.header is None or self.control is None:
            return None
        return AchFile(header=self.header, batches=self.batches, control=self.control)

    @property
    def entries(self) -> tuple[EntryDetail, ...]:
        return tuple(entry for batch in self.batches for entry in batch.entries)

    def summary(self) -> dict[str, Any]:
        """Counts and totals computed from the records read (not taken from the control records)."""
        entries = self.entries
        return {
            "valid": self.valid,
            "records": self.record_count,
            "batches": len(self.batches),
            "unsupported_batches": sum(1 for batch in self.batches if not batch.supported),
            "entries": len(entries),
            "debit_entries": sum(1 for entry in entries if entry.is_debit),
            "credit_entries": sum(1 for entry in entries if entry.is_credit),
            "prenotes": sum(1 for entry in entries if entry.is_prenote),
            "returns": sum(1 for entry in entries if entry.return_addenda is not None),
            "notifications_of_change": sum(1 for entry in entries if entry.change_addenda is not None),
            "total_debit_cents": self.total_debit_cents,
            "total_credit_cents": self.total_credit_cents,
            "sec_codes": sorted({batch.header.sec_code for batch in self.batches}),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

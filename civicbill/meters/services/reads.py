"""Reads: manual entry, file import, and estimation of missing reads (with the automatic true-up).

Every read goes through the same pure rules (:mod:`civicbill.meters.validation`) with context loaded
set-based (:mod:`civicbill.meters.services.read_context`). An accepted read is stored ACTUAL (or
ESTIMATED) with the consumption it bills; an exception is stored with status EXCEPTION and an OPEN
``ReadException`` for the review queue; a bad read is never stored (manual entry raises
``ApplicationError``; an import reports the row with its line number and keeps the good rows).

The meters a write touches are locked first (``locks.lock_meters``), so two writers never validate a
meter's read against the same stale history. Everything a call writes commits together, with one
audit event (per read entered, per file imported, per estimation run).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db import IntegrityError, transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.chunks import in_list_slices
from civicbill.core.collector import collector_paused
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.core.textfiles import content_fingerprint
from civicbill.meters import formats
from civicbill.meters.consumption import to_hcf
from civicbill.meters.formats import BadRow, FormatError, ParsedFile
from civicbill.meters.formats.ami_interval import daily_register_reads
from civicbill.meters.leaks import HourlyUse, LeakFinding, probable_leaks
from civicbill.meters.models import (
    IntervalRead,
    Read,
    ReadException,
    ReadImport,
    ReadSource,
    ReadStatus,
    ServicePoint,
)
from civicbill.meters.services.installations import account_number_at
from civicbill.meters.services.read_context import load_context
from civicbill.meters.services.read_store import (
    insert_accepted_reads_trusted,
    insert_held_reads_trusted,
    insert_intervals_trusted,
)
from civicbill.meters.validation import (
    Candidate,
    ReadResult,
    ReadValidator,
    Verdict,
    iter_validated,
    shown,
    validate_reads,
)

ENTRY_SOURCES = (ReadSource.MANUAL, ReadSource.HANDHELD, ReadSource.AMR, ReadSource.AMI, ReadSource.FIELD)
ProgressCallback = Callable[[str, int, int], None]  # (stage, done, total); stages: parse, validate, store
PROGRESS_EVERY = 50_000


@dataclass(frozen=True)
class ReadOutcome:
    """What happened to one read entered: accepted, or held for review with the rule's code."""

    read: Read
    exception: ReadException | None
    consumption_hcf: Decimal | None
    code: str = ""
    message: str = ""

    @property
    def accepted(self) -> bool:
        return self.exception is None


@dataclass(frozen=True)
class ExceptionLine:
    line: int
    meter_serial: str
    read_on: dt.date
    value: Decimal | None
    code: str
    message: str


@dataclass(frozen=True)
class ImportReport:
    file_name: str
    file_format: str
    file_sha256: str
    preview: bool
    rows_total: int  # data rows in the file (AMI: intervals)
    reads_accepted: int  # AMI: the daily register reads derived from the intervals
    reads_exception: int
    rows_bad: int
    bad_rows: tuple[BadRow, ...]  # by line: cannot be stored (bad format, unknown meter, duplicate...)
    exceptions: tuple[ExceptionLine, ...]  # stored for review (or would be, in a preview)
    exceptions_by_code: dict[str, int]
    intervals_stored: int = 0
    notes: tuple[BadRow, ...] = ()  # AMI: days without a derived read, intervals already stored
    probable_leaks: tuple[LeakFinding, ...] = ()
    read_import_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "file_format": self.file_format,
            "file_sha256": self.file_sha256,
            "preview": self.preview,
            "read_import_id": self.read_import_id,
            "rows_total": self.rows_total,
            "reads_accepted": self.reads_accepted,
            "reads_exception": self.reads_exception,
            "rows_bad": self.rows_bad,
            "exceptions_by_code": dict(sorted(self.exceptions_by_code.items())),
            "bad_rows": [{"line": b.line, "code": b.code, "reason": b.reason} for b in self.bad_rows],
            "exceptions": [
                {
                    "line": e.line,
                    "meter_serial": e.meter_serial,
                    "read_on": e.read_on.isoformat(),
                    "value": None if e.value is None else str(e.value),
                    "code": e.code,
                    "message": e.message,
                }
                for e in self.exceptions
            ],
            "intervals_stored": self.intervals_stored,
            "notes": [{"line": n.line, "code": n.code, "reason": n.reason} for n in self.notes],
            "probable_leaks": [
                {
                    "meter_serial": leak.meter_key,
                    "flow_since": leak.flow_since.isoformat(),
                    "hours": leak.hours,
                    "min_hourly_hcf": str(leak.min_hourly),
                    "summary": leak.summary,
                }
                for leak in self.probable_leaks
            ],
        }


def account_number_for_point(service_point_id: int | None, day: dt.date) -> str:
    if service_point_id is None:
        return ""
    premise_id = ServicePoint.objects.filter(pk=service_point_id).values_list("premise_id", flat=True).first()
    return account_number_at(premise_id, day) if premise_id else ""


# -- one read at a time --------------------------------------------------------------------------


def store_single_trusted(
    result: ReadResult, *, actor: Actor, at: dt.datetime, supersedes: Read | None = None, note: str = ""
) -> ReadOutcome:
    """Store one validated (not bad) result with the ORM; shared by entry and review decisions."""
    candidate = result.candidate
    estimated = candidate.source == ReadSource.ESTIMATED
    read = Read.objects.create(
        meter_id=cast(int, result.meter_id),
        installation_id=result.installation_id,
        service_point_id=result.service_point_id,
        read_on=candidate.read_on,
        value=cast(Decimal, result.value),
        source=candidate.source,
        status=(ReadStatus.ESTIMATED if estimated else ReadStatus.ACTUAL)
        if result.accepted
        else ReadStatus.EXCEPTION,
        consumption_hcf=result.consumption_hcf,
        rolled_over=result.rolled_over,
        supersedes=supersedes,
        note=note[:200],
        created_by=acting_user(actor),
        created_at=at,
    )
    exception = None
    if not result.accepted:
        exception = ReadException.objects.create(
            read=read, code=result.code, message=result.message[:300], created_at=at
        )
    return ReadOutcome(read, exception, result.consumption_hcf, result.code, result.message)


def validate_single(
    candidate: Candidate, *, as_of: dt.date, exclude_read_ids: Collection[int] = ()
) -> ReadResult:
    """Validate one read against fresh context, its meter locked until the transaction ends."""
    loaded = load_context(
        as_of=as_of,
        earliest_read_on=candidate.read_on,
        serials=[candidate.meter_serial],
        exclude_read_ids=exclude_read_ids,
        lock=True,
    )
    return ReadValidator(loaded.context).validate(candidate)


def _describe(outcome: ReadOutcome, serial: str) -> str:
    read = outcome.read
    what = f"Read {shown(read.value)} on meter {serial} on {read.read_on}"
    if outcome.accepted:
        return f"{what}: accepted ({outcome.consumption_hcf} HCF)"
    return f"{what}: held for review ({outcome.code})"


@transaction.atomic
def read_record(
    *,
    meter_serial: str,
    read_on: dt.date,
    value: Decimal,
    source: str,
    actor: Actor,
    as_of: dt.date,
    note: str = "",
) -> ReadOutcome:
    """Enter one read (account page, route entry, API, a field re-read). An exception is stored for
    review; a bad read (unknown meter, not a number, too many digits, a duplicate) raises
    ApplicationError and stores nothing."""
    require_permission(actor, "reads.enter")
    if source not in ENTRY_SOURCES:
        raise ApplicationError(
            f"Source {source!r} cannot be entered here; choose one of {', '.join(ENTRY_SOURCES)}.",
            field="source",
        )
    serial = str(meter_serial).strip()
    result = validate_single(Candidate(serial, read_on, value, source), as_of=as_of)
    if result.verdict is Verdict.BAD:
        raise ApplicationError(
            result.message,
            code=result.code,
            field="meter_serial" if result.code == "unknown_meter" else "value",
        )
    outcome = store_single_trusted(result, actor=actor, at=clock.now(), note=note)
    audit_record(
        actor=actor,
        action="read.record",
        target=outcome.read,
        at=outcome.read.created_at,
        account_number=account_number_for_point(result.service_point_id, read_on),
        summary=_describe(outcome, serial),
        changes={
            "meter": serial,
            "read_on": read_on.isoformat(),
            "value": str(outcome.read.value),
            "source": source,
            "status": outcome.read.status,
            "consumption_hcf": None if outcome.consumption_hcf is None else str(outcome.consumption_hcf),
            "exception": outcome.code,
        },
    )
    return outcome


# -- file import ---------------------------------------------------------------------------------


def _refuse_if_imported(digest: str, fingerprint: str) -> None:
    """The same file again, byte for byte or with other line endings/blank space, is refused."""
    imports = ReadImport.objects.select_related("imported_by")
    earlier = imports.filter(file_sha256=digest).first()
    same = "This file was already imported"
    if earlier is None:
        earlier = imports.filter(content_sha256=fingerprint).first()
        same = (
            "This file holds the same reads as a file already imported (only line endings or blank "
            "space differ)"
        )
    if earlier is not None:
        raise ApplicationError(
            f"{same} on {clock.business_date(earlier.imported_at):%Y-%m-%d} by "
            f"{earlier.imported_by.username} (as {earlier.file_name!r}, import #{earlier.pk}); "
            "it is not imported twice.",
            code="duplicate_file",
            field="file",
        )


@dataclass
class _Prepared:
    """A parsed file with its validation context, ready to validate (``results`` is filled then)."""

    validator: ReadValidator | None
    candidates: Sequence[Candidate]
    bad_rows: list[BadRow]
    notes: list[BadRow] = field(default_factory=list)
    intervals: list[formats.IntervalRow] = field(default_factory=list)
    meter_ids_by_key: dict[str, int] = field(default_factory=dict)
    leaks: list[LeakFinding] = field(default_factory=list)
    results: list[ReadResult] = field(default_factory=list)


def _prepare_reads_file(parsed: ParsedFile, *, as_of: dt.date, lock: bool) -> _Prepared:
    candidates = parsed.reads
    if not candidates:
        return _Prepared(None, candidates, list(parsed.bad_rows))
    loaded = load_context(
        as_of=as_of,
        earliest_read_on=min(c.read_on for c in candidates),
        serials={c.meter_serial for c in candidates},
        lock=lock,
    )
    return _Prepared(ReadValidator(loaded.context), candidates, list(parsed.bad_rows))


def _prepare_interval_file(parsed: ParsedFile, *, as_of: dt.date, lock: bool) -> _Prepared:
    zone = clock.utility_zone()
    keys = {row.meter_key for row in parsed.intervals}
    if not keys:
        return _Prepared(None, [], list(parsed.bad_rows))
    by_serial = parsed.meter_key == "serial"
    first_day = min(row.interval_start for row in parsed.intervals).astimezone(zone).date()
    loaded = load_context(
        as_of=as_of,
        earliest_read_on=first_day,
        serials=keys if by_serial else (),
        endpoint_ids=() if by_serial else keys,
        lock=lock,
    )
    meters = loaded.context.meters
    serials = {
        key: serial
        for key in keys
        if (serial := (key if key in meters else None) if by_serial else loaded.serial_by_endpoint.get(key))
    }
    bad = list(parsed.bad_rows)
    known = []
    for row in parsed.intervals:
        if row.meter_key in serials:
            known.append(row)
        else:
            what = "serial number" if by_serial else "endpoint id"
            bad.append(
                BadRow(row.line, "unknown_meter", f"No meter with {what} {row.meter_key!r} in the inventory.")
            )
    validator = ReadValidator(loaded.context)
    baselines: dict[str, tuple[dt.date, Decimal]] = {}
    for serial in set(serials.values()):
        installation = validator.installation_on(meters[serial].meter_id, first_day)
        if installation is not None:
            position = validator.position(installation)
            baselines[serial] = (position.last_actual_on, position.last_actual_value)
    derived = daily_register_reads(
        known,
        zone=zone,
        serials=serials,
        registers={serial: meters[serial].register for serial in serials.values()},
        baselines=baselines,
    )
    meter_ids = {key: meters[serial].meter_id for key, serial in serials.items()}
    intervals, notes = _without_stored_intervals(derived.intervals, meter_ids)
    hourly: dict[str, list[HourlyUse]] = {}
    for row in derived.intervals:
        register = meters[serials[row.meter_key]].register
        used = to_hcf((row.consumption or Decimal(0)) * register.multiplier, register.read_unit)
        hourly.setdefault(serials[row.meter_key], []).append(HourlyUse(row.interval_start, used))
    return _Prepared(
        validator,
        derived.reads,
        bad,
        derived.notes + notes,
        intervals,
        meter_ids,
        probable_leaks(hourly),
    )


def _without_stored_intervals(
    intervals: list[formats.IntervalRow], meter_ids: dict[str, int]
) -> tuple[list[formats.IntervalRow], list[BadRow]]:
    if not intervals:
        return intervals, []
    start = min(row.interval_start for row in intervals)
    end = max(row.interval_start for row in intervals)
    stored: set[tuple[int, dt.datetime]] = set()
    for chunk in in_list_slices(sorted(set(meter_ids.values()))):
        stored.update(
            IntervalRead.objects.filter(meter_id__in=chunk, interval_start__range=(start, end)).values_list(
                "meter_id", "interval_start"
            )
        )
    if not stored:
        return intervals, []
    fresh = [row for row in intervals if (meter_ids[row.meter_key], row.interval_start) not in stored]
    skipped = len(intervals) - len(fresh)
    return fresh, [
        BadRow(0, "intervals_already_stored", f"{skipped} intervals were already stored and were skipped")
    ]


def _report(
    parsed: ParsedFile, validated: _Prepared, *, file_name: str, digest: str, preview: bool
) -> ImportReport:
    bad = list(validated.bad_rows)
    exceptions: list[ExceptionLine] = []
    accepted = 0
    accepted_verdict, exception_verdict = Verdict.ACCEPTED, Verdict.EXCEPTION  # looked up once
    for result in validated.results:
        verdict = result.verdict
        if verdict is accepted_verdict:
            accepted += 1
            continue
        candidate = result.candidate
        if verdict is exception_verdict:
            exceptions.append(
                ExceptionLine(
                    candidate.line,
                    candidate.meter_serial,
                    candidate.read_on,
                    result.value,
                    result.code,
                    result.message,
                )
            )
        else:
            bad.append(BadRow(candidate.line, result.code, result.message))
    bad.sort(key=lambda row: row.line)
    return ImportReport(
        file_name=file_name,
        file_format=parsed.file_format,
        file_sha256=digest,
        preview=preview,
        rows_total=parsed.rows_total,
        reads_accepted=accepted,
        reads_exception=len(exceptions),
        rows_bad=len(bad),
        bad_rows=tuple(bad),
        exceptions=tuple(exceptions),
        exceptions_by_code=dict(Counter(line.code for line in exceptions)),
        intervals_stored=0 if preview else len(validated.intervals),
        notes=tuple(validated.notes),
        probable_leaks=tuple(validated.leaks),
    )


def _validate(prepared: _Prepared, progress: Callable[[int], None]) -> None:
    """Validate everything (a preview)."""
    if prepared.validator is not None:
        prepared.results = validate_reads(
            prepared.candidates, prepared.validator.context, validator=prepared.validator, progress=progress
        )


def _validate_and_store(
    prepared: _Prepared, *, read_import: ReadImport, actor: Actor, progress: ProgressCallback
) -> None:
    """Validate and store at once: accepted reads go to the database while later ones are still being
    validated (on PostgreSQL the server inserts them, and its trigger checks each COPY statement's
    references, on the other core meanwhile); the exceptions, which need their ids, follow."""
    at = read_import.imported_at
    candidates = prepared.candidates
    results: list[ReadResult | None] = [None] * len(candidates)
    total = len(candidates)
    validator = prepared.validator

    def accepted() -> Iterator[ReadResult]:
        if validator is None:
            return
        done = 0
        accepted_verdict = Verdict.ACCEPTED  # an enum member costs a lookup each time it is named
        for index, result in iter_validated(candidates, validator):
            results[index] = result
            done += 1
            if done % PROGRESS_EVERY == 0:
                progress("validate", done, total)
            if result.verdict is accepted_verdict:
                yield result
        progress("validate", done, total)

    insert_accepted_reads_trusted(
        accepted(), read_import_id=read_import.pk, created_by_id=acting_user(actor).pk, created_at=at
    )
    prepared.results = results  # type: ignore[assignment]
    held = [r for r in prepared.results if r.verdict is Verdict.EXCEPTION]
    insert_held_reads_trusted(
        held, read_import_id=read_import.pk, created_by_id=acting_user(actor).pk, created_at=at
    )
    if prepared.intervals:
        insert_intervals_trusted(
            prepared.intervals, meter_ids=prepared.meter_ids_by_key, read_import_id=read_import.pk
        )
    progress("store", total, total)


def _parse(file_format: str, content: bytes) -> ParsedFile:
    if file_format not in formats.FORMATS:
        raise ApplicationError(
            f"Unknown read file format {file_format!r}; choose one of {', '.join(formats.FORMATS)}.",
            field="file_format",
        )
    try:
        return formats.parse(file_format, content, zone=clock.utility_zone())
    except FormatError as error:
        raise ApplicationError(str(error), code="wrong_format", field="file") from error


def reads_import(
    *,
    content: bytes,
    file_name: str,
    file_format: str,
    actor: Actor,
    as_of: dt.date,
    preview: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import a read file: parse (a file not of ``file_format`` is refused whole), validate every
    read, and store the accepted reads and the exceptions with a ``ReadImport`` (counts and bad rows).
    The same file is refused a second time (by its SHA-256, or by that of its normalised content:
    other line endings, a byte-order mark, trailing blanks or blank lines do not make it new).
    ``preview`` does all of it but writes nothing. Good rows are kept when other rows are bad."""
    require_permission(actor, "reads.enter")
    report_progress = progress or (lambda stage, done, total: None)
    digest = hashlib.sha256(content).hexdigest()
    fingerprint = content_fingerprint(content)
    _refuse_if_imported(digest, fingerprint)
    with collector_paused():
        return _import(
            content=content, digest=digest, fingerprint=fingerprint, file_name=file_name,
            file_format=file_format, actor=actor, as_of=as_of, preview=preview,
            report_progress=report_progress,
        )  # fmt: skip


def _import(
    *,
    content: bytes,
    digest: str,
    fingerprint: str,
    file_name: str,
    file_format: str,
    actor: Actor,
    as_of: dt.date,
    preview: bool,
    report_progress: ProgressCallback,
) -> ImportReport:
    parsed = _parse(file_format, content)
    report_progress("parse", parsed.rows_total, parsed.rows_total)
    with transaction.atomic():
        read_import = None
        if not preview:
            read_import = _create_import(
                file_name=file_name,
                file_format=file_format,
                digest=digest,
                fingerprint=fingerprint,
                actor=actor,
            )
        prepare = _prepare_interval_file if parsed.intervals else _prepare_reads_file
        prepared = prepare(parsed, as_of=as_of, lock=not preview)
        if read_import is None:
            total = len(prepared.candidates)
            _validate(prepared, lambda done: report_progress("validate", done, total))
            return _report(parsed, prepared, file_name=file_name, digest=digest, preview=True)
        _validate_and_store(prepared, read_import=read_import, actor=actor, progress=report_progress)
        report = _report(parsed, prepared, file_name=file_name, digest=digest, preview=False)
        read_import.rows_total = report.rows_total
        read_import.rows_accepted = report.reads_accepted
        read_import.rows_exception = report.reads_exception
        read_import.rows_bad = report.rows_bad
        read_import.bad_rows = [{"line": b.line, "code": b.code, "reason": b.reason} for b in report.bad_rows]
        read_import.save(
            update_fields=["rows_total", "rows_accepted", "rows_exception", "rows_bad", "bad_rows"]
        )
        audit_record(
            actor=actor,
            action="read.import",
            target=read_import,
            at=read_import.imported_at,
            summary=f"Imported {file_name} ({file_format}): {report.reads_accepted} reads accepted, "
            f"{report.reads_exception} held for review, {report.rows_bad} bad rows",
            changes={
                "file_sha256": digest,
                "rows_total": report.rows_total,
                "reads_accepted": report.reads_accepted,
                "reads_exception": report.reads_exception,
                "rows_bad": report.rows_bad,
                "exceptions_by_code": report.exceptions_by_code,
                "intervals_stored": report.intervals_stored,
            },
        )
        return ImportReport(**{**report.__dict__, "read_import_id": read_import.pk})


def _create_import(
    *, file_name: str, file_format: str, digest: str, fingerprint: str, actor: Actor
) -> ReadImport:
    try:
        with transaction.atomic():
            return ReadImport.objects.create(
                file_name=file_name[:255],
                file_sha256=digest,
                content_sha256=fingerprint,
                file_format=file_format,
                imported_by=acting_user(actor),
                imported_at=clock.now(),
            )
    except IntegrityError:  # the same file, imported at the same moment by someone else
        _refuse_if_imported(digest, fingerprint)
        raise

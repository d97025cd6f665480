"""The exceptions queue: accept, correct, reject, re-read; every decision audited, each once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.meters.models import Read, ReadException, ReadStatus
from civicbill.meters.services import (
    read_exception_accept,
    read_exception_correct,
    read_exception_mark_reread_requested,
    read_exception_reject,
    read_exception_resolve_by_reread,
    read_record,
)
from tests.fixtures.database import assert_nothing_changed
from tests.meters.reads_helpers import AS_OF, add_read, make_site, monthly_history

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def high(frozen, csr):
    """A high read held for review: 150 CF a day against a usual 50 (history 2026-03 .. 2026-10)."""
    site = make_site("M-1", actor=csr, installed_on=D(2026, 3, 1))
    last = monthly_history(site, actor=csr, start=D(2026, 3, 1), months=7, cf_per_day=50)
    outcome = read_record(
        meter_serial="M-1",
        read_on=D(2026, 11, 1),
        value=Decimal(last + 31 * 150),
        source="handheld",
        actor=csr,
        as_of=AS_OF,
    )
    assert outcome.code == "high_usage"
    assert outcome.exception is not None
    return site, outcome.exception, last


def test_accepting_a_high_read_makes_it_actual_with_its_consumption(high, technician):
    site, exception, _ = high
    decided = read_exception_accept(
        exception=exception, actor=technician, note="customer confirms pool fill", as_of=AS_OF
    )
    read = Read.objects.get(pk=exception.read_id)
    assert (read.status, read.consumption_hcf) == (ReadStatus.ACTUAL, Decimal("46.5"))
    assert decided.status == ReadException.Status.ACCEPTED
    assert (decided.decided_by, decided.decision_note) == (technician, "customer confirms pool fill")
    event = AuditEvent.objects.get(action="read_exception.accept")
    assert site.account is not None
    assert event.account_number == site.account.number
    assert event.summary == "Accepted read 15,350 of meter M-1 on 2026-11-01 (high_usage): 46.500 HCF"


def test_a_decided_exception_cannot_be_decided_again(high, technician, supervisor):
    _, exception, _ = high
    read_exception_accept(exception=exception, actor=technician, as_of=AS_OF)
    with pytest.raises(ApplicationError) as refused:
        read_exception_reject(exception=exception, actor=supervisor, note="no")
    assert refused.value.code == "already_decided"
    assert refused.value.message == "This read exception is already accepted (by technician on 2026-12-01)."
    assert Read.objects.get(pk=exception.read_id).status == ReadStatus.ACTUAL


def test_a_csr_cannot_review_exceptions(high, csr):
    _, exception, _ = high
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        read_exception_accept(exception=exception, actor=csr, as_of=AS_OF)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        read_exception_reject(exception=exception, actor=csr, note="x")
    exception.refresh_from_db()
    assert exception.status == ReadException.Status.OPEN
    assert not AuditEvent.objects.filter(action__startswith="read_exception.").exists()


def test_a_read_lower_than_the_previous_cannot_be_accepted(frozen, csr, technician):
    site = make_site("M-2", actor=csr, dials=4)
    add_read(site, D(2026, 10, 2), 4_530, "12", actor=csr)
    outcome = read_record(
        meter_serial="M-2",
        read_on=D(2026, 11, 1),
        value=Decimal(4512),
        source="manual",
        actor=csr,
        as_of=AS_OF,
    )
    assert outcome.exception is not None
    with pytest.raises(ApplicationError) as refused:
        read_exception_accept(exception=outcome.exception, actor=technician, as_of=AS_OF)
    assert refused.value.message == (
        "This read cannot be accepted: Read 4,512 is lower than the previous read 4,530 on 2026-10-02 and "
        "is not a plausible rollover for a 4-dial meter: it would mean 9,982 CF. "
        "Correct it, reject it or ask for a re-read."
    )


def test_a_held_read_cannot_be_accepted_once_a_later_read_was_accepted(high, technician, csr):
    _, exception, last = high
    read_record(
        meter_serial="M-1",
        read_on=D(2026, 11, 20),
        value=Decimal(last + 31 * 50 + 19 * 50),
        source="manual",
        actor=csr,
        as_of=AS_OF,
    )
    with pytest.raises(ApplicationError, match="is not after the last read of meter M-1"):
        read_exception_accept(exception=exception, actor=technician, as_of=AS_OF)


def test_correcting_a_read_supersedes_it_with_a_validated_new_read(high, technician):
    _, exception, last = high
    outcome = read_exception_correct(
        exception=exception,
        corrected_value=Decimal(last + 31 * 50),
        actor=technician,
        note="digits transposed",
        as_of=AS_OF,
    )
    old = Read.objects.get(pk=exception.read_id)
    assert old.status == ReadStatus.SUPERSEDED
    assert outcome.accepted
    new = Read.objects.get(pk=outcome.read.pk)
    assert (new.status, new.value, new.consumption_hcf, new.supersedes) == (
        ReadStatus.ACTUAL,
        Decimal(last + 1550),
        Decimal("15.5"),
        old,
    )
    assert new.note == "Corrects 15,350: digits transposed"
    exception.refresh_from_db()
    assert (exception.status, exception.decision_note) == (
        ReadException.Status.CORRECTED,
        "digits transposed",
    )
    assert AuditEvent.objects.get(action="read_exception.correct").changes["new_read"] == new.pk


def test_a_correction_that_is_still_wrong_is_held_again(high, technician):
    _, exception, last = high
    outcome = read_exception_correct(
        exception=exception,
        corrected_value=Decimal(last + 31 * 200),
        actor=technician,
        note="re-keyed",
        as_of=AS_OF,
    )
    assert (outcome.accepted, outcome.code) == (False, "high_usage")
    assert ReadException.objects.get(read=outcome.read).status == ReadException.Status.OPEN


def test_a_correction_needs_a_note_and_a_different_value(high, technician):
    _, exception, _ = high
    with pytest.raises(ApplicationError, match="a note is required"):
        read_exception_correct(
            exception=exception, corrected_value=Decimal(1), actor=technician, note="  ", as_of=AS_OF
        )
    with pytest.raises(ApplicationError, match="15,350 is the value already read"):
        read_exception_correct(
            exception=exception, corrected_value=Decimal(15350), actor=technician, note="x", as_of=AS_OF
        )
    with pytest.raises(ApplicationError) as refused:
        read_exception_correct(
            exception=exception, corrected_value=Decimal(123_456), actor=technician, note="x", as_of=AS_OF
        )
    assert refused.value.code == "too_many_digits"
    assert Read.objects.count() == 9  # install + 7 monthly + the held read


def test_rejecting_a_read_bills_nothing(high, supervisor):
    _, exception, _ = high
    decided = read_exception_reject(exception=exception, actor=supervisor, note="reader misread the dial")
    assert Read.objects.get(pk=exception.read_id).status == ReadStatus.REJECTED
    assert decided.status == ReadException.Status.REJECTED
    assert AuditEvent.objects.get(action="read_exception.reject").summary == (
        "Rejected read 15,350 of meter M-1 on 2026-11-01 (high_usage): reader misread the dial"
    )
    with pytest.raises(ApplicationError, match="a note is required"):
        read_exception_reject(exception=exception, actor=supervisor, note="")


def test_a_field_re_read_confirming_a_high_read_resolves_the_exception_and_is_accepted(
    high, technician, field_worker
):
    _, exception, _ = high
    read_exception_mark_reread_requested(exception=exception, actor=technician)
    exception.refresh_from_db()
    assert exception.status == ReadException.Status.REREAD_REQUESTED
    reread = read_record(
        meter_serial="M-1",
        read_on=D(2026, 11, 1),
        value=Decimal(15350),
        source="field",
        actor=field_worker,
        as_of=AS_OF,
    )
    assert reread.code == "high_usage"  # the same high use, now seen by field staff
    resolved = read_exception_resolve_by_reread(exception=exception, reread=reread.read, actor=field_worker)
    assert resolved.status == ReadException.Status.RESOLVED
    assert resolved.decision_note == f"Resolved by the re-read 15,350 on 2026-11-01 (read #{reread.read.pk})"
    old, new = Read.objects.get(pk=exception.read_id), Read.objects.get(pk=reread.read.pk)
    assert (old.status, new.status, new.supersedes) == (ReadStatus.SUPERSEDED, ReadStatus.ACTUAL, old)
    assert new.consumption_hcf == Decimal("46.5")
    assert ReadException.objects.get(read=new).status == ReadException.Status.ACCEPTED
    assert list(
        AuditEvent.objects.filter(action__startswith="read_exception.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["read_exception.reread_requested", "read_exception.resolve_by_reread", "read_exception.accept"]


def test_a_re_read_must_be_of_the_same_meter(high, field_worker, csr):
    _, exception, _ = high
    other = make_site("M-9", actor=csr)
    stranger = add_read(other, D(2026, 11, 2), 10, "0.1", actor=csr)
    with pytest.raises(ApplicationError, match="the re-read must be a new read of meter M-1"):
        read_exception_resolve_by_reread(exception=exception, reread=stranger, actor=field_worker)


def test_accepting_a_true_up_credit_bills_the_negative_consumption(frozen, csr, technician):
    site = make_site("M-3", actor=csr, installed_on=D(2026, 7, 1))
    add_read(site, D(2026, 8, 1), 1_000, "10", actor=csr)
    add_read(site, D(2026, 9, 1), 2_000, "10", actor=csr, status=ReadStatus.ESTIMATED, source="estimated")
    add_read(site, D(2026, 10, 1), 3_000, "10", actor=csr, status=ReadStatus.ESTIMATED, source="estimated")
    outcome = read_record(
        meter_serial="M-3",
        read_on=D(2026, 11, 1),
        value=Decimal(2500),
        source="handheld",
        actor=csr,
        as_of=AS_OF,
    )
    assert outcome.code == "true_up_credit"
    assert outcome.exception is not None
    read_exception_accept(exception=outcome.exception, actor=technician, as_of=AS_OF)
    read = Read.objects.get(pk=outcome.read.pk)
    assert (read.status, read.consumption_hcf) == (ReadStatus.ACTUAL, Decimal(-5))

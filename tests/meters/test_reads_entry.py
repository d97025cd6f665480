"""Entering one read: the same rules as an import; an exception is stored for review, a bad read is
refused and nothing is written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.meters.models import Read, ReadException, ReadSource, ReadStatus
from civicbill.meters.services import read_record
from tests.fixtures.database import assert_nothing_changed
from tests.meters.reads_helpers import AS_OF, add_read, make_site

pytestmark = pytest.mark.django_db
D = dt.date


def test_an_accepted_read_is_stored_actual_with_its_consumption_and_audited(frozen, csr):
    site = make_site("M-100", actor=csr, dials=4)
    add_read(site, D(2026, 10, 2), 4_530, "12", actor=csr)
    outcome = read_record(
        meter_serial=" M-100 ",
        read_on=D(2026, 11, 1),
        value=Decimal(6012),
        source=ReadSource.MANUAL,
        actor=csr,
        as_of=AS_OF,
    )
    assert outcome.accepted and outcome.exception is None
    read = Read.objects.get(pk=outcome.read.pk)
    assert (read.status, read.source, read.value, read.consumption_hcf) == (
        ReadStatus.ACTUAL,
        ReadSource.MANUAL,
        Decimal(6012),
        Decimal("14.82"),
    )
    assert (read.installation_id, read.service_point_id, read.created_by) == (
        site.installation.pk,
        site.point.pk,
        csr,
    )
    event = AuditEvent.objects.get(action="read.record")
    assert site.account is not None
    assert event.account_number == site.account.number
    assert event.summary == "Read 6,012 on meter M-100 on 2026-11-01: accepted (14.820 HCF)"


def test_a_rollover_on_a_five_dial_register_bills_25_units(frozen, csr):
    site = make_site("M-101", actor=csr, dials=5, unit="HCF")
    add_read(site, D(2026, 10, 1), 99_986, "20", actor=csr)
    outcome = read_record(
        meter_serial="M-101",
        read_on=D(2026, 11, 1),
        value=Decimal(11),
        source="handheld",
        actor=csr,
        as_of=AS_OF,
    )
    assert outcome.accepted
    assert (outcome.read.consumption_hcf, outcome.read.rolled_over) == (Decimal(25), True)


def test_an_exception_is_stored_for_review(frozen, csr):
    site = make_site("M-102", actor=csr, dials=4)
    add_read(site, D(2026, 10, 2), 4_530, "12", actor=csr)
    outcome = read_record(
        meter_serial="M-102",
        read_on=D(2026, 11, 1),
        value=Decimal(4512),
        source="manual",
        actor=csr,
        as_of=AS_OF,
    )
    assert not outcome.accepted
    assert outcome.code == "lower_than_previous"
    read = Read.objects.get(pk=outcome.read.pk)
    assert (read.status, read.consumption_hcf) == (ReadStatus.EXCEPTION, None)
    exception = ReadException.objects.get(read=read)
    assert (exception.code, exception.status) == ("lower_than_previous", ReadException.Status.OPEN)
    assert exception.message == (
        "Read 4,512 is lower than the previous read 4,530 on 2026-10-02 and is not a plausible rollover "
        "for a 4-dial meter: it would mean 9,982 CF."
    )


@pytest.mark.parametrize(
    ("serial", "value", "code", "field"),
    [
        ("NOPE", Decimal(1), "unknown_meter", "meter_serial"),
        ("M-103", Decimal("1.2345"), "not_numeric", "value"),
        ("M-103", Decimal(100_000), "too_many_digits", "value"),
        ("M-103", Decimal(4530), "duplicate", "value"),
    ],
)
def test_a_bad_read_is_refused_and_nothing_is_written(frozen, csr, serial, value, code, field):
    site = make_site("M-103", actor=csr)
    add_read(site, D(2026, 10, 2), 4_530, "12", actor=csr)
    before = Read.objects.count()
    with pytest.raises(ApplicationError) as refused:
        read_record(
            meter_serial=serial, read_on=D(2026, 10, 2), value=value, source="manual", actor=csr, as_of=AS_OF
        )
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Read.objects.count() == before
    assert not AuditEvent.objects.filter(action="read.record").exists()


def test_estimated_and_install_reads_cannot_be_entered_as_reads(frozen, csr):
    make_site("M-104", actor=csr)
    with pytest.raises(ApplicationError, match="Source 'estimated' cannot be entered here"):
        read_record(
            meter_serial="M-104",
            read_on=D(2026, 11, 1),
            value=Decimal(5),
            source="estimated",
            actor=csr,
            as_of=AS_OF,
        )


def test_an_auditor_cannot_enter_reads(frozen, csr, auditor):
    make_site("M-105", actor=csr)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        read_record(
            meter_serial="M-105",
            read_on=D(2026, 11, 1),
            value=Decimal(5),
            source="manual",
            actor=auditor,
            as_of=AS_OF,
        )
    assert Read.objects.filter(source="manual").count() == 0

"""Estimating missing reads, and the true-up when the next actual read arrives."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.meters.models import Read, ReadException, ReadSource, ReadStatus
from civicbill.meters.services import estimate_missing_reads, read_record
from tests.fixtures.database import assert_nothing_changed
from tests.meters.reads_helpers import AS_OF, add_read, make_site, monthly_history

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_missing_read_is_estimated_from_the_last_three_periods(frozen, csr, technician):
    site = make_site("M-1", actor=csr, installed_on=D(2026, 6, 1))
    last = monthly_history(site, actor=csr, start=D(2026, 6, 1), months=5, cf_per_day=40)  # to 2026-11-01
    report = estimate_missing_reads(
        service_point_ids=[site.point.pk], read_on=D(2026, 11, 30), actor=technician, as_of=AS_OF
    )
    assert (report.service_points, report.already_read, report.estimated, report.exceptions) == (1, 0, 1, 0)
    read = Read.objects.get(source=ReadSource.ESTIMATED)
    assert (read.status, read.read_on, read.value, read.consumption_hcf) == (
        ReadStatus.ESTIMATED,
        D(2026, 11, 30),
        Decimal(last + 29 * 40),
        Decimal("11.6"),
    )
    assert read.note == "Estimated: 0.400 HCF/day × 29 days (last 3 periods)"
    assert (read.installation_id, read.service_point_id, read.created_by) == (
        site.installation.pk,
        site.point.pk,
        technician,
    )
    assert AuditEvent.objects.get(action="read.estimate").changes["estimated"] == 1


def test_with_a_year_of_history_the_estimate_uses_the_same_period_last_year(frozen, csr, technician):
    site = make_site("M-2", actor=csr, installed_on=D(2025, 10, 1))
    value = monthly_history(site, actor=csr, start=D(2025, 10, 1), months=2, cf_per_day=100)  # Oct-Nov 2025
    monthly_history(
        site, actor=csr, start=D(2025, 12, 1), months=11, cf_per_day=30, value=value
    )  # to 2026-11-01
    estimate_missing_reads(service_point_ids=None, read_on=D(2026, 11, 30), actor=technician, as_of=AS_OF)
    read = Read.objects.get(source=ReadSource.ESTIMATED)
    assert read.consumption_hcf == Decimal(29)  # 29 days × 1 HCF a day, as in November 2025
    assert read.note == "Estimated: 1.000 HCF/day × 29 days (same period last year)"


def test_service_points_with_a_recent_read_or_no_history_are_not_estimated(frozen, csr, technician):
    read_recently = make_site("M-3", actor=csr, installed_on=D(2026, 6, 1))
    monthly_history(read_recently, actor=csr, start=D(2026, 6, 1), months=5, cf_per_day=40)
    add_read(read_recently, D(2026, 11, 25), 6_400, "2", actor=csr)
    no_history = make_site("M-4", actor=csr, installed_on=D(2026, 11, 1))
    report = estimate_missing_reads(
        service_point_ids=[read_recently.point.pk, no_history.point.pk],
        read_on=D(2026, 11, 30),
        actor=technician,
        as_of=AS_OF,
    )
    assert (report.already_read, report.estimated) == (1, 0)
    assert [(line.meter_serial, line.status, line.code) for line in report.lines] == [
        ("M-4", "skipped", "no_history")
    ]
    assert not Read.objects.filter(source=ReadSource.ESTIMATED).exists()
    assert not AuditEvent.objects.filter(action="read.estimate").exists()


def test_more_estimates_in_a_row_than_allowed_are_held_for_a_field_read(frozen, csr, technician, settings):
    settings.CIVICBILL_READ_MAX_CONSECUTIVE_ESTIMATES = 1
    site = make_site("M-5", actor=csr, installed_on=D(2026, 6, 1))
    last = monthly_history(site, actor=csr, start=D(2026, 6, 1), months=4, cf_per_day=40)  # to 2026-10-01
    add_read(
        site, D(2026, 11, 1), last + 1240, "12.4", actor=csr, status=ReadStatus.ESTIMATED, source="estimated"
    )
    report = estimate_missing_reads(
        service_point_ids=[site.point.pk], read_on=D(2026, 11, 30), actor=technician, as_of=AS_OF
    )
    assert (report.estimated, report.exceptions) == (0, 1)
    held = ReadException.objects.get()
    assert held.code == "too_many_estimates"
    assert (held.read.status, held.read.source) == (ReadStatus.EXCEPTION, ReadSource.ESTIMATED)


def test_the_next_actual_read_trues_up_what_the_estimates_billed(frozen, csr, technician):
    site = make_site("M-6", actor=csr, installed_on=D(2026, 6, 1))
    last = monthly_history(site, actor=csr, start=D(2026, 6, 1), months=4, cf_per_day=40)  # to 2026-10-01
    estimate_missing_reads(
        service_point_ids=[site.point.pk], read_on=D(2026, 11, 1), actor=technician, as_of=AS_OF
    )
    estimated = Read.objects.get(source=ReadSource.ESTIMATED)
    assert estimated.consumption_hcf == Decimal("12.4")  # 31 days × 0.4
    # the meter really used 50 CF a day: 61 days to 2026-12-01 is 30.5 HCF, of which 12.4 were billed
    outcome = read_record(
        meter_serial="M-6",
        read_on=D(2026, 12, 1),
        value=Decimal(last + 61 * 50),
        source="handheld",
        actor=csr,
        as_of=AS_OF,
    )
    assert outcome.accepted
    assert outcome.read.consumption_hcf == Decimal("18.1")  # 30.5 − 12.4


def test_estimates_cannot_be_made_for_the_future_or_by_a_csr(frozen, csr, technician):
    site = make_site("M-7", actor=csr)
    with pytest.raises(ApplicationError, match="Cannot estimate a read for 2026-12-02, a date after today"):
        estimate_missing_reads(
            service_point_ids=[site.point.pk], read_on=D(2026, 12, 2), actor=technician, as_of=AS_OF
        )
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        estimate_missing_reads(
            service_point_ids=[site.point.pk], read_on=D(2026, 11, 30), actor=csr, as_of=AS_OF
        )

"""Work orders from the exceptions queue: a re-read that resolves its exception when completed, and
a confirmed high read that sends a notice (in the customer's language) and opens an investigation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from civicbill.core.calendar_services import office_closure_add
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.correspondence.models import Letter
from civicbill.correspondence.render import letter_html
from civicbill.meters.models import ReadException, ReadSource
from civicbill.workorders import services
from civicbill.workorders.models import Priority, WorkOrder, WorkOrderStatus, WorkOrderType
from tests.fixtures.database import assert_nothing_changed
from tests.fixtures.sites import Site

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)  # a Tuesday


def test_a_reread_order_is_due_in_three_business_days_and_marks_the_exception(site: Site, technician):
    order = services.reread_request(exception=site.exception, actor=technician, as_of=TODAY)
    assert (order.number, order.work_type, order.status, order.priority) == (
        "WO-000001",
        WorkOrderType.REREAD,
        WorkOrderStatus.OPEN,
        Priority.HIGH,
    )
    assert order.due_on == dt.date(2026, 12, 4)  # Wed, Thu, Fri
    assert (order.premise, order.account, order.service_point, order.meter, order.read_exception) == (
        site.account.premise,
        site.account,
        site.point,
        site.meter,
        site.exception,
    )
    assert order.description.startswith("Re-read meter B2500417: the read of 17500 on 2026-11-30 was flagged")
    site.exception.refresh_from_db()
    assert site.exception.status == ReadException.Status.REREAD_REQUESTED


def test_the_three_business_days_skip_an_office_closure_and_the_weekend(site: Site, technician, supervisor):
    office_closure_add(closed_on=dt.date(2026, 12, 3), reason="Staff training", actor=supervisor)
    order = services.reread_request(exception=site.exception, actor=technician, as_of=TODAY)
    assert order.due_on == dt.date(2026, 12, 7)  # Wed, (Thu closed), Fri, (weekend), Mon


def test_a_reread_is_requested_once(site: Site, technician):
    services.reread_request(exception=site.exception, actor=technician, as_of=TODAY)
    site.exception.refresh_from_db()
    with pytest.raises(ApplicationError, match="re-read requested; only an open one can be sent"):
        services.reread_request(exception=site.exception, actor=technician, as_of=TODAY)
    assert WorkOrder.objects.count() == 1


def test_a_csr_cannot_send_a_reread(site: Site, csr):
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        services.reread_request(exception=site.exception, actor=csr, as_of=TODAY)
    site.exception.refresh_from_db()
    assert site.exception.status == ReadException.Status.OPEN
    assert WorkOrder.objects.count() == 0


def test_completing_the_reread_with_a_read_resolves_the_exception(site: Site, technician, field_worker):
    order = services.reread_request(exception=site.exception, actor=technician, as_of=TODAY)
    services.workorder_assign(work_order=order, assignee=field_worker, actor=technician)
    done = services.workorder_complete(
        work_order=order,
        completed_on=TODAY,
        findings="Handheld misread: the register shows 13,310.",
        read_value=Decimal(13310),
        actor=field_worker,
        as_of=TODAY,
    )
    assert done.status == WorkOrderStatus.COMPLETED
    assert done.read is not None
    assert (done.read.source, done.read.value, done.read.read_on) == (ReadSource.FIELD, Decimal(13310), TODAY)
    site.exception.refresh_from_db()
    assert site.exception.status == ReadException.Status.RESOLVED


def test_a_reread_that_could_not_be_read_leaves_the_exception_waiting(site: Site, technician, field_worker):
    order = services.reread_request(exception=site.exception, actor=technician, as_of=TODAY)
    services.workorder_complete(
        work_order=order,
        completed_on=TODAY,
        findings="Meter box under a parked truck.",
        actor=field_worker,
        as_of=TODAY,
    )
    site.exception.refresh_from_db()
    assert site.exception.status == ReadException.Status.REREAD_REQUESTED


def test_a_confirmed_high_read_sends_a_spanish_notice_and_opens_an_investigation(site: Site, technician):
    letter, order = services.high_usage_confirm(exception=site.exception, actor=technician, as_of=TODAY)
    site.exception.refresh_from_db()
    assert site.exception.status == ReadException.Status.ACCEPTED
    assert (order.work_type, order.priority, order.due_on) == (
        WorkOrderType.HIGH_CONSUMPTION,
        Priority.HIGH,
        dt.date(2026, 12, 8),  # five business days
    )
    assert (order.account, order.meter, order.read_exception) == (site.account, site.meter, site.exception)
    assert (letter.account, letter.language, letter.reference) == (site.account, "es", order.number)
    assert letter.context["usual_basis"] == "same_period_last_year"
    assert letter.context["usual_daily_hcf"] == "0.3333"  # 10 HCF from 2025-10-31 to 2025-11-30
    assert letter.context["consumption_hcf"] == "45.000"
    html = letter_html(letter)
    for words in ("Su consumo de agua fue más alto de lo normal", "fuga", "medidor", "galones", order.number):
        assert words in html, words
    assert "8 de diciembre de 2026" in html


def test_only_a_high_read_gets_a_high_usage_notice(site: Site, technician):
    site.exception.code = "zero_consumption"
    site.exception.save(update_fields=["code"])
    with pytest.raises(ApplicationError, match="'zero_consumption', not a high read"):
        services.high_usage_confirm(exception=site.exception, actor=technician, as_of=TODAY)
    site.exception.refresh_from_db()
    assert site.exception.status == ReadException.Status.OPEN
    assert (WorkOrder.objects.count(), Letter.objects.count()) == (0, 0)


def test_field_staff_cannot_confirm_high_use(site: Site, field_worker):
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        services.high_usage_confirm(exception=site.exception, actor=field_worker, as_of=TODAY)
    assert (WorkOrder.objects.count(), Letter.objects.count()) == (0, 0)


def test_confirming_high_use_cancels_the_reread_still_out(site: Site, technician):
    reread = services.reread_request(exception=site.exception, actor=technician, as_of=TODAY)
    site.exception.refresh_from_db()
    letter, investigation = services.high_usage_confirm(
        exception=site.exception, actor=technician, as_of=TODAY
    )
    reread.refresh_from_db()
    assert (reread.status, reread.cancel_reason) == (
        WorkOrderStatus.CANCELLED,
        f"High use confirmed; investigation {investigation.number} instead",
    )
    assert (investigation.number, letter.reference) == ("WO-000002", "WO-000002")


def test_an_investigation_already_open_for_the_meter_is_used_for_the_notice(site: Site, technician):
    open_one = services.workorder_create(
        work_type="high_consumption",
        premise=site.account.premise,
        account=site.account,
        service_point=site.point,
        description="Customer called about a wet yard",
        due_on=dt.date(2026, 12, 3),
        actor=technician,
        as_of=TODAY,
    )
    letter, order = services.high_usage_confirm(exception=site.exception, actor=technician, as_of=TODAY)
    assert order == open_one
    assert WorkOrder.objects.count() == 1
    assert (letter.reference, letter.context["visit_by"]) == (open_one.number, "2026-12-03")


def test_a_reread_completed_after_staff_decided_otherwise_just_records_the_read(
    site: Site, technician, field_worker
):
    from civicbill.meters.services.read_exceptions import read_exception_accept

    order = services.reread_request(exception=site.exception, actor=technician, as_of=TODAY)
    read_exception_accept(
        exception=site.exception, actor=technician, note="Customer filled the pool", as_of=TODAY
    )
    done = services.workorder_complete(
        work_order=order,
        completed_on=TODAY,
        findings="",
        read_value=Decimal(17600),
        actor=field_worker,
        as_of=TODAY,
    )
    assert done.read is not None and done.read.value == Decimal(17600)
    site.exception.refresh_from_db()
    assert site.exception.status == ReadException.Status.ACCEPTED

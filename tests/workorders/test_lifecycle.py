"""Work order lifecycle: open → assigned → completed / cancelled; numbering; refusals write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.meters.models import MeterStatus, Read, ReadSource
from civicbill.workorders import services
from civicbill.workorders.models import Priority, WorkOrder, WorkOrderNumberCounter, WorkOrderStatus
from tests.fixtures.database import assert_nothing_changed
from tests.fixtures.sites import Site, make_site, receive

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)


def _create(site: Site, actor: Any, work_type: str = "leak_check", **extra: Any) -> WorkOrder:
    values: dict[str, Any] = {
        "work_type": work_type,
        "premise": site.account.premise,
        "account": site.account,
        "service_point": site.point,
        "description": "Customer reports water running near the meter box.",
        "due_on": dt.date(2026, 12, 4),
        "as_of": TODAY,
        "actor": actor,
    }
    values.update(extra)
    return services.workorder_create(**values)


def _audit_count() -> int:
    return AuditEvent.objects.filter(action__startswith="work_order.").count()


def test_orders_are_numbered_from_wo_000001_and_take_the_installed_meter(site: Site, csr):
    first = _create(site, csr)
    second = _create(site, csr, work_type="meter_test", priority=Priority.HIGH)
    assert (first.number, second.number) == ("WO-000001", "WO-000002")
    assert (first.status, first.meter, first.premise) == (
        WorkOrderStatus.OPEN,
        site.meter,
        site.account.premise,
    )
    assert second.priority == Priority.HIGH
    event = AuditEvent.objects.get(action="work_order.create", target_id=str(first.pk))
    assert event.account_number == site.account.number
    assert event.summary == "WO-000001 Leak check at 52 Avenue 48, due 2026-12-04"


def test_numbering_continues_after_orders_loaded_without_the_counter(site: Site, csr, technician):
    WorkOrder.objects.create(
        number="WO-000041",
        work_type="reread",
        premise=site.account.premise,
        description="converted from the old system",
        due_on=TODAY,
        created_by=technician,
        created_at=site.account.created_at,
    )
    assert _create(site, csr).number == "WO-000042"
    assert WorkOrderNumberCounter.objects.get(name="workorder").last_sequence == 42


def test_a_past_due_date_is_refused_and_nothing_is_written(site: Site, csr):
    with pytest.raises(ApplicationError, match=r"Due date 2026-11-30 is in the past \(today is 2026-12-01\)"):
        _create(site, csr, due_on=dt.date(2026, 11, 30))
    assert WorkOrder.objects.count() == 0
    assert _audit_count() == 0
    assert WorkOrderNumberCounter.objects.get(name="workorder").last_sequence == 0


def test_an_account_at_another_premise_is_refused(site: Site, csr, technician, make_user):
    other = make_site(_other_account(csr), technician, serial="B2500999")
    with pytest.raises(ApplicationError, match="is at 9 Grapefruit Blvd, not at 52 Avenue 48") as refused:
        _create(site, csr, account=other.account)
    assert refused.value.field == "account"
    assert WorkOrder.objects.count() == 0


def _other_account(csr: Any) -> Any:
    from civicbill.customers import services as customer_services

    return customer_services.move_in_new_customer(
        data={
            "kind": "person",
            "first_name": "Luis",
            "last_name": "Ortega",
            "preferred_language": "en",
            "house_number": "9",
            "street_name": "Grapefruit Blvd",
            "city": "Coachella",
            "zip_code": "92236",
            "premise_type": "single_family",
            "dwelling_units": 1,
            "billing_cycle": 1,
            "start_date": dt.date(2026, 11, 2),
            "mailing_same_as_service": True,
        },
        services=[("water", "W-RES")],
        actor=csr,
        as_of=TODAY,
    )


def test_the_same_kind_of_order_twice_for_the_same_meter_is_refused(site: Site, csr):
    _create(site, csr)
    with pytest.raises(ApplicationError, match=r"WO-000001 \(leak check, due 2026-12-04\) is already open"):
        _create(site, csr)
    assert WorkOrder.objects.count() == 1


def test_field_staff_and_auditors_cannot_create_orders(site: Site, field_worker, auditor):
    for actor in (field_worker, auditor):
        with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
            _create(site, actor)
    assert WorkOrder.objects.count() == 0


def test_an_order_is_assigned_then_reassigned(site: Site, csr, field_worker, make_user, frozen):
    order = _create(site, csr)
    services.workorder_assign(work_order=order, assignee=field_worker, actor=csr)
    order.refresh_from_db()
    assert (order.status, order.assigned_to, order.assigned_at) == (
        WorkOrderStatus.ASSIGNED,
        field_worker,
        dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC),
    )
    other = make_user("Field", "marco")
    services.workorder_assign(work_order=order, assignee=other, actor=csr)
    order.refresh_from_db()
    assert order.assigned_to == other
    changes = AuditEvent.objects.filter(action="work_order.assign").order_by("id").last()
    assert changes is not None and changes.changes["assigned_to"] == {
        "before": field_worker.pk,
        "after": other.pk,
    }


def test_only_field_capable_staff_can_be_assigned_and_not_twice(site: Site, csr, field_worker, auditor):
    order = _create(site, csr)
    with pytest.raises(ApplicationError, match="auditor cannot complete work orders"):
        services.workorder_assign(work_order=order, assignee=auditor, actor=csr)
    services.workorder_assign(work_order=order, assignee=field_worker, actor=csr)
    with pytest.raises(ApplicationError, match="already assigned to field"):
        services.workorder_assign(work_order=order, assignee=field_worker, actor=csr)
    assert AuditEvent.objects.filter(action="work_order.assign").count() == 1


def test_an_open_order_can_be_completed_directly_with_findings(site: Site, csr, field_worker, frozen):
    order = _create(site, csr)
    done = services.workorder_complete(
        work_order=order,
        completed_on=TODAY,
        findings="Fitting at the meter outlet dripping; tightened. No further flow on the leak indicator.",
        notes="Customer informed at the door.",
        actor=field_worker,
        as_of=TODAY,
    )
    assert (done.status, done.completed_on, done.completed_by) == (
        WorkOrderStatus.COMPLETED,
        TODAY,
        field_worker,
    )
    assert done.findings.startswith("Fitting at the meter outlet dripping")
    assert done.notes == "Customer informed at the door."
    assert done.read is None
    assert AuditEvent.objects.filter(action="work_order.complete").count() == 1


def test_nothing_leaves_completed(site: Site, csr, field_worker):
    order = _create(site, csr)
    services.workorder_complete(
        work_order=order, completed_on=TODAY, findings="No leak found.", actor=field_worker, as_of=TODAY
    )
    before = _audit_count()
    with pytest.raises(
        ApplicationError, match="completed on 2026-12-01; a completed work order cannot be assigned"
    ):
        services.workorder_assign(work_order=order, assignee=field_worker, actor=csr)
    with pytest.raises(ApplicationError, match="cannot be cancelled"):
        services.workorder_cancel(work_order=order, reason="duplicate", actor=csr)
    with pytest.raises(ApplicationError, match="cannot be completed again"):
        services.workorder_complete(
            work_order=order, completed_on=TODAY, findings="again", actor=field_worker, as_of=TODAY
        )
    order.refresh_from_db()
    assert (order.status, order.findings, order.assigned_to) == (
        WorkOrderStatus.COMPLETED,
        "No leak found.",
        None,
    )
    assert _audit_count() == before


def test_nothing_leaves_cancelled(site: Site, csr, field_worker):
    order = _create(site, csr)
    services.workorder_cancel(work_order=order, reason="Customer found the leak: irrigation valve", actor=csr)
    before = _audit_count()
    with pytest.raises(ApplicationError, match="cancelled work order cannot be completed again"):
        services.workorder_complete(
            work_order=order, completed_on=TODAY, findings="x", actor=field_worker, as_of=TODAY
        )
    with pytest.raises(ApplicationError, match="cannot be assigned"):
        services.workorder_assign(work_order=order, assignee=field_worker, actor=csr)
    order.refresh_from_db()
    assert (order.status, order.cancel_reason, order.completed_on) == (
        WorkOrderStatus.CANCELLED,
        "Customer found the leak: irrigation valve",
        None,
    )
    assert _audit_count() == before


def test_cancelling_needs_a_reason(site: Site, csr):
    order = _create(site, csr)
    with pytest.raises(ApplicationError, match="Reason is missing") as refused:
        services.workorder_cancel(work_order=order, reason="   ", actor=csr)
    assert refused.value.field == "reason"
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.OPEN


def test_a_completion_date_in_the_future_or_before_the_order_is_refused(site: Site, csr, field_worker):
    order = _create(site, csr)
    with pytest.raises(ApplicationError, match="2026-12-02 is in the future"):
        services.workorder_complete(
            work_order=order,
            completed_on=dt.date(2026, 12, 2),
            findings="ok",
            actor=field_worker,
            as_of=TODAY,
        )
    with pytest.raises(ApplicationError, match="before WO-000001 was created"):
        services.workorder_complete(
            work_order=order,
            completed_on=dt.date(2026, 11, 30),
            findings="ok",
            actor=field_worker,
            as_of=TODAY,
        )
    with pytest.raises(ApplicationError, match=r"Say what was found and done \(the findings\)"):
        services.workorder_complete(
            work_order=order, completed_on=TODAY, findings=" ", actor=field_worker, as_of=TODAY
        )
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.OPEN


def test_csrs_and_auditors_cannot_complete(site: Site, csr, auditor):
    order = _create(site, csr)
    for actor in (csr, auditor):
        with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
            services.workorder_complete(
                work_order=order, completed_on=TODAY, findings="done", actor=actor, as_of=TODAY
            )
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.OPEN


def test_completing_a_move_out_read_records_a_field_read(site: Site, csr, field_worker):
    order = _create(site, csr, work_type="move_out_read")
    with pytest.raises(ApplicationError, match="give the read, or say in the findings why"):
        services.workorder_complete(
            work_order=order, completed_on=TODAY, findings="", actor=field_worker, as_of=TODAY
        )
    done = services.workorder_complete(
        work_order=order,
        completed_on=TODAY,
        findings="",
        read_value=Decimal("17620"),
        actor=field_worker,
        as_of=TODAY,
    )
    assert done.read is not None
    read = Read.objects.get(pk=done.read.pk)
    assert (read.meter, read.read_on, read.value, read.source) == (
        site.meter,
        TODAY,
        Decimal("17620"),
        ReadSource.FIELD,
    )


def test_a_meter_exchange_order_needs_the_exchange_and_records_it(site: Site, csr, field_worker, technician):
    order = _create(site, csr, work_type="meter_exchange", description="Meter stuck; replace it.")
    with pytest.raises(ApplicationError, match="is a meter exchange: give the new meter") as refused:
        services.workorder_complete(
            work_order=order, completed_on=TODAY, findings="Replaced", actor=field_worker, as_of=TODAY
        )
    assert refused.value.field == "new_meter_serial"
    new_meter = receive(technician, "B2600001")
    exchange = services.ExchangeInput(
        new_meter_serial="B2600001", old_read=Decimal(17510), new_read=Decimal(5)
    )
    done = services.workorder_complete(
        work_order=order,
        completed_on=TODAY,
        findings="Register stuck; replaced.",
        exchange=exchange,
        actor=field_worker,
        as_of=TODAY,
    )
    assert (done.meter, done.new_meter) == (site.meter, new_meter)
    site.meter.refresh_from_db()
    new_meter.refresh_from_db()
    assert (site.meter.status, new_meter.status) == (MeterStatus.REMOVED, MeterStatus.INSTALLED)
    assert AuditEvent.objects.filter(action="meter.exchange").count() == 1


def test_an_unknown_new_meter_refuses_the_whole_completion(site: Site, csr, field_worker):
    order = _create(site, csr, work_type="meter_exchange")
    exchange = services.ExchangeInput(new_meter_serial="NOPE-1", old_read=Decimal(17510), new_read=Decimal(5))
    with pytest.raises(ApplicationError, match="No meter with serial number NOPE-1") as refused:
        services.workorder_complete(
            work_order=order,
            completed_on=TODAY,
            findings="x",
            exchange=exchange,
            actor=field_worker,
            as_of=TODAY,
        )
    assert refused.value.field == "new_meter_serial"
    order.refresh_from_db()
    site.meter.refresh_from_db()
    assert (order.status, site.meter.status) == (WorkOrderStatus.OPEN, MeterStatus.INSTALLED)

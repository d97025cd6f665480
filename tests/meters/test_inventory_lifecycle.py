"""A meter's life: received → in stock → installed → removed → tested → in stock | retired."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.meters import services
from civicbill.meters.models import Meter, MeterStatus, MeterStatusChange, MeterTest
from tests.fixtures.database import assert_nothing_changed
from tests.meters.inventory_helpers import premise, receive, service_point

pytestmark = pytest.mark.usefixtures("frozen")

INSTALLED_ON = dt.date(2026, 8, 3)
REMOVED_ON = dt.date(2026, 10, 1)
TESTED_ON = dt.date(2026, 10, 5)


@pytest.fixture
def removed_meter(technician: Any) -> Meter:
    meter = receive(technician, "LIFE-1")
    point = service_point(technician, premise(technician, "10"))
    services.meter_install(
        meter=meter, service_point=point, installed_on=INSTALLED_ON, install_read=Decimal(0), actor=technician
    )
    services.meter_remove(meter=meter, removed_on=REMOVED_ON, removal_read=Decimal(1_200), actor=technician)
    meter.refresh_from_db()
    assert meter.status == MeterStatus.REMOVED
    return meter


def _statuses(meter: Meter) -> list[tuple[str, str]]:
    return list(
        MeterStatusChange.objects.filter(meter=meter).order_by("id").values_list("from_status", "to_status")
    )


def test_a_meter_goes_round_its_whole_life_and_the_history_shows_each_step(
    technician: Any, removed_meter: Meter
) -> None:
    services.meter_test_record(
        meter=removed_meter, tested_on=TESTED_ON, accuracy_percent=Decimal("99.20"), actor=technician
    )
    services.meter_status_change(
        meter=removed_meter,
        to_status=MeterStatus.IN_STOCK,
        changed_on=dt.date(2026, 10, 6),
        reason="passed test",
        actor=technician,
    )
    assert removed_meter.status == MeterStatus.IN_STOCK
    assert _statuses(removed_meter) == [
        ("", "received"),
        ("received", "in_stock"),
        ("in_stock", "installed"),
        ("installed", "removed"),
        ("removed", "tested"),
        ("tested", "in_stock"),
    ]
    event = AuditEvent.objects.filter(action="meter.status_change").get()
    assert event.summary == "Meter LIFE-1: tested → in stock (passed test)"


@pytest.mark.parametrize("tested_first", [True, False])
def test_a_removed_or_tested_meter_may_be_retired_and_then_nothing_more(
    technician: Any, removed_meter: Meter, tested_first: bool
) -> None:
    if tested_first:
        services.meter_test_record(
            meter=removed_meter, tested_on=TESTED_ON, accuracy_percent=Decimal("96.00"), actor=technician
        )
    services.meter_status_change(
        meter=removed_meter,
        to_status=MeterStatus.RETIRED,
        changed_on=dt.date(2026, 10, 7),
        reason="failed test",
        actor=technician,
    )
    assert Meter.objects.get(pk=removed_meter.pk).status == MeterStatus.RETIRED
    changes = MeterStatusChange.objects.count()
    with pytest.raises(ApplicationError) as caught:
        services.meter_status_change(
            meter=removed_meter,
            to_status=MeterStatus.IN_STOCK,
            changed_on=dt.date(2026, 10, 8),
            reason="found again",
            actor=technician,
        )
    assert caught.value.message == "Meter LIFE-1 is retired; it cannot become in stock, ever."
    assert (caught.value.code, caught.value.field) == ("status_not_allowed", "to_status")
    assert MeterStatusChange.objects.count() == changes
    assert Meter.objects.get(pk=removed_meter.pk).status == MeterStatus.RETIRED


def test_a_meter_in_stock_cannot_be_retired_nor_returned_to_stock(technician: Any) -> None:
    meter = receive(technician, "LIFE-2")
    for target, message in [
        (
            MeterStatus.RETIRED,
            "Meter LIFE-2 is in stock; it cannot become retired "
            "(from in stock it can only become installed).",
        ),
        (
            MeterStatus.IN_STOCK,
            "Meter LIFE-2 is in stock; it cannot become in stock "
            "(from in stock it can only become installed).",
        ),
    ]:
        with pytest.raises(ApplicationError) as caught:
            services.meter_status_change(
                meter=meter,
                to_status=target,
                changed_on=dt.date(2026, 8, 1),
                reason="damaged",
                actor=technician,
            )
        assert caught.value.message == message
    assert _statuses(meter) == [("", "received"), ("received", "in_stock")]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            MeterStatus.INSTALLED,
            "A meter becomes installed only when you install it (meter_install or meter_exchange).",
        ),
        (
            MeterStatus.REMOVED,
            "A meter becomes removed only when you remove it with its removal read "
            "(meter_remove or meter_exchange).",
        ),
        (
            MeterStatus.TESTED,
            "A meter becomes tested only when you record its test result (meter_test_record).",
        ),
        (MeterStatus.RECEIVED, "A meter becomes received only when you receive it (meter_receive)."),
    ],
)
def test_statuses_that_need_more_than_a_status_go_through_their_own_service(
    technician: Any, removed_meter: Meter, target: str, message: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        services.meter_status_change(
            meter=removed_meter, to_status=target, changed_on=TESTED_ON, reason="", actor=technician
        )
    assert caught.value.message == message
    assert Meter.objects.get(pk=removed_meter.pk).status == MeterStatus.REMOVED


def test_a_status_change_dated_before_the_last_one_is_refused(technician: Any, removed_meter: Meter) -> None:
    with pytest.raises(ApplicationError) as caught:
        services.meter_status_change(
            meter=removed_meter,
            to_status=MeterStatus.RETIRED,
            changed_on=dt.date(2026, 9, 30),
            reason="broken",
            actor=technician,
        )
    assert caught.value.message == (
        "The date 2026-09-30 is before meter LIFE-1's last change on 2026-10-01; "
        "use that date or a later one."
    )
    assert caught.value.field == "changed_on"
    assert Meter.objects.get(pk=removed_meter.pk).status == MeterStatus.REMOVED


def test_retiring_needs_a_reason(technician: Any, removed_meter: Meter) -> None:
    with pytest.raises(ApplicationError, match="Say why the meter is retired"):
        services.meter_status_change(
            meter=removed_meter,
            to_status=MeterStatus.RETIRED,
            changed_on=TESTED_ON,
            reason=" ",
            actor=technician,
        )
    assert not AuditEvent.objects.filter(action="meter.status_change").exists()


@pytest.mark.parametrize("role", ["csr", "auditor"])
def test_only_meter_staff_change_a_meter_status(
    role: str, request: pytest.FixtureRequest, removed_meter: Meter
) -> None:
    user = request.getfixturevalue(role)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        services.meter_status_change(
            meter=removed_meter,
            to_status=MeterStatus.RETIRED,
            changed_on=TESTED_ON,
            reason="x",
            actor=user,
        )
    assert Meter.objects.get(pk=removed_meter.pk).status == MeterStatus.REMOVED


# -- bench tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accuracy", "passed"),
    [("99.20", True), ("98.50", True), ("101.50", True), ("98.49", False), ("101.51", False), ("0", False)],
)
def test_a_test_passes_inside_the_98_5_to_101_5_percent_band(
    technician: Any, removed_meter: Meter, accuracy: str, passed: bool
) -> None:
    test = services.meter_test_record(
        meter=removed_meter, tested_on=TESTED_ON, accuracy_percent=Decimal(accuracy), actor=technician
    )
    stored = MeterTest.objects.get(pk=test.pk)
    assert (stored.accuracy_percent, stored.passed, stored.tested_on) == (
        Decimal(accuracy),
        passed,
        TESTED_ON,
    )
    assert Meter.objects.get(pk=removed_meter.pk).status == MeterStatus.TESTED
    change = MeterStatusChange.objects.filter(meter=removed_meter).order_by("-id").first()
    assert change is not None
    assert (
        change.reason
        == f"tested {Decimal(accuracy).quantize(Decimal('0.01'))}%: {'pass' if passed else 'fail'}"
    )


def test_the_tester_may_fail_a_meter_inside_the_band_and_the_band_is_a_setting(
    technician: Any, removed_meter: Meter, settings: Any
) -> None:
    failed = services.meter_test_record(
        meter=removed_meter,
        tested_on=TESTED_ON,
        accuracy_percent=Decimal("100.00"),
        passed=False,
        notes="register cracked",
        actor=technician,
    )
    assert failed.passed is False
    settings.CIVICBILL_METER_ACCURACY_BAND_PERCENT = ("97", "103")
    retest = services.meter_test_record(
        meter=removed_meter,
        tested_on=dt.date(2026, 10, 9),
        accuracy_percent=Decimal("97.00"),
        actor=technician,
    )
    assert retest.passed is True
    assert MeterTest.objects.filter(meter=removed_meter).count() == 2
    assert _statuses(removed_meter)[-1] == ("removed", "tested")  # a re-test adds a result, not a status


def test_only_a_removed_meter_is_bench_tested(technician: Any) -> None:
    meter = receive(technician, "LIFE-3")
    with pytest.raises(ApplicationError) as caught:
        services.meter_test_record(
            meter=meter, tested_on=TESTED_ON, accuracy_percent=Decimal("99"), actor=technician
        )
    assert (
        caught.value.message
        == "Meter LIFE-3 is in stock; only a removed meter is bench tested (remove it first)."
    )
    assert not MeterTest.objects.exists()


@pytest.mark.parametrize(
    ("accuracy", "message"),
    [
        ("99.123", "Accuracy 99.123% has more than 2 decimals."),
        ("-1", "Accuracy -1% must be between 0 and 9,999.99."),
        ("lots", "Accuracy 'lots' is not a percentage like 99.20."),
        (99.2, "Accuracy must be an exact percentage like 99.20, not 99.2."),
    ],
)
def test_an_accuracy_that_is_not_a_percentage_is_refused(
    technician: Any, removed_meter: Meter, accuracy: Any, message: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        services.meter_test_record(
            meter=removed_meter, tested_on=TESTED_ON, accuracy_percent=accuracy, actor=technician
        )
    assert (caught.value.field, caught.value.message) == ("accuracy_percent", message)
    assert not MeterTest.objects.exists()
    assert Meter.objects.get(pk=removed_meter.pk).status == MeterStatus.REMOVED

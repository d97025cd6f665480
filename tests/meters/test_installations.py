"""Installing, removing and exchanging meters at service points, and the reads they write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.customers.models import Account
from civicbill.customers.services import premise_update
from civicbill.meters import services
from civicbill.meters.models import (
    Meter,
    MeterInstallation,
    MeterStatus,
    Read,
    ServicePoint,
)
from civicbill.meters.selectors import consumption_for_period, service_point_for_account
from tests.fixtures.database import assert_nothing_changed
from tests.meters.inventory_helpers import add_read, premise, receive, service_point

pytestmark = pytest.mark.usefixtures("frozen")

AUG_3 = dt.date(2026, 8, 3)
SEP_30 = dt.date(2026, 9, 30)
OCT_15 = dt.date(2026, 10, 15)
OCT_31 = dt.date(2026, 10, 31)


def _reads(point: ServicePoint) -> list[tuple[str, dt.date, Decimal, str, str, Decimal | None, bool]]:
    return list(
        Read.objects.filter(service_point=point)
        .order_by("read_on", "id")
        .values_list(
            "meter__serial_number", "read_on", "value", "source", "status", "consumption_hcf", "rolled_over"
        )
    )


def _state() -> dict[str, Any]:
    return {
        "installations": list(
            MeterInstallation.objects.order_by("pk").values_list("meter_id", "removed_on", "removal_read")
        ),
        "reads": Read.objects.count(),
        "statuses": list(Meter.objects.order_by("pk").values_list("serial_number", "status")),
        "audit": AuditEvent.objects.filter(action__startswith="meter.").count(),
    }


@pytest.fixture
def point(technician: Any) -> ServicePoint:
    return service_point(technician, premise(technician, "81"), route="R02", sequence=40)


# -- install -------------------------------------------------------------------------------------


def test_installing_writes_the_installation_an_install_read_and_the_status(
    technician: Any, point: ServicePoint
) -> None:
    meter = receive(technician, "NEW-1")
    installation = services.meter_install(
        meter=meter, service_point=point, installed_on=AUG_3, install_read=Decimal("1234"), actor=technician
    )
    stored = MeterInstallation.objects.get(pk=installation.pk)
    assert (stored.meter_id, stored.service_point_id, stored.installed_on, stored.install_read) == (
        meter.pk,
        point.pk,
        AUG_3,
        Decimal("1234.000"),
    )
    assert (stored.removed_on, stored.removal_read) == (None, None)
    assert _reads(point) == [
        ("NEW-1", AUG_3, Decimal("1234.000"), "install", "actual", Decimal("0.000"), False)
    ]
    assert Meter.objects.get(pk=meter.pk).status == meter.status == MeterStatus.INSTALLED
    event = AuditEvent.objects.get(action="meter.install")
    assert event.summary == "Meter NEW-1 installed at 81 Avenue 48 on 2026-08-03, read 1,234"
    assert event.account_number == ""  # nobody lives there yet


def test_an_install_is_on_the_account_audit_trail_of_whoever_lives_there(
    technician: Any, rosa_account: Account
) -> None:
    point = service_point(technician, rosa_account.premise)
    services.meter_install(
        meter=receive(technician, "NEW-2"),
        service_point=point,
        installed_on=dt.date(2026, 11, 10),
        install_read=Decimal(0),
        actor=technician,
    )
    assert AuditEvent.objects.get(action="meter.install").account_number == rosa_account.number


def test_a_meter_not_in_stock_is_not_installed(technician: Any, point: ServicePoint) -> None:
    meter = receive(technician, "NEW-3")
    services.meter_install(
        meter=meter, service_point=point, installed_on=AUG_3, install_read=Decimal(0), actor=technician
    )
    other = service_point(technician, premise(technician, "83"))
    before = _state()
    with pytest.raises(ApplicationError) as caught:
        services.meter_install(
            meter=meter, service_point=other, installed_on=SEP_30, install_read=Decimal(0), actor=technician
        )
    assert caught.value.message == "Meter NEW-3 is installed; only a meter in stock can be installed."
    assert _state() == before


def test_a_service_point_holds_one_meter(technician: Any, point: ServicePoint) -> None:
    services.meter_install(
        meter=receive(technician, "NEW-4"),
        service_point=point,
        installed_on=AUG_3,
        install_read=Decimal(0),
        actor=technician,
    )
    second = receive(technician, "NEW-5")
    before = _state()
    with pytest.raises(ApplicationError) as caught:
        services.meter_install(
            meter=second, service_point=point, installed_on=SEP_30, install_read=Decimal(0), actor=technician
        )
    assert caught.value.message == (
        "Meter NEW-4 has been installed at 81 Avenue 48 (route R02 #40) since 2026-08-03; "
        "exchange it, or remove it first."
    )
    assert (caught.value.code, caught.value.field) == ("service_point_occupied", "service_point")
    assert _state() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            Decimal(100_000),
            "Install read 100,000 does not fit meter NEW-6's 5-dial register (0 to 99,999).",
        ),
        (Decimal(-1), "Install read cannot be negative (-1)."),
        (Decimal("1.0001"), "Install read 1.0001 has more than 3 decimals."),
    ],
)
def test_an_install_read_must_fit_the_register(
    technician: Any, point: ServicePoint, value: Decimal, message: str
) -> None:
    meter = receive(technician, "NEW-6", dials=5)
    with pytest.raises(ApplicationError) as caught:
        services.meter_install(
            meter=meter, service_point=point, installed_on=AUG_3, install_read=value, actor=technician
        )
    assert (caught.value.field, caught.value.message) == ("install_read", message)
    assert not MeterInstallation.objects.exists()
    assert not Read.objects.exists()
    assert Meter.objects.get(pk=meter.pk).status == MeterStatus.IN_STOCK


def test_a_meter_cannot_be_installed_before_the_last_one_left(technician: Any, point: ServicePoint) -> None:
    first = receive(technician, "NEW-7")
    services.meter_install(
        meter=first, service_point=point, installed_on=AUG_3, install_read=Decimal(0), actor=technician
    )
    services.meter_remove(meter=first, removed_on=SEP_30, removal_read=Decimal(10), actor=technician)
    with pytest.raises(ApplicationError) as caught:
        services.meter_install(
            meter=receive(technician, "NEW-8"),
            service_point=point,
            installed_on=dt.date(2026, 9, 1),
            install_read=Decimal(0),
            actor=technician,
        )
    assert caught.value.message == (
        "Install date 2026-09-01 is before meter NEW-7 was removed from this service point on 2026-09-30."
    )


@pytest.mark.parametrize("role", ["csr", "auditor"])
def test_counter_staff_and_auditors_may_not_install_meters(
    role: str, request: pytest.FixtureRequest, technician: Any, point: ServicePoint
) -> None:
    meter = receive(technician, "NEW-9")
    with pytest.raises(
        PermissionDeniedError, match=r"may not receive, install, remove, exchange and test meters"
    ):
        services.meter_install(
            meter=meter,
            service_point=point,
            installed_on=AUG_3,
            install_read=Decimal(0),
            actor=request.getfixturevalue(role),
        )
    assert not MeterInstallation.objects.exists()
    assert not Read.objects.exists()
    assert Meter.objects.get(pk=meter.pk).status == MeterStatus.IN_STOCK


def test_field_staff_install_meters(technician: Any, field_worker: Any, point: ServicePoint) -> None:
    installation = services.meter_install(
        meter=receive(technician, "NEW-10"),
        service_point=point,
        installed_on=AUG_3,
        install_read=Decimal(0),
        actor=field_worker,
    )
    assert installation.pk is not None


# -- remove --------------------------------------------------------------------------------------


def test_a_removal_read_carries_the_usage_since_the_last_read(technician: Any, point: ServicePoint) -> None:
    meter = receive(technician, "OUT-1")
    installation = services.meter_install(
        meter=meter, service_point=point, installed_on=AUG_3, install_read=Decimal(9_900), actor=technician
    )
    add_read(installation, SEP_30, 9_990, actor=technician)
    closed = services.meter_remove(
        installation=installation, removed_on=OCT_15, removal_read=Decimal(10_040), actor=technician
    )
    assert (closed.removed_on, closed.removal_read) == (OCT_15, Decimal(10_040))
    assert _reads(point)[-1] == (
        "OUT-1",
        OCT_15,
        Decimal("10040.000"),
        "removal",
        "actual",
        Decimal("0.500"),
        False,
    )
    assert Meter.objects.get(pk=meter.pk).status == MeterStatus.REMOVED
    event = AuditEvent.objects.get(action="meter.remove")
    assert event.changes["consumption_hcf"] == "0.500"


def test_a_removal_read_below_the_last_read_is_a_rollover_when_plausible(
    technician: Any, point: ServicePoint
) -> None:
    meter = receive(technician, "OUT-2", dials=4)
    installation = services.meter_install(
        meter=meter, service_point=point, installed_on=AUG_3, install_read=Decimal(9_000), actor=technician
    )
    add_read(installation, SEP_30, 9_990, actor=technician)
    services.meter_remove(meter=meter, removed_on=OCT_15, removal_read=Decimal(40), actor=technician)
    assert _reads(point)[-1] == (
        "OUT-2",
        OCT_15,
        Decimal("40.000"),
        "removal",
        "actual",
        Decimal("0.500"),
        True,
    )


def test_a_removal_read_below_the_last_read_that_is_no_rollover_is_refused(
    technician: Any, point: ServicePoint
) -> None:
    meter = receive(technician, "OUT-3", dials=4)
    installation = services.meter_install(
        meter=meter, service_point=point, installed_on=AUG_3, install_read=Decimal(4_000), actor=technician
    )
    add_read(installation, SEP_30, 4_530, actor=technician)
    before = _state()
    with pytest.raises(ApplicationError) as caught:
        services.meter_remove(meter=meter, removed_on=OCT_15, removal_read=Decimal(4_512), actor=technician)
    assert caught.value.field == "removal_read"
    assert caught.value.message == (
        "Removal read for meter OUT-3: Read 4,512 is lower than the previous read 4,530 "
        "and is not a plausible rollover for a 4-dial register: it would mean 9,982 CF."
    )
    assert _state() == before


def test_a_removal_dated_before_the_last_read_is_refused(technician: Any, point: ServicePoint) -> None:
    meter = receive(technician, "OUT-4")
    installation = services.meter_install(
        meter=meter, service_point=point, installed_on=AUG_3, install_read=Decimal(0), actor=technician
    )
    add_read(installation, SEP_30, 500, actor=technician)
    with pytest.raises(ApplicationError) as caught:
        services.meter_remove(
            meter=meter, removed_on=dt.date(2026, 9, 29), removal_read=Decimal(600), actor=technician
        )
    assert caught.value.message == (
        "Removal date 2026-09-29 is before meter OUT-4's last read (500 on 2026-09-30)."
    )
    assert MeterInstallation.objects.get(pk=installation.pk).removed_on is None


def test_a_meter_in_stock_cannot_be_removed(technician: Any) -> None:
    meter = receive(technician, "OUT-5")
    with pytest.raises(
        ApplicationError, match=r"^Meter OUT-5 is not installed anywhere \(it is in stock\)\.$"
    ):
        services.meter_remove(meter=meter, removed_on=OCT_15, removal_read=Decimal(1), actor=technician)


# -- exchange ------------------------------------------------------------------------------------


def test_an_exchange_keeps_consumption_continuous_across_the_two_meters(
    technician: Any, point: ServicePoint
) -> None:
    old = receive(technician, "OLD-5D", dials=5, unit="CF", size="5/8")
    installed = services.meter_install(
        meter=old, service_point=point, installed_on=AUG_3, install_read=Decimal(9_900), actor=technician
    )
    add_read(installed, SEP_30, 9_990, actor=technician)
    new = receive(technician, "NEW-5D", dials=5, unit="CF", size="3/4")
    installation = services.meter_exchange(
        old_meter=old,
        new_meter=new,
        exchanged_on=OCT_15,
        old_read=Decimal(10_040),
        new_read=Decimal(0),
        actor=technician,
    )
    add_read(installation, OCT_31, 30, actor=technician)
    assert (installation.meter_id, installation.service_point_id, installation.installed_on) == (
        new.pk,
        point.pk,
        OCT_15,
    )
    assert (old.status, new.status) == (MeterStatus.REMOVED, MeterStatus.INSTALLED)
    assert _reads(point) == [
        ("OLD-5D", AUG_3, Decimal("9900.000"), "install", "actual", Decimal("0.000"), False),
        ("OLD-5D", SEP_30, Decimal("9990.000"), "manual", "actual", Decimal("0.900"), False),
        ("OLD-5D", OCT_15, Decimal("10040.000"), "removal", "actual", Decimal("0.500"), False),
        ("NEW-5D", OCT_15, Decimal("0.000"), "install", "actual", Decimal("0.000"), False),
        ("NEW-5D", OCT_31, Decimal("30.000"), "manual", "actual", Decimal("0.300"), False),
    ]
    period = consumption_for_period(service_point_ids=[point.pk], period_start=SEP_30, period_end=OCT_31)[
        point.pk
    ]
    assert period.consumption_hcf == Decimal("0.800")  # 50 CF on the old meter + 30 CF on the new one
    assert (period.estimated, period.missing, period.exchanged) == (False, False, True)
    assert period.read_dates == (OCT_15, OCT_15, OCT_31)
    assert (period.meter_size, period.meter_serials) == ("3/4", ("OLD-5D", "NEW-5D"))
    event = AuditEvent.objects.get(action="meter.exchange")
    assert event.changes["old_consumption_hcf"] == "0.500"
    actions = (
        AuditEvent.objects.filter(action__startswith="meter.").order_by("id").values_list("action", flat=True)
    )
    assert list(actions) == ["meter.receive", "meter.install", "meter.receive", "meter.exchange"]


def test_an_exchange_whose_new_meter_is_not_in_stock_changes_nothing(
    technician: Any, point: ServicePoint
) -> None:
    old = receive(technician, "EX-1")
    services.meter_install(
        meter=old, service_point=point, installed_on=AUG_3, install_read=Decimal(0), actor=technician
    )
    elsewhere = receive(technician, "EX-2")
    services.meter_install(
        meter=elsewhere,
        service_point=service_point(technician, premise(technician, "85")),
        installed_on=AUG_3,
        install_read=Decimal(0),
        actor=technician,
    )
    before = _state()
    with pytest.raises(ApplicationError) as caught:
        services.meter_exchange(
            old_meter=old,
            new_meter=elsewhere,
            exchanged_on=OCT_15,
            old_read=Decimal(100),
            new_read=Decimal(0),
            actor=technician,
        )
    assert caught.value.message == "Meter EX-2 is installed; the new meter of an exchange must be in stock."
    assert caught.value.field == "new_meter"
    assert _state() == before


@pytest.mark.parametrize(
    ("old_read", "new_read", "field", "message"),
    [
        (
            Decimal(50),
            Decimal(0),
            "old_read",
            "Old read for meter EX-3: Read 50 is lower than the previous read 500 and is not a "
            "plausible rollover for a 5-dial register: it would mean 99,550 CF.",
        ),
        (
            Decimal(600),
            Decimal(10_000),
            "new_read",
            "New meter read 10,000 does not fit meter EX-4's 4-dial register (0 to 9,999).",
        ),
    ],
)
def test_an_exchange_with_a_bad_read_changes_nothing(
    technician: Any, point: ServicePoint, old_read: Decimal, new_read: Decimal, field: str, message: str
) -> None:
    old = receive(technician, "EX-3")
    installation = services.meter_install(
        meter=old, service_point=point, installed_on=AUG_3, install_read=Decimal(0), actor=technician
    )
    add_read(installation, SEP_30, 500, actor=technician)
    new = receive(technician, "EX-4", dials=4)
    before = _state()
    with pytest.raises(ApplicationError) as caught:
        services.meter_exchange(
            old_meter=old,
            new_meter=new,
            exchanged_on=OCT_15,
            old_read=old_read,
            new_read=new_read,
            actor=technician,
        )
    assert (caught.value.field, caught.value.message) == (field, message)
    assert _state() == before


def test_a_meter_is_not_exchanged_for_itself(technician: Any) -> None:
    meter = receive(technician, "EX-5")
    with pytest.raises(ApplicationError, match="cannot be exchanged for itself"):
        services.meter_exchange(
            old_meter=meter,
            new_meter=meter,
            exchanged_on=OCT_15,
            old_read=Decimal(0),
            new_read=Decimal(0),
            actor=technician,
        )


def test_only_meter_staff_exchange_meters(technician: Any, csr: Any, point: ServicePoint) -> None:
    old = receive(technician, "EX-6")
    services.meter_install(
        meter=old, service_point=point, installed_on=AUG_3, install_read=Decimal(0), actor=technician
    )
    new = receive(technician, "EX-7")
    before = _state()
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        services.meter_exchange(
            old_meter=old,
            new_meter=new,
            exchanged_on=OCT_15,
            old_read=Decimal(5),
            new_read=Decimal(0),
            actor=csr,
        )
    assert _state() == before


# -- service points and the account shortcut ------------------------------------------------------


def test_a_service_point_needs_a_route(technician: Any) -> None:
    at = premise(technician, "90")
    with pytest.raises(ApplicationError) as caught:
        services.service_point_create(premise=at, read_route=" ", route_sequence=1, actor=technician)
    assert (caught.value.field, caught.value.message) == ("read_route", "Read route is required.")
    with pytest.raises(ApplicationError) as caught:
        services.service_point_create(premise=at, read_route="R1", route_sequence=-5, actor=technician)
    assert caught.value.message == "Route sequence must be 0 or more, not -5."
    assert not ServicePoint.objects.exists()


def test_installing_by_account_uses_or_creates_the_premise_water_service_point(
    technician: Any, csr: Any, rosa_account: Account
) -> None:
    receive(technician, "ACC-1")
    with pytest.raises(ApplicationError) as caught:
        services.meter_install_for_account(
            account_number=rosa_account.number,
            serial="ACC-1",
            installed_on=OCT_15,
            read=Decimal(0),
            actor=technician,
        )
    assert caught.value.message == (
        "52 Avenue 48 has no water service point and no read route; create its service point "
        "(route and sequence) first."
    )
    assert not ServicePoint.objects.exists()
    premise_update(premise=rosa_account.premise, read_route="R07", route_sequence=120, actor=csr)
    installation = services.meter_install_for_account(
        account_number=rosa_account.number.replace("-", ""),
        serial="acc-1",
        installed_on=OCT_15,
        read=Decimal(12),
        actor=technician,
    )
    point = service_point_for_account(rosa_account)
    assert point is not None
    assert (point.read_route, point.route_sequence, point.service) == ("R07", 120, "water")
    assert installation.service_point_id == point.pk
    assert installation.meter.serial_number == "ACC-1"


def test_installing_by_account_names_what_was_not_found(technician: Any, rosa_account: Account) -> None:
    with pytest.raises(NotFoundError, match=r"^No meter with serial number NOPE\.$"):
        services.meter_install_for_account(
            account_number=rosa_account.number,
            serial="NOPE",
            installed_on=OCT_15,
            read=Decimal(0),
            actor=technician,
        )
    with pytest.raises(NotFoundError, match=r"^No account 9999999"):
        services.meter_install_for_account(
            account_number="9999999-0", serial="NOPE", installed_on=OCT_15, read=Decimal(0), actor=technician
        )

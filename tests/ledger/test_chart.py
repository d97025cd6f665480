"""The chart of accounts: seeded from chart.CHART, with lookups by service and fund."""

from __future__ import annotations

import pytest

from civicbill.core.utility_services import Fund, Service
from civicbill.ledger import chart
from civicbill.ledger.models import GLAccount


@pytest.mark.django_db
def test_the_migration_seeds_exactly_the_chart() -> None:
    seeded = [
        chart.ChartAccount(a.code, a.name, a.account_type, a.fund, a.is_receivable_control, a.service)
        for a in GLAccount.objects.order_by("code")
    ]

    assert seeded == list(chart.CHART)
    assert len(seeded) == 49  # 36 + 8 cashiering + 4 refunds payable, returned payment fees + 1 reconnection
    assert GLAccount.objects.filter(is_active=False).count() == 0


@pytest.mark.django_db
def test_seeding_again_creates_only_missing_accounts() -> None:
    GLAccount.objects.filter(code=chart.CASH_OVER_SHORT).delete()

    assert chart.seed_chart(GLAccount) == 1
    assert chart.seed_chart(GLAccount) == 0
    assert GLAccount.objects.count() == 49


def test_every_code_is_fund_number_dash_account_number_of_its_fund() -> None:
    for account in chart.CHART:
        fund_number, _, number = account.code.partition("-")
        assert chart.FUND_NUMBER[account.fund] == fund_number, account
        assert len(number) == 4 and number.isdigit(), account


@pytest.mark.parametrize(
    ("service", "receivable", "revenue", "penalty", "fund"),
    [
        (Service.WATER, "500-1210", "500-4110", "500-4500", "water"),
        (Service.FIRE_LINE, "500-1240", "500-4140", "500-4500", "water"),
        (Service.SEWER, "510-1220", "510-4120", "510-4500", "sewer"),
        (Service.REFUSE, "520-1230", "520-4130", "520-4500", "refuse"),
    ],
)
def test_service_lookups(service: str, receivable: str, revenue: str, penalty: str, fund: str) -> None:
    control = chart.receivable_control_for(service)

    assert (control.code, control.is_receivable_control, control.service, control.fund) == (
        receivable,
        True,
        str(service),
        fund,
    )
    assert chart.revenue_for(service).code == revenue
    assert chart.penalty_revenue_for(service).code == penalty
    assert chart.fund_for(service) == fund


def test_fund_lookups() -> None:
    assert [chart.cash_for(f).code for f in Fund] == ["500-1000", "510-1000", "520-1000", "100-1000"]
    assert chart.conversion_equity_for(Fund.SEWER).code == "510-3900"
    assert (chart.due_from_other_funds("general").code, chart.due_to_other_funds("water").code) == (
        "100-1900",
        "500-2100",
    )
    assert (chart.write_off_expense_for("refuse").code, chart.allowance_for("fire_line").code) == (
        "520-6900",
        "500-1290",
    )


def test_well_known_accounts() -> None:
    assert chart.gl_account(chart.SUSPENSE_UNAPPLIED_CASH).account_type == "liability"
    assert chart.gl_account(chart.CASH_OVER_SHORT) == chart.ChartAccount(
        "100-6100", "Cash over/short", "expense", "general"
    )
    assert chart.gl_account(chart.CUSTOMER_DEPOSITS).fund == "water"
    with pytest.raises(LookupError, match="GL account 999-0000 is not in the chart of accounts"):
        chart.gl_account("999-0000")

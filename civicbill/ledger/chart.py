"""The chart of accounts, as data. Pure: no database; the seeding migration reads it.

Codes are ``FFF-NNNN``: the fund number, then the account number inside the fund. Every fund is
a self-balancing set of accounts (its debits equal its credits in every entry), so money moving
between funds goes through *due from / due to other funds*.

======== ===================================================== ========== ======= ===========
code     name                                                  type       fund    AR control
======== ===================================================== ========== ======= ===========
100-1000 Cash - General Fund                                   asset      general
100-1900 Due from other funds - General Fund                   asset      general
100-2100 Due to other funds - General Fund                     liability  general
100-2900 Suspense - unapplied cash                             liability  general
100-3900 Conversion opening balances - General Fund            equity     general
100-6100 Cash over/short                                       expense    general
500-1000 Cash - Water Fund                                     asset      water
500-1210 Accounts receivable - water                           asset      water   water
500-1240 Accounts receivable - fire line                       asset      water   fire_line
500-1290 Allowance for uncollectible accounts - Water Fund     asset (*)  water
500-1900 Due from other funds - Water Fund                     asset      water
500-2100 Due to other funds - Water Fund                       liability  water
500-2200 Customer deposits held                                liability  water
500-3900 Conversion opening balances - Water Fund              equity     water
500-4110 Water sales                                           revenue    water   (service)
500-4140 Fire line service charges                             revenue    water   (service)
500-4500 Late payment penalties - Water Fund                   revenue    water
500-6900 Uncollectible accounts expense - Water Fund           expense    water
510-1000 Cash - Sewer Fund                                     asset      sewer
510-1220 Accounts receivable - sewer                           asset      sewer   sewer
510-1290 Allowance for uncollectible accounts - Sewer Fund     asset (*)  sewer
510-1900 Due from other funds - Sewer Fund                     asset      sewer
510-2100 Due to other funds - Sewer Fund                       liability  sewer
510-3900 Conversion opening balances - Sewer Fund              equity     sewer
510-4120 Sewer service charges                                 revenue    sewer   (service)
510-4500 Late payment penalties - Sewer Fund                   revenue    sewer
510-6900 Uncollectible accounts expense - Sewer Fund           expense    sewer
520-1000 Cash - Refuse Fund                                    asset      refuse
520-1230 Accounts receivable - refuse                          asset      refuse  refuse
520-1290 Allowance for uncollectible accounts - Refuse Fund    asset (*)  refuse
520-1900 Due from other funds - Refuse Fund                    asset      refuse
520-2100 Due to other funds - Refuse Fund                      liability  refuse
520-3900 Conversion opening balances - Refuse Fund             equity     refuse
520-4130 Refuse collection charges                             revenue    refuse  (service)
520-4500 Late payment penalties - Refuse Fund                  revenue    refuse
520-6900 Uncollectible accounts expense - Refuse Fund          expense    refuse
======== ===================================================== ========== ======= ===========

Added for cashiering (issue 5), appended after the table above:

======== ===================================================== ========== ======= ===========
100-1010 Undeposited funds - General Fund                      asset      general
500-1010 Undeposited funds - Water Fund                        asset      water
510-1010 Undeposited funds - Sewer Fund                        asset      sewer
520-1010 Undeposited funds - Refuse Fund                       asset      refuse
100-4310 Parking citations                                     revenue    general
100-4320 Business license fees                                 revenue    general
100-4330 Permit fees                                           revenue    general
100-4390 Copies and other city fees                            revenue    general
======== ===================================================== ========== ======= ===========

Added for payments from other channels, returned checks and refunds (issue 5):

======== ===================================================== ========== ======= ===========
500-2300 Refunds payable - Water Fund                          liability  water
510-2300 Refunds payable - Sewer Fund                          liability  sewer
520-2300 Refunds payable - Refuse Fund                         liability  refuse
500-4510 Returned payment fees                                 revenue    water
======== ===================================================== ========== ======= ===========

Added for collections (issue 14): 500-4520 Reconnection fees (revenue, water) — the fee for
reconnecting water after a shutoff for nonpayment, charged to the water receivable.

Lockbox and online payments debit the fund's cash directly (the bank or the processor deposits
them); unmatched ones wait in 100-2900 Suspense until applied to an account.

Counter payments debit each fund's *undeposited funds* account; the day close moves them to the
fund's cash (the bank deposit). Over/short is the General Fund's, against its undeposited funds.

(*) a contra-asset: an asset account that normally carries a credit balance.

Only the four receivable control accounts take lines that name a customer account and service
(the AR subledger). Revenue accounts name their service for reporting, but their lines don't.
Fire-line service lives in the Water Fund. Customer deposits are held by the Water Fund.

Typical entries (amounts in dollars)::

    bill      Dr 500-1210 AR water (acct, water) 40.00    Cr 500-4110 Water sales       40.00
              Dr 510-1220 AR sewer (acct, sewer) 41.81    Cr 510-4120 Sewer charges     41.81
    payment   Dr 500-1000 Cash - Water Fund      40.00    Cr 500-1210 AR water (acct)   40.00
    penalty   Dr 500-1210 AR water (acct, water)  4.00    Cr 500-4500 Late penalties     4.00
    opening   Dr 500-1210 AR water (acct, water) 12.34    Cr 500-3900 Conversion equity 12.34
    short     Dr 100-6100 Cash over/short         1.00    Cr 100-1000 Cash - General     1.00
    counter   Dr 500-1010 Undeposited - Water    40.00    Cr 500-1210 AR water (acct)   40.00
    deposit   Dr 500-1000 Cash - Water Fund      40.00    Cr 500-1010 Undeposited       40.00
    misc      Dr 100-1010 Undeposited - General  35.00    Cr 100-4310 Parking citations 35.00

Adding an account: append it to :data:`CHART` and write a new migration that calls
``seed_chart`` again (it creates only the codes that are missing). Never renumber a code that
has lines: post a reclassification entry instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from civicbill.core.utility_services import FUND_FOR_SERVICE, Fund, Service


class AccountType(models.TextChoices):
    ASSET = "asset", "Asset"
    LIABILITY = "liability", "Liability"
    EQUITY = "equity", "Equity"
    REVENUE = "revenue", "Revenue"
    EXPENSE = "expense", "Expense"


FUND_NUMBER: dict[str, str] = {Fund.GENERAL: "100", Fund.WATER: "500", Fund.SEWER: "510", Fund.REFUSE: "520"}


@dataclass(frozen=True, slots=True)
class ChartAccount:
    code: str
    name: str
    account_type: str
    fund: str
    is_receivable_control: bool = False
    service: str | None = None


# -- well-known codes -------------------------------------------------------------------------------
CASH_GENERAL = "100-1000"
DUE_FROM_OTHER_FUNDS_GENERAL = "100-1900"
DUE_TO_OTHER_FUNDS_GENERAL = "100-2100"
SUSPENSE_UNAPPLIED_CASH = "100-2900"
CONVERSION_EQUITY_GENERAL = "100-3900"
CASH_OVER_SHORT = "100-6100"

CASH_WATER = "500-1000"
RECEIVABLE_WATER = "500-1210"
RECEIVABLE_FIRE_LINE = "500-1240"
ALLOWANCE_WATER = "500-1290"
DUE_FROM_OTHER_FUNDS_WATER = "500-1900"
DUE_TO_OTHER_FUNDS_WATER = "500-2100"
CUSTOMER_DEPOSITS = "500-2200"
CONVERSION_EQUITY_WATER = "500-3900"
REVENUE_WATER = "500-4110"
REVENUE_FIRE_LINE = "500-4140"
PENALTY_REVENUE_WATER = "500-4500"
WRITE_OFF_EXPENSE_WATER = "500-6900"

CASH_SEWER = "510-1000"
RECEIVABLE_SEWER = "510-1220"
ALLOWANCE_SEWER = "510-1290"
DUE_FROM_OTHER_FUNDS_SEWER = "510-1900"
DUE_TO_OTHER_FUNDS_SEWER = "510-2100"
CONVERSION_EQUITY_SEWER = "510-3900"
REVENUE_SEWER = "510-4120"
PENALTY_REVENUE_SEWER = "510-4500"
WRITE_OFF_EXPENSE_SEWER = "510-6900"

CASH_REFUSE = "520-1000"
RECEIVABLE_REFUSE = "520-1230"
ALLOWANCE_REFUSE = "520-1290"
DUE_FROM_OTHER_FUNDS_REFUSE = "520-1900"
DUE_TO_OTHER_FUNDS_REFUSE = "520-2100"
CONVERSION_EQUITY_REFUSE = "520-3900"
REVENUE_REFUSE = "520-4130"
PENALTY_REVENUE_REFUSE = "520-4500"
WRITE_OFF_EXPENSE_REFUSE = "520-6900"

# cashiering (appended)
UNDEPOSITED_GENERAL = "100-1010"
UNDEPOSITED_WATER = "500-1010"
UNDEPOSITED_SEWER = "510-1010"
UNDEPOSITED_REFUSE = "520-1010"
REVENUE_PARKING_CITATIONS = "100-4310"
REVENUE_BUSINESS_LICENSES = "100-4320"
REVENUE_PERMITS = "100-4330"
REVENUE_OTHER_CITY_FEES = "100-4390"

# payments from other channels, returned checks, refunds (appended)
REFUNDS_PAYABLE_WATER = "500-2300"
REFUNDS_PAYABLE_SEWER = "510-2300"
REFUNDS_PAYABLE_REFUSE = "520-2300"
RETURNED_PAYMENT_FEES = "500-4510"
RECONNECTION_FEES = "500-4520"  # collections: reconnection after a shutoff for nonpayment

_A, _L, _E, _R, _X = (
    AccountType.ASSET,
    AccountType.LIABILITY,
    AccountType.EQUITY,
    AccountType.REVENUE,
    AccountType.EXPENSE,
)
_FUND_NAME: dict[str, str] = {
    Fund.GENERAL: "General Fund",
    Fund.WATER: "Water Fund",
    Fund.SEWER: "Sewer Fund",
    Fund.REFUSE: "Refuse Fund",
}


def _fund_accounts(fund: str) -> list[ChartAccount]:
    """The accounts every fund has."""
    number, name = FUND_NUMBER[fund], _FUND_NAME[fund]
    rows = [
        ChartAccount(f"{number}-1000", f"Cash - {name}", _A, fund),
        ChartAccount(f"{number}-1900", f"Due from other funds - {name}", _A, fund),
        ChartAccount(f"{number}-2100", f"Due to other funds - {name}", _L, fund),
        ChartAccount(f"{number}-3900", f"Conversion opening balances - {name}", _E, fund),
    ]
    if fund != Fund.GENERAL:
        rows += [
            ChartAccount(f"{number}-1290", f"Allowance for uncollectible accounts - {name}", _A, fund),
            ChartAccount(f"{number}-4500", f"Late payment penalties - {name}", _R, fund),
            ChartAccount(f"{number}-6900", f"Uncollectible accounts expense - {name}", _X, fund),
        ]
    return rows


def _build_chart() -> tuple[ChartAccount, ...]:
    rows: list[ChartAccount] = []
    for fund in (Fund.GENERAL, Fund.WATER, Fund.SEWER, Fund.REFUSE):
        rows += _fund_accounts(fund)
    rows += [
        ChartAccount(SUSPENSE_UNAPPLIED_CASH, "Suspense - unapplied cash", _L, Fund.GENERAL),
        ChartAccount(CASH_OVER_SHORT, "Cash over/short", _X, Fund.GENERAL),
        ChartAccount(CUSTOMER_DEPOSITS, "Customer deposits held", _L, Fund.WATER),
        ChartAccount(RECEIVABLE_WATER, "Accounts receivable - water", _A, Fund.WATER, True, Service.WATER),
        ChartAccount(
            RECEIVABLE_FIRE_LINE, "Accounts receivable - fire line", _A, Fund.WATER, True, Service.FIRE_LINE
        ),
        ChartAccount(RECEIVABLE_SEWER, "Accounts receivable - sewer", _A, Fund.SEWER, True, Service.SEWER),
        ChartAccount(
            RECEIVABLE_REFUSE, "Accounts receivable - refuse", _A, Fund.REFUSE, True, Service.REFUSE
        ),
        ChartAccount(REVENUE_WATER, "Water sales", _R, Fund.WATER, False, Service.WATER),
        ChartAccount(
            REVENUE_FIRE_LINE, "Fire line service charges", _R, Fund.WATER, False, Service.FIRE_LINE
        ),
        ChartAccount(REVENUE_SEWER, "Sewer service charges", _R, Fund.SEWER, False, Service.SEWER),
        ChartAccount(REVENUE_REFUSE, "Refuse collection charges", _R, Fund.REFUSE, False, Service.REFUSE),
        # cashiering
        ChartAccount(UNDEPOSITED_GENERAL, "Undeposited funds - General Fund", _A, Fund.GENERAL),
        ChartAccount(UNDEPOSITED_WATER, "Undeposited funds - Water Fund", _A, Fund.WATER),
        ChartAccount(UNDEPOSITED_SEWER, "Undeposited funds - Sewer Fund", _A, Fund.SEWER),
        ChartAccount(UNDEPOSITED_REFUSE, "Undeposited funds - Refuse Fund", _A, Fund.REFUSE),
        ChartAccount(REVENUE_PARKING_CITATIONS, "Parking citations", _R, Fund.GENERAL),
        ChartAccount(REVENUE_BUSINESS_LICENSES, "Business license fees", _R, Fund.GENERAL),
        ChartAccount(REVENUE_PERMITS, "Permit fees", _R, Fund.GENERAL),
        ChartAccount(REVENUE_OTHER_CITY_FEES, "Copies and other city fees", _R, Fund.GENERAL),
        # returned checks and refunds
        ChartAccount(REFUNDS_PAYABLE_WATER, "Refunds payable - Water Fund", _L, Fund.WATER),
        ChartAccount(REFUNDS_PAYABLE_SEWER, "Refunds payable - Sewer Fund", _L, Fund.SEWER),
        ChartAccount(REFUNDS_PAYABLE_REFUSE, "Refunds payable - Refuse Fund", _L, Fund.REFUSE),
        ChartAccount(RETURNED_PAYMENT_FEES, "Returned payment fees", _R, Fund.WATER),
        # collections (issue 14)
        ChartAccount(RECONNECTION_FEES, "Reconnection fees", _R, Fund.WATER),
    ]
    # plain str values (not enum members) so the data compares and hashes like database values
    return tuple(
        sorted(
            (
                ChartAccount(
                    r.code,
                    r.name,
                    str(r.account_type),
                    str(r.fund),
                    r.is_receivable_control,
                    None if r.service is None else str(r.service),
                )
                for r in rows
            ),
            key=lambda r: r.code,
        )
    )


CHART: tuple[ChartAccount, ...] = _build_chart()
_BY_CODE: dict[str, ChartAccount] = {account.code: account for account in CHART}


# -- lookups ----------------------------------------------------------------------------------------
def gl_account(code: str) -> ChartAccount:
    """The chart account with this code; LookupError naming the code when there is none."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise LookupError(f"GL account {code} is not in the chart of accounts") from None


def fund_for(service: str) -> str:
    return str(FUND_FOR_SERVICE[Service(service)])


_RECEIVABLE_BY_SERVICE = {a.service: a for a in CHART if a.is_receivable_control}
_REVENUE_BY_SERVICE = {a.service: a for a in CHART if a.account_type == AccountType.REVENUE and a.service}


def _service_account(service: str, *, receivable: bool) -> ChartAccount:
    by_service = _RECEIVABLE_BY_SERVICE if receivable else _REVENUE_BY_SERVICE
    try:
        return by_service[str(service)]
    except KeyError:
        kind = "receivable control" if receivable else "revenue"
        raise LookupError(f"no {kind} account for service {service!r}") from None


def receivable_control_for(service: str) -> ChartAccount:
    """The AR control account that holds a service's customer balances (fire line: Water Fund)."""
    return _service_account(service, receivable=True)


def revenue_for(service: str) -> ChartAccount:
    return _service_account(service, receivable=False)


def _fund_account(fund: str, number: str) -> ChartAccount:
    return gl_account(f"{FUND_NUMBER[Fund(fund)]}-{number}")


def cash_for(fund: str) -> ChartAccount:
    return _fund_account(fund, "1000")


def undeposited_funds_for(fund: str) -> ChartAccount:
    """Where counter receipts wait for the bank deposit (cashiering)."""
    return _fund_account(fund, "1010")


def conversion_equity_for(fund: str) -> ChartAccount:
    """Where legacy opening balances are offset (one per fund, so each fund stays balanced)."""
    return _fund_account(fund, "3900")


def due_from_other_funds(fund: str) -> ChartAccount:
    return _fund_account(fund, "1900")


def due_to_other_funds(fund: str) -> ChartAccount:
    return _fund_account(fund, "2100")


def penalty_revenue_for(service: str) -> ChartAccount:
    """Late penalties on a service's charges are revenue of that service's fund."""
    return _fund_account(fund_for(service), "4500")


def write_off_expense_for(service: str) -> ChartAccount:
    return _fund_account(fund_for(service), "6900")


def allowance_for(service: str) -> ChartAccount:
    return _fund_account(fund_for(service), "1290")


def seed_chart(gl_account_model: type[models.Model]) -> int:
    """Create the chart's accounts that are missing (used by migrations). Returns how many were made."""
    existing = set(gl_account_model.objects.values_list("code", flat=True))  # type: ignore[attr-defined]
    missing = [
        gl_account_model(
            code=a.code,
            name=a.name,
            account_type=a.account_type,
            fund=a.fund,
            is_receivable_control=a.is_receivable_control,
            service=a.service,
            is_active=True,
        )
        for a in CHART
        if a.code not in existing
    ]
    gl_account_model.objects.bulk_create(missing)  # type: ignore[attr-defined]
    return len(missing)


def refunds_payable_for(fund: str) -> ChartAccount:
    """Where an approved refund of a credit balance waits for accounts payable (funds with receivables)."""
    return _fund_account(fund, "2300")

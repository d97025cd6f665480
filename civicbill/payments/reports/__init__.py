"""Payment reports (issue 5): the cash receipts journal, the daily balance report and payments by
channel. Reads only, set-based (a few grouped queries per report, never one per payment); money is
integer cents. Each report is a :class:`Report` of plain tables (and, for the daily balance, ties)
that the pages, the API, the CSV and the PDF all render the same way.

What counts as money received on a day:

* a posted (not void) **payment** whose business date is the day: counter payments and misc
  receipts (by drawer, cashier and tender), lockbox and online payments (tender = their channel);
* a **suspense item** received that day (money in the bank not yet matched to an account; code
  ``SUSPENSE``). Applying it later makes a payment ``SU<item>``, which is a reclassification, not
  new money, so those payments are left out of the receipts (they would count the money twice).

One module per report (:mod:`.receipts`, :mod:`.balance`, :mod:`.channels`), their common shape in
:mod:`.tables`; :func:`report_build` builds one by name.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from civicbill.core.exceptions import NotFoundError
from civicbill.payments.reports.balance import daily_balance
from civicbill.payments.reports.channels import payments_by_channel
from civicbill.payments.reports.receipts import cash_receipts_journal
from civicbill.payments.reports.tables import Report

__all__ = ["REPORTS", "cash_receipts_journal", "daily_balance", "payments_by_channel", "report_build"]

REPORTS = {
    "cash-receipts": _("Cash receipts journal"),
    "daily-balance": _("Daily balance report"),
    "by-channel": _("Payments by channel"),
}


def report_build(name: str, *, date_from: dt.date, date_to: dt.date | None = None) -> Report:
    """The report called ``name`` for the period (the daily balance takes one date: ``date_from``)."""
    date_to = date_to or date_from
    if name == "cash-receipts":
        return cash_receipts_journal(date_from=date_from, date_to=date_to)
    if name == "daily-balance":
        return daily_balance(business_date=date_from)
    if name == "by-channel":
        return payments_by_channel(date_from=date_from, date_to=date_to)
    raise NotFoundError(f"There is no report {name!r}; use one of {', '.join(REPORTS)}", field="name")

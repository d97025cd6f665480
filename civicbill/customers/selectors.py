"""Reads for customers and accounts: the one search box, an account and its page, a premise by address.

``account_search`` and ``AccountHit`` live in :mod:`civicbill.customers.search` and are re-exported
here, so callers import every read from ``selectors``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from civicbill.core.exceptions import NotFoundError
from civicbill.customers.models import (
    Account,
    AccountNote,
    Customer,
    Interaction,
    Premise,
    ServiceAgreement,
)
from civicbill.customers.normalize import (
    canonical_account_number,
    looks_like_account_number,
    premise_search_address,
)
from civicbill.customers.search import AccountHit, account_search

__all__ = [
    "AccountDetail",
    "AccountHit",
    "account_detail",
    "account_get",
    "account_search",
    "accounts_for_customer",
    "premise_find",
]


@dataclass(frozen=True)
class AccountDetail:
    """What the account page shows besides money: who, where, services, notes, interactions."""

    account: Account
    customer: Customer
    premise: Premise
    agreements: tuple[ServiceAgreement, ...]  # active ones first (by service), then past ones, latest first
    active_agreements: tuple[ServiceAgreement, ...]  # in force on as_of, or starting later
    past_agreements: tuple[ServiceAgreement, ...]  # ended before as_of
    notes: tuple[AccountNote, ...]  # newest first
    interactions: tuple[Interaction, ...]  # newest first
    other_accounts: tuple[Account, ...]  # the customer's other accounts, newest first
    as_of: dt.date


# -- one account ---------------------------------------------------------------------------------


def _accounts() -> QuerySet[Account]:
    return Account.objects.select_related("customer", "premise")


def account_get(number: str) -> Account:
    """The account with this number, typed with or without its dash (``1000001-8``, ``10000018``)."""
    typed = " ".join(str(number).split())
    canonical = canonical_account_number(typed)
    if canonical is None:
        if looks_like_account_number(typed):
            raise NotFoundError(
                f"No account {typed}: the check digit (the last digit) does not match; check the number.",
                field="number",
            )
        raise NotFoundError(
            f"No account {typed}: an account number has 8 digits, like 1000001-8.", field="number"
        )
    try:
        return _accounts().get(number=canonical)
    except Account.DoesNotExist:
        raise NotFoundError(f"No account {canonical}", field="number") from None


def account_detail(account: Account, *, as_of: dt.date, history_limit: int = 50) -> AccountDetail:
    """The account page's facts. ``as_of`` (the caller's today) splits active from past agreements."""
    day = as_of
    agreements = list(
        ServiceAgreement.objects.filter(account=account).order_by("service", "-start_date", "-id")
    )
    active = tuple(
        agreement for agreement in agreements if agreement.end_date is None or agreement.end_date >= day
    )
    past = tuple(
        sorted(
            (
                agreement
                for agreement in agreements
                if agreement.end_date is not None and agreement.end_date < day
            ),
            key=lambda agreement: (agreement.end_date, agreement.start_date, agreement.service),
            reverse=True,
        )
    )
    notes = tuple(AccountNote.objects.filter(account=account).select_related("author")[:history_limit])
    interactions = tuple(Interaction.objects.filter(account=account).select_related("staff")[:history_limit])
    others = tuple(
        Account.objects.filter(customer_id=account.customer_id)
        .exclude(pk=account.pk)
        .select_related("premise")
        .order_by("-opened_on", "-number")
    )
    return AccountDetail(
        account=account,
        customer=account.customer,
        premise=account.premise,
        agreements=active + past,
        active_agreements=active,
        past_agreements=past,
        notes=notes,
        interactions=interactions,
        other_accounts=others,
        as_of=day,
    )


def accounts_for_customer(customer: Customer) -> list[Account]:
    """Every account the customer has had, newest first."""
    return list(
        Account.objects.filter(customer=customer)
        .select_related("premise", "customer")
        .order_by("-opened_on", "-number")
    )


def premise_find(
    *, house_number: str, street_name: str, unit: str = "", zip_code: str = ""
) -> Premise | None:
    """The premise at this address ("52 Ave 48" is "52 Avenue 48"), or None."""
    search_address = premise_search_address(house_number, street_name, unit)
    if not search_address:
        return None
    premises = Premise.objects.filter(search_address=search_address)
    if zip_code:
        premises = premises.filter(zip_code=zip_code.strip())
    return premises.order_by("id").first()


def account_at_premise(premise_id: int, *, on: dt.date) -> Account | None:
    """The account in service at the premise on ``on`` (the latest opened when moves overlap)."""
    return (
        Account.objects.select_related("customer", "premise")
        .filter(premise_id=premise_id, opened_on__lte=on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=on))
        .order_by("-opened_on", "-id")
        .first()
    )

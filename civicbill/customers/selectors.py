"""Reads for customers and accounts: the one search box, an account and its page, a premise by address.

``account_search`` runs a handful of indexed prefix lookups, one per way the query can be read
(:func:`civicbill.customers.normalize.classify_query`), each ordered by its index and limited, and
merges them: an exact account number first, then phone/email, names, addresses and streets; within
each, exact and whole-word matches before partial ones, active accounts before closed ones. No
lookup scans a table: on SQLite a prefix is a range (``col >= 'GARCIA' AND col < 'GARCIB'``) on the
column's index; on PostgreSQL it is ``LIKE 'GARCIA%'``, which uses the ``varchar_pattern_ops``
index Django adds beside every indexed CharField, whatever the database's collation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from civicbill.core import clock
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
    ClassifiedQuery,
    QueryKind,
    canonical_account_number,
    classify_query,
    looks_like_account_number,
    premise_search_address,
)

MAX_SEARCH_LIMIT = 200
MAX_NAME_WORDS_ANCHORED = 3
_STATUS_ORDER: dict[str, int] = {
    Account.Status.ACTIVE: 0,
    Account.Status.PENDING: 1,
    Account.Status.FINAL: 2,
    Account.Status.CLOSED: 3,
}
# lower is better: which kind of match ranks first
_KIND_ORDER = {
    QueryKind.ACCOUNT_NUMBER: 0,
    QueryKind.ACCOUNT_PREFIX: 1,
    QueryKind.PHONE: 2,
    QueryKind.PHONE_LOCAL: 2,
    QueryKind.EMAIL: 2,
    QueryKind.NAME: 3,
    QueryKind.ADDRESS: 4,
    QueryKind.STREET: 5,
}
EXACT, WHOLE_WORDS, PARTIAL, LOOSE = 0, 1, 2, 3


@dataclass(frozen=True)
class AccountHit:
    """One line of the search results."""

    account_id: int
    number: str
    customer_name: str
    service_address: str
    status: str
    phone: str
    matched_on: str  # a QueryKind value: "account_number", "name", "address" ...


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


# -- search --------------------------------------------------------------------------------------


def _after_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (binary order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefix_q(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, written so the database answers it from the field's index."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": _after_prefix(prefix)})


def _word_q(field: str, word: str) -> Q:
    """``word`` starts one of the words of ``field`` (a filter on rows an index already narrowed)."""
    return Q(**{f"{field}__startswith": word}) | Q(**{f"{field}__contains": f" {word}"})


def _accounts() -> QuerySet[Account]:
    return Account.objects.select_related("customer", "premise")


def _exactness(value: str, prefix: str) -> int:
    if value == prefix.strip():
        return EXACT
    if prefix.endswith(" ") or value.startswith(prefix + " "):
        return WHOLE_WORDS
    return PARTIAL


# kind, rows, the column that matched ("" when the whole value was compared), the prefix it matched
# ("" when the match was looser than a prefix)
Candidate = tuple[QueryKind, QuerySet[Account], str, str]


def _name_candidates(query: ClassifiedQuery) -> Iterator[Candidate]:
    name = query.name
    yield (
        QueryKind.NAME,
        _accounts()
        .filter(prefix_q("customer__search_name", name))
        .order_by("customer__search_name", "number"),
        "search_name",
        name,
    )
    yield (
        QueryKind.NAME,
        _accounts()
        .filter(prefix_q("customer__search_name_reversed", name))
        .order_by("customer__search_name_reversed", "number"),
        "search_name_reversed",
        name,
    )


def _anchored_name_candidates(query: ClassifiedQuery) -> Iterator[Candidate]:
    """Names typed with a word left out or in another order ("maria lopez" for Maria Garcia Lopez).

    Each typed word in turn anchors an indexed prefix lookup on the start of the first name or the
    last name; the other words must start a word of the name.
    """
    words = query.name_words
    for anchor in words[:MAX_NAME_WORDS_ANCHORED]:
        others = [word for word in words if word != anchor]
        for column in ("search_name", "search_name_reversed"):
            rows = _accounts().filter(prefix_q(f"customer__{column}", anchor))
            for other in others:
                rows = rows.filter(_word_q("customer__search_name", other))
            yield QueryKind.NAME, rows.order_by(f"customer__{column}", "number"), column, ""


def _candidates(query: ClassifiedQuery, limit: int) -> Iterator[Candidate]:
    if query.account_number:
        yield QueryKind.ACCOUNT_NUMBER, _accounts().filter(number=query.account_number), "", ""
    if query.account_prefix:
        rows = _accounts().filter(prefix_q("number", query.account_prefix)).order_by("number")
        yield QueryKind.ACCOUNT_PREFIX, rows, "number", query.account_prefix
    if query.phone_prefix:
        rows = _accounts().filter(prefix_q("customer__phone_digits", query.phone_prefix))
        yield (
            QueryKind.PHONE,
            rows.order_by("customer__phone_digits", "number"),
            "phone_digits",
            query.phone_prefix,
        )
    if query.phone_local:
        rows = _accounts().filter(prefix_q("customer__phone_digits_reversed", query.phone_local[::-1]))
        yield QueryKind.PHONE_LOCAL, rows.order_by("customer__phone_digits_reversed", "number"), "", ""
    if query.email:
        rows = _accounts().filter(prefix_q("customer__email_lower", query.email))
        yield QueryKind.EMAIL, rows.order_by("customer__email_lower", "number"), "email_lower", query.email
    if query.name:
        yield from _name_candidates(query)
    for reading in query.address_prefixes:
        rows = _accounts().filter(prefix_q("premise__search_address", reading))
        yield QueryKind.ADDRESS, rows.order_by("premise__search_address", "number"), "search_address", reading
    for reading in query.street_prefixes:
        rows = _accounts().filter(prefix_q("premise__search_street", reading))
        yield QueryKind.STREET, rows.order_by("premise__search_street", "number"), "search_street", reading


def _column_value(account: Account, column: str) -> str:
    if column == "number":
        return account.number
    if column in ("search_address", "search_street"):
        return str(getattr(account.premise, column))
    return str(getattr(account.customer, column))


def account_search(query: str, *, limit: int = 25) -> list[AccountHit]:
    """One search over account number, name (either order), service address, phone and email.

    ``"1000001-8"`` or ``"10000018"`` (an exact number) comes first; ``"1000001"`` is the number
    without its check digit; ``"garcia maria"`` and ``"maria garcia"`` find María García;
    ``"52 ave 48"`` finds 52 Avenue 48 and ``"avenue 48"`` every premise on it; ``"(760) 555-0134"``,
    ``"7605550134"`` and ``"555-0134"`` find the phone; ``"maria@"`` the email.
    """
    limit = max(1, min(limit, MAX_SEARCH_LIMIT))
    classified = classify_query(query)
    best: dict[int, tuple[tuple[int, int, int, str, str], Account, QueryKind]] = {}

    def take(candidates: Iterator[Candidate]) -> None:
        for kind, rows, column, prefix in candidates:
            for account in rows[:limit]:
                matched = _column_value(account, column) if column else account.customer.search_name
                if not column:
                    exactness = EXACT  # the whole value was compared (exact number, last 7 phone digits)
                elif not prefix:
                    exactness = LOOSE  # words found inside the name, not as its start
                else:
                    exactness = _exactness(matched, prefix)
                rank = (
                    _KIND_ORDER[kind],
                    exactness,
                    _STATUS_ORDER.get(account.status, 9),
                    matched,  # alphabetical in the order it matched: "GARCIA MARIA" for "garcia"
                    account.number,
                )
                if account.pk not in best or rank < best[account.pk][0]:
                    best[account.pk] = (rank, account, kind)

    take(_candidates(classified, limit))
    if classified.name and len(classified.name_words) > 1 and len(best) < limit:
        take(_anchored_name_candidates(classified))
    ordered = sorted(best.values(), key=lambda item: item[0])[:limit]
    return [
        AccountHit(
            account_id=account.pk,
            number=account.number,
            customer_name=account.customer.display_name,
            service_address=account.premise.address_line,
            status=account.status,
            phone=account.customer.phone,
            matched_on=kind.value,
        )
        for _, account, kind in ordered
    ]


# -- one account ---------------------------------------------------------------------------------


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


def account_detail(
    account: Account, *, as_of: dt.date | None = None, history_limit: int = 50
) -> AccountDetail:
    """The account page's facts. ``as_of`` (today by default) splits active from past agreements."""
    day = clock.today() if as_of is None else as_of
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

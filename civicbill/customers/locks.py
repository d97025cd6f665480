"""Row locks for the customers app, in one place (ARCHITECTURE rule 10).

Each function must run inside ``transaction.atomic``. On PostgreSQL they take ``SELECT ... FOR
UPDATE`` row locks; on SQLite, ``select_for_update`` is a no-op, but civicbill opens every SQLite
transaction with ``BEGIN IMMEDIATE`` (settings), which holds the database's write lock for the whole
transaction, so the check-then-write in the services is serialised there too.

Lock order, to avoid deadlocks: premises, then accounts, then the account-number counter (always
last, held for the shortest time).
"""

from __future__ import annotations

from civicbill.customers.models import Account, AccountNumberCounter, Customer, Premise

ACCOUNT_COUNTER_NAME = "account"
FIRST_ACCOUNT_SEQUENCE = 1_000_001


def lock_account_number_counter() -> AccountNumberCounter:
    counter = AccountNumberCounter.objects.select_for_update().filter(name=ACCOUNT_COUNTER_NAME).first()
    if counter is None:  # the migration creates it; a flushed test database may not have it
        AccountNumberCounter.objects.get_or_create(
            name=ACCOUNT_COUNTER_NAME, defaults={"last_sequence": FIRST_ACCOUNT_SEQUENCE - 1}
        )
        counter = AccountNumberCounter.objects.select_for_update().get(name=ACCOUNT_COUNTER_NAME)
    return counter


def lock_premise(premise_id: int) -> Premise:
    return Premise.objects.select_for_update().get(pk=premise_id)


def lock_account(account_id: int) -> Account:
    return Account.objects.select_for_update().get(pk=account_id)


def lock_customer(customer_id: int) -> Customer:
    return Customer.objects.select_for_update().get(pk=customer_id)

"""The search never scans a table: every lookup it runs starts from an index, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from civicbill.customers import services
from civicbill.customers.selectors import account_search
from tests.customers.conftest import TODAY, WATER_SEWER

pytestmark = pytest.mark.django_db

SEARCH_TABLES = ("customers_account", "customers_customer", "customers_premise")
QUERIES = [
    "1000001-6",  # exact account number
    "1000001",  # number without check digit (and a 7-digit phone)
    "maria garcia",  # name, and its reversed form
    "maria lopez",  # name with a word left out (anchored lookups)
    "52 ave 48",  # address fragment
    "avenue 48",  # street (and name)
    "(760) 555-0134",  # phone
    "maria.garcia@",  # email
    "52",  # house number
]


@pytest.fixture
def one_account(csr, maria, premise_52):
    return services.account_open(
        customer=maria,
        premise=premise_52,
        services=WATER_SEWER,
        start_date=dt.date(2026, 1, 1),
        actor=csr,
        as_of=TODAY,
    )


def plan_of(sql: str) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # tiny test tables would be scanned anyway; forbid it to see whether an index *can* answer
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def full_scans(plan: str) -> list[str]:
    if connection.vendor == "postgresql":
        return [line.strip() for line in plan.splitlines() if "Seq Scan" in line]
    # SQLite: "SCAN customers_customer" is a full scan; "SEARCH ... USING INDEX" is not
    return [
        line
        for line in plan.splitlines()
        if line.startswith("SCAN") and any(t in line for t in SEARCH_TABLES)
    ]


@pytest.mark.parametrize("query", QUERIES)
def test_every_lookup_of_a_search_starts_from_an_index(one_account, query):
    with CaptureQueriesContext(connection) as captured:
        account_search(query)
    lookups = [
        entry["sql"]
        for entry in captured.captured_queries
        if entry["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert lookups, query
    for sql in lookups:
        plan = plan_of(sql)
        assert full_scans(plan) == [], f"{query!r} scans a table:\n{sql}\n{plan}"
        # and the index narrows the rows (an index condition), not just walks them in order
        narrowed = "Cond:" in plan if connection.vendor == "postgresql" else "SEARCH" in plan
        assert narrowed, f"{query!r} walks an index without a condition:\n{sql}\n{plan}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="operator classes are PostgreSQL's")
def test_postgresql_has_pattern_ops_indexes_for_like_prefix_searches_under_any_collation():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexdef LIKE %s",
            [list(SEARCH_TABLES), "%varchar_pattern_ops%"],
        )
        indexed = {(table, definition.split("(")[-1].split()[0]) for table, definition in cursor.fetchall()}
    assert {
        ("customers_account", "number"),
        ("customers_customer", "search_name"),
        ("customers_customer", "search_name_reversed"),
        ("customers_customer", "phone_digits"),
        ("customers_customer", "phone_digits_reversed"),
        ("customers_customer", "email_lower"),
        ("customers_premise", "search_address"),
        ("customers_premise", "search_street"),
    } <= indexed

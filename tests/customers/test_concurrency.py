"""Clerks at the same moment: account numbers never repeat, and a premise never gets two occupants.

Real threads, each with its own connection and transaction (PostgreSQL row locks; SQLite's
BEGIN IMMEDIATE write lock), in a separate process against a throw-away database: a SQLite file in
a temporary folder, or, when ``DATABASE_URL`` points at PostgreSQL, a database named after it with
``_concurrency`` appended. (pytest-django's transactional tests cannot be used here: they empty the
tables afterwards, which the append-only audit trail refuses.)
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.concurrency import run_worker


@pytest.fixture(scope="module")
def race_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_worker(
        "tests.customers.concurrency_worker",
        tmp_path_factory.mktemp("customers-concurrency"),
        database_suffix="concurrency",
    )


def test_clerks_opening_accounts_at_the_same_moment_get_different_numbers(race_results):
    assert sorted(race_results["separate_premises"]) == ["1000001-6", "1000002-4", "1000003-2", "1000004-0"]


def test_two_clerks_moving_two_customers_into_one_premise_at_once_open_one_account(race_results):
    assert sorted(race_results["same_premise"]) == ["1000005-7", "refused: premise_occupied"]

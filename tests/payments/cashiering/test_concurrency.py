"""Two cashiers paying one account at the same moment both post, and the account's balance per
service is exact (each payment allocates after the other); a request sent twice at once with one
idempotency key posts once. Real threads and transactions in a separate process against a
throw-away database (SQLite file, or PostgreSQL when ``DATABASE_URL`` points at it)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.concurrency import run_worker


@pytest.fixture(scope="module")
def race(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_worker(
        "tests.payments.cashiering.concurrency_worker",
        tmp_path_factory.mktemp("payments-concurrency"),
        database_suffix="payments_concurrency",
    )


def test_two_cashiers_paying_one_account_at_once_both_post(race: dict[str, Any]) -> None:
    assert sorted(race["two_cashiers"]) == ["1-0001", "2-0001"]
    # 90.01 owed, 50.00 twice: the first splits 26.77 water / 23.23 sewer, the second pays the
    # rest (21.43 / 18.58) and leaves 9.99 credit on water; sewer is exactly paid, never overpaid
    assert race["balance_by_service"] == {"sewer": 0, "water": -999 - 5000}
    assert race["books_ok"] is True


def test_a_request_sent_twice_at_once_posts_once(race: dict[str, Any]) -> None:
    assert race["retried"] == ["1-0002", "1-0002"]
    assert race["payments"] == 3

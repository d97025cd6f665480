"""Two posted collections runs of one date at the same moment penalise each bill once: the accounts
are locked before what was assessed is read, and one penalty per bill is a database constraint.
Real threads in a separate process against a throw-away database (see tests/customers/test_concurrency.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.concurrency import run_worker


@pytest.fixture(scope="module")
def race_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_worker(
        "tests.collections.concurrency_worker",
        tmp_path_factory.mktemp("collections-run-concurrency"),
        database_suffix="collections_run_concurrency",
    )


def test_two_runs_of_the_same_date_at_once_penalise_each_bill_once(race_results: dict[str, Any]) -> None:
    assert race_results["runs"] == ["finished", "finished"]
    assert race_results["statuses"] == ["finished", "finished"]
    assert (race_results["penalties"], race_results["bills_penalised"]) == (12, 12)
    assert race_results["penalty_cents"] == 12 * 826  # 10% of water $40.80 + sewer $41.81: $4.08 + $4.18
    assert race_results["penalty_entries"] == 12
    assert race_results["books_ok"] is True

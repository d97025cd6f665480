"""Clerks at the same moment: work order numbers never repeat, and one premise does not get the same
order twice. Real threads in a separate process against a throw-away database (see
tests/customers/test_concurrency.py for why)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.concurrency import run_worker


@pytest.fixture(scope="module")
def race_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_worker(
        "tests.workorders.concurrency_worker",
        tmp_path_factory.mktemp("workorders-concurrency"),
        database_suffix="workorders_concurrency",
    )


def test_clerks_creating_work_orders_at_the_same_moment_get_different_numbers(race_results):
    assert sorted(race_results["separate_premises"]) == ["WO-000001", "WO-000002", "WO-000003", "WO-000004"]


def test_two_clerks_creating_the_same_order_at_once_create_it_once(race_results):
    assert sorted(race_results["same_premise"]) == ["WO-000005", "refused: duplicate"]

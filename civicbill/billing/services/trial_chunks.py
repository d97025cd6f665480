"""The trial's work, chunk by chunk: gather a chunk's facts, rate its accounts, write its drafts.

A chunk is a run of the cycle's accounts (ascending ids); its drafts, lines and exceptions are
written in one transaction, so a trial stopped at any moment holds whole chunks only and, started
again, drafts the accounts still without a draft (:func:`civicbill.billing.services.runs.bill_run_trial`).

The chunks go to worker processes when there are enough accounts and the trial runs outside a
transaction (ADR 0011). In one process a chunk's Python (facts, rating, rows) and the database's work
on it (queries, ``COPY``, the commit's key checks) take turns on one core; N workers keep N cores
busy. Each worker is a fork of the caller with a database connection of its own; it rates with its
own memo and writes its own chunks. Inside a transaction (tests, or a caller that holds one) worker
processes could not see the uncommitted rows, so the chunks are rated here, one after the other, by
the same function.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, transaction

from civicbill.billing import facts as billing_facts
from civicbill.billing.calculation import Charged, RateFunction, bill_number, draft_bill
from civicbill.billing.services.drafts import BillHeader, Resolutions, write_bills_trusted
from civicbill.billing.services.rating import rate_function

TRIAL_CHUNK = int(os.environ.get("CIVICBILL_BILL_TRIAL_CHUNK", "20000"))  # accounts per chunk, at most
# worker processes for a trial with enough accounts; 1 rates every chunk in the calling process
TRIAL_WORKERS = int(os.environ.get("CIVICBILL_BILL_TRIAL_WORKERS", str(min(4, os.cpu_count() or 1))))
# a pause after each chunk lets a busy office share the database (and lets the kill-and-resume test
# stop a trial half-way)
TRIAL_PAUSE_S = float(os.environ.get("CIVICBILL_BILL_TRIAL_PAUSE_S", "0"))
MIN_PARALLEL_CHUNK = 5_000  # smaller chunks are not worth a process start, a connection and a plan
CHUNKS_PER_WORKER = 4  # enough chunks that no worker waits long for the last one
INDEX_FRIENDLY_RANDOM_PAGE_COST = 1.1

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True, slots=True)
class TrialPlan:
    """What every chunk of one run's trial shares (sent to worker processes as it is)."""

    run_id: int
    cycle_number: int
    period: dt.date
    period_start: dt.date
    period_end: dt.date
    reads_after: dt.date
    reads_through: dt.date
    standard_days: int
    schedule_codes: tuple[str, ...]
    header: BillHeader
    resolutions: Resolutions


def _trial_chunk(
    plan: TrialPlan, account_ids: Sequence[int], *, rate: RateFunction, memo: dict[Any, Charged]
) -> int:
    """Rate the accounts (ascending ids, one cycle's) and write their drafts in one transaction.
    Returns the number of accounts done."""
    with _index_friendly_reads():
        facts = billing_facts.gather_facts(
            scope=billing_facts.Scope(
                cycle_number=plan.cycle_number, first_id=account_ids[0], last_id=account_ids[-1]
            ),
            period=plan.period,
            period_start=plan.period_start,
            period_end=plan.period_end,
            reads_after=plan.reads_after,
            reads_through=plan.reads_through,
            bill_date=plan.header.bill_date,
        )
    drafts = [
        draft_bill(
            facts[account_id],
            number=bill_number(plan.header.kind, plan.period, facts[account_id].number),
            period_start=plan.period_start,
            period_end=plan.period_end,
            standard_days=plan.standard_days,
            rate=rate,
            memo=memo,
        )
        for account_id in account_ids
        if account_id in facts
    ]
    with transaction.atomic():
        if not _caller_alive():
            return 0  # the trial that sent this chunk is gone: its restart drafts these accounts
        write_bills_trusted(drafts, header=plan.header, resolutions=plan.resolutions)
    if TRIAL_PAUSE_S:
        time.sleep(TRIAL_PAUSE_S)
    return len(account_ids)


@contextmanager
def _index_friendly_reads() -> Iterator[None]:
    """PostgreSQL: read a chunk's facts in one transaction planned for index look-ups.

    A chunk is a small slice of large tables (20,000 of a million accounts, their premises, service
    points, meters and reads). With the default ``random_page_cost`` of 4 (priced for spinning
    disks) the planner prefers to scan each table whole and hash it, once per chunk and table:
    the trial's database time then grows with the square of the cycle's size. Priced as on SSD or
    cached data (1.1), it reaches the chunk's rows through their indexes. ``SET LOCAL`` ends with
    the transaction; inside a caller's transaction (tests, small runs) nothing is changed."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL random_page_cost = {INDEX_FRIENDLY_RANDOM_PAGE_COST}")
        yield


def trial_chunks(account_ids: Sequence[int], workers: int) -> list[Sequence[int]]:
    """The chunks of a trial over ``account_ids``: at most TRIAL_CHUNK accounts each and, for
    several workers, about CHUNKS_PER_WORKER chunks each (no smaller than MIN_PARALLEL_CHUNK)."""
    size = TRIAL_CHUNK
    if workers > 1:
        size = min(size, max(MIN_PARALLEL_CHUNK, math.ceil(len(account_ids) / (workers * CHUNKS_PER_WORKER))))
    return [account_ids[start : start + size] for start in range(0, len(account_ids), size)]


def parallel_workers(requested: int) -> int:
    """How many worker processes this trial may use here: 1 (this process) inside a transaction,
    on an in-memory SQLite database, off Linux, or off the main thread (a threaded server: a fork
    copies one thread, and the locks the others held)."""
    if requested <= 1 or connection.in_atomic_block:
        return 1
    if threading.current_thread() is not threading.main_thread():
        return 1
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        return 1
    if not sys.platform.startswith("linux"):  # forks, and workers that die with their caller
        return 1
    return requested


def run_trial_chunks_trusted(
    plan: TrialPlan, chunks: Sequence[Sequence[int]], *, workers: int, progress: Progress | None, total: int
) -> None:
    """Rate and write every chunk, in ``workers`` processes (1: here); progress as chunks finish."""
    done = 0
    if progress:
        progress(0, total)
    if workers <= 1 or len(chunks) < 2:  # one chunk is not worth a second process
        rate = _rate_for(plan)
        memo: dict[Any, Charged] = {}  # accounts with the same facts share one calculation
        for chunk in chunks:
            done += _trial_chunk(plan, chunk, rate=rate, memo=memo)
            if progress:
                progress(done, total)
        return
    # the workers are forks of this process: none may inherit (and later close) its connections
    connections.close_all()
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(chunks)),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_start,
        initargs=(os.getpid(),),
    )
    try:
        pending = {pool.submit(_worker_chunk, plan, chunk) for chunk in chunks}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                done += future.result()  # a chunk's error is raised here, the other chunks cancelled
            if progress:
                progress(done, total)
    finally:
        # on an error: chunks not started are dropped, those being written finish (or roll back)
        pool.shutdown(wait=True, cancel_futures=True)


# -- in a worker process -----------------------------------------------------------------------------

PR_SET_PDEATHSIG = 1  # prctl(2)
_worker: dict[str, Any] = {}  # this process's caller, and the rating function and memo of its run


def _worker_start(caller_pid: int) -> None:
    # the kernel ends this worker if its caller dies (kill -9 included): no orphan outlives a trial
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _worker.clear()
    _worker["caller"] = caller_pid


def _caller_alive() -> bool:
    """In a worker: whether the process that started the trial is still there (a worker orphaned by
    a killed trial must not write a chunk that the restarted trial is drafting too). Checked inside
    the chunk's transaction, which waits for a restarted trial's own lock on the run."""
    caller = _worker.get("caller")
    if caller is None:
        return True
    _share_run_lock(_worker["run_id"])
    return os.getppid() == caller


def _share_run_lock(run_id: int) -> None:
    """PostgreSQL: hold the run's row against a restarted trial (which locks it FOR UPDATE to clear
    the drafts) until this chunk commits; chunks of the same trial share it. SQLite has one
    writer at a time already: the chunk's transaction began with the write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM billing_billrun WHERE id = %s FOR SHARE", [run_id])


def _rate_for(plan: TrialPlan) -> RateFunction:
    return rate_function(
        codes=plan.schedule_codes, period_start=plan.period_start, period_end=plan.period_end
    )


def _worker_chunk(plan: TrialPlan, account_ids: Sequence[int]) -> int:
    if _worker.get("run_id") != plan.run_id:
        _worker.update(run_id=plan.run_id, rate=_rate_for(plan), memo={})
    try:
        return _trial_chunk(plan, account_ids, rate=_worker["rate"], memo=_worker["memo"])
    finally:
        connections.close_all()  # a connection per chunk: none is left open when the worker exits

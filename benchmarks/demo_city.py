"""Benchmark: seeding the demo city (target: 10,000 accounts in well under a minute on SQLite).

Run: ``.venv/bin/python benchmarks/demo_city.py [--accounts 10000]`` (SQLite in a temporary folder),
or with ``DATABASE_URL=postgresql://.../civicbill_bench`` (the database is reset). Prints the figures
and records them in benchmarks/RESULTS.md under "Demo city seeding".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
HEADING = "## Demo city seeding"


def run(accounts: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CIVICBILL_VAR_DIR": tmp, "PYTHONPATH": str(ROOT)}
        cli = [sys.executable, "-m", "civicbill.cli"]
        subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)  # noqa: S603
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603
            [*cli, "demo-city", "--accounts", str(accounts), "--seed", "1", "--reset", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        wall_s = time.perf_counter() - started
        checked = time.perf_counter()
        subprocess.run([*cli, "check-books"], env=env, check=True, capture_output=True)  # noqa: S603
        check_s = time.perf_counter() - checked
    result = json.loads(done.stdout)
    database = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    return {
        "accounts": accounts,
        "database": database,
        "seed_s": result["seconds"],
        "command_s": round(wall_s, 2),
        "check_books_s": round(check_s, 2),
        "entries": result["opening_balance_entries"],
    }


def record(figures: dict[str, object]) -> None:
    machine = f"{os.cpu_count()} cores, {platform.python_version()}"
    row = (
        f"| {dt.date.today():%Y-%m-%d} | {figures['database']} | {figures['accounts']:,} | "  # noqa: DTZ011
        f"{figures['seed_s']} s | {figures['command_s']} s | {figures['check_books_s']} s | {machine} |"
    )
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if HEADING not in text:
        text += (
            f"\n{HEADING}\n\n`.venv/bin/python benchmarks/demo_city.py --accounts N` — "
            "target: 10,000 accounts in well under a minute on SQLite.\n\n"
            "| date | database | accounts | seeding | whole command "
            "(incl. reset + migrate) | check-books | machine |\n|---|---|---|---|---|---|---|\n"
        )
    head, _, tail = text.partition(HEADING)
    section_end = tail.find("\n## ")
    section, rest = (tail, "") if section_end < 0 else (tail[:section_end], tail[section_end:])
    text = head + HEADING + section.rstrip("\n") + "\n" + row + "\n" + rest
    RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    figures = run(args.accounts)
    print(json.dumps(figures))
    if not args.no_record:
        record(figures)


if __name__ == "__main__":
    main()

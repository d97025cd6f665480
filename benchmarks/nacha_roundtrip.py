"""Benchmark: write a 100,000-entry PPD debit file with the NACHA library, then read and validate it.

    PYTHONPATH=. .venv/bin/python benchmarks/nacha_roundtrip.py [--entries 100000] [--no-record]

Pure Python, no database. Timed separately: building the records and writing the bytes
(``write_file(check=False)``), and reading + validating them (``read_file``, every rule on).
The figure the target speaks of is records per second for the read and validation
(target ≥ 100,000 records/s).

For comparison, the same bytes are parsed by another Python ACH package, ``carta-ach``'s
``ach.parser.Parser``, when it is importable (it is not a project dependency; install it aside with
``pip install --no-deps --target /tmp/carta carta-ach==0.4.5`` and pass ``--compare-path /tmp/carta``).
It only splits records into fields: it checks no totals, hashes or check digits, so the ratio flatters it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import platform
import random
import re
import sys
import tempfile
import time
from pathlib import Path

from civicbill import nacha

RESULTS = Path(__file__).with_name("RESULTS.md")
BEGIN, END = "<!-- nacha_roundtrip -->", "<!-- /nacha_roundtrip -->"


def _routing(rng: random.Random) -> str:
    first8 = f"{rng.randint(1, 12):02d}{rng.randint(0, 999_999):06d}"
    return first8 + str(nacha.routing_check_digit(first8))


def build(entries: int, seed: int) -> nacha.AchFile:
    rng = random.Random(seed)
    originator = nacha.Originator(
        company_name="CITY OF COACHELLA",
        company_identification="1956000123",
        odfi_routing_number="121000358",
        immediate_destination="121000358",
        immediate_origin="1956000123",
        immediate_destination_name="BANK OF AMERICA",
        immediate_origin_name="CITY OF COACHELLA",
    )
    debits = [
        nacha.Debit(
            routing_number=_routing(rng),
            account_number=str(rng.randint(10**7, 10**12)),
            amount_cents=rng.randint(1_500, 40_000),
            name=f"CUSTOMER {index:06d}",
            identification_number=f"{1_000_000 + index:07d}",
            account_type=rng.choice(("checking", "checking", "savings")),
        )
        for index in range(entries)
    ]
    return nacha.ppd_debit_file(
        originator=originator,
        debits=debits,
        effective_entry_date=dt.date(2026, 12, 22),
        created_at=dt.datetime(2026, 12, 21, 17, 30),  # noqa: DTZ001 - a file's local creation time
        file_id_modifier="A",
        is_business_day=lambda day: day.weekday() < 5,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--compare-path",
        default=str(Path(tempfile.gettempdir()) / "carta"),
        help="where carta-ach is installed, if anywhere",
    )
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    ach_file = build(args.entries, args.seed)
    built_s = time.perf_counter() - started
    started = time.perf_counter()
    data = nacha.write_file(ach_file, check=False)
    written_s = time.perf_counter() - started
    lines = data.count(b"\n")

    started = time.perf_counter()
    result = nacha.read_file(data)
    read_s = time.perf_counter() - started
    if not result.valid or len(result.entries) != args.entries:
        sys.exit(f"the file did not read back valid: {result.errors[:3]}")
    same = result.file == ach_file
    rate = lines / read_s
    print(f"{args.entries:,} entries, {lines:,} records, {len(data) / 1e6:.1f} MB")
    write_rate = lines / written_s
    print(f"build records {built_s:.2f} s; write bytes {written_s:.2f} s ({write_rate:,.0f} records/s)")
    print(f"read + validate {read_s:.2f} s: {rate:,.0f} records/s; read back identical: {same}")

    comparison = ""
    if args.compare_path and Path(args.compare_path).is_dir():
        sys.path.insert(0, args.compare_path)
        try:
            Parser = importlib.import_module("ach.parser").Parser
        except ImportError:
            Parser = None
        if Parser is not None:
            text = data.decode("ascii")
            started = time.perf_counter()
            Parser(text)
            other_s = time.perf_counter() - started
            comparison = (
                f"carta-ach 0.4.5 `Parser` (splits fields only, checks nothing) on the same bytes: "
                f"{other_s:.2f} s, {lines / other_s:,.0f} records/s; civicbill's read + validate takes "
                f"{read_s / other_s:.2f}× its time"
            )
            print(comparison)

    if args.no_record:
        return
    block = "\n".join(
        [
            BEGIN,
            f"### {args.entries:,} entries ({dt.date.today():%Y-%m-%d}, Python {platform.python_version()}, "  # noqa: DTZ011
            "2-CPU VM)",
            "",
            "| step | seconds | records/s |",
            "|---|---:|---:|",
            f"| build the records (`ppd_debit_file`) | {built_s:.2f} | |",
            f"| write the bytes (`write_file(check=False)`) | {written_s:.2f} | {lines / written_s:,.0f} |",
            f"| **read + validate** (`read_file`, every rule) | **{read_s:.2f}** | **{rate:,.0f}** |",
            "",
            f"{lines:,} records, {len(data) / 1e6:.1f} MB; read back identical to what was written: {same}. "
            "Target ≥ 100,000 records/s for read + validate: "
            + ("**met**." if rate >= 100_000 else f"**not met** ({rate:,.0f}/s)."),
            "",
            comparison + ("." if comparison else "No other ACH package was importable for the comparison."),
            END,
        ]
    )
    text = RESULTS.read_text(encoding="utf-8")
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text = (
            text.rstrip("\n")
            + "\n\n## NACHA file write and read (`benchmarks/nacha_roundtrip.py`)\n\n"
            + "Pure Python, no database: a PPD debit file written by `civicbill.nacha`,\n"
            + "then read and validated by it (every rule: record order, counts, hashes, totals,\n"
            + "routing check digits ...).\n\n"
            + block
            + "\n"
        )
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

"""Whatever the bytes, the reader returns problems and the command exits 0, 1 or 2: never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicbill import nacha
from tests.nacha.helpers import golden_file

GOOD = nacha.write_file(golden_file())
RETURN_FILE = Path(__file__).resolve().parents[1] / "data" / "ach" / "return-WEB.ach"
SEEDS = [GOOD] + ([RETURN_FILE.read_bytes()] if RETURN_FILE.exists() else [])
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(data: bytes) -> nacha.ReadResult:
    result = nacha.read_file(data)
    limit = result.record_count + 1
    for problem in result.problems:
        assert problem.line is None or 1 <= problem.line <= limit
        assert str(problem) and problem.as_dict()["field"] is not None
    result.summary()
    return result


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise(data):
    check(data)


@FUZZ
@given(st.sampled_from(SEEDS), st.data())
def test_truncated_files_never_raise_and_are_invalid(seed, data):
    control = next(
        i + 1 for i in range(len(seed)) if seed[i : i + 2] == b"\n9" and seed[i + 1 : i + 95] != b"9" * 94
    )
    cut = data.draw(st.integers(0, len(seed)))
    result = check(seed[:cut])
    # losing anything up to the file control's totals makes the file invalid; losing whole padding
    # records does not, but a padding record cut short is no padding record
    partial = seed[control + 94 : cut].split(b"\n")[-1]
    assert result.valid is (cut >= control + 55 and len(partial) in (0, 94))


@FUZZ
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=12))
def test_mutated_files_never_raise(seed, changes):
    data = bytearray(seed)
    for position, value in changes:
        data[position % len(data)] = value
    check(bytes(data))


record_lines = st.builds(
    lambda kind, rest: kind + rest,
    st.sampled_from(list("1567899")),
    st.text(alphabet="0123456789 ARCPD", min_size=0, max_size=100),
)


@FUZZ
@given(st.lists(record_lines, max_size=30), st.sampled_from(["\n", "\r\n", ""]))
def test_record_shaped_garbage_never_raises(lines, separator):
    check(separator.join(lines).encode())


def run_command(data: bytes) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.ach"
        path.write_bytes(data)
        out = StringIO()
        try:
            call_command("ach", "validate", str(path), stdout=out)
        except SystemExit as exited:
            return int(exited.code or 0), out.getvalue()
        return 0, out.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.sampled_from(SEEDS).flatmap(lambda seed: st.integers(0, len(seed)).map(lambda cut: seed[:cut])),
    )
)
def test_the_command_exits_0_or_1_for_any_bytes(data):
    code, output = run_command(data)
    assert code in (0, 1)
    assert output.startswith("fuzz.ach: ")
    assert (code == 0) is nacha.read_file(data).valid


CLI = [sys.executable, "-m", "civicbill.cli", "ach", "validate"]


@pytest.mark.parametrize(
    ("content", "code"),
    [(bytes(range(256)) * 4, 1), (b"", 1), (b"\xff\xfe1\x00", 1), (GOOD, 0)],
    ids=["all-bytes", "empty", "utf16-ish", "good"],
)
def test_the_command_in_a_subprocess(tmp_path, content, code):
    path = tmp_path / "file.ach"
    path.write_bytes(content)
    env = {**os.environ, "CIVICBILL_VAR_DIR": str(tmp_path)}
    done = subprocess.run(  # noqa: S603
        [*CLI, str(path)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_a_missing_file_exits_2_with_a_message(tmp_path):
    env = {**os.environ, "CIVICBILL_VAR_DIR": str(tmp_path)}
    missing = tmp_path / "nope.ach"
    done = subprocess.run(  # noqa: S603
        [*CLI, str(missing)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 2
    assert f"Cannot read {missing}: No such file or directory" in done.stderr
    assert "Traceback" not in done.stderr

"""Reading imported text files: UTF-8 only (the line of a bad byte named), the three line endings,
lines too long for the csv module reported on their own, and the fingerprint of the normalised
content that knows a file sent again."""

from __future__ import annotations

import pytest

from civicbill.core.textfiles import (
    MAX_LINE_CHARS,
    CsvLine,
    TextFileError,
    content_fingerprint,
    csv_lines,
    decode,
    numbered_lines,
    split_lines,
)

TWO_MB = "9" * (2 * 1024 * 1024)


def test_a_byte_that_is_not_utf8_is_refused_with_its_line_and_column() -> None:
    with pytest.raises(TextFileError) as refused:
        decode(b"a,b\nRosa Pe\xf1a,1\n")
    assert str(refused.value) == (
        'line 2: byte 0xF1 (column 8) is not UTF-8 text; save the file as UTF-8 ("CSV UTF-8" in a '
        "spreadsheet) and import it again"
    )
    assert refused.value.line == 2


def test_the_line_of_a_bad_byte_counts_cr_line_endings_too() -> None:
    with pytest.raises(TextFileError, match=r"^line 3: byte 0xE9 "):
        decode(b"a\rb\r\xe9\r")


def test_a_nul_byte_refuses_the_file_as_binary() -> None:
    with pytest.raises(TextFileError) as refused:
        decode(b"a,b\r\nc,\x00d\r\n")
    assert str(refused.value) == "line 2: has a NUL byte: the file is binary, not text"


def test_utf8_with_a_byte_order_mark_reads_as_text() -> None:
    assert decode("\ufeffRosa Peña\n".encode()) == "Rosa Peña\n"


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_lf_crlf_and_cr_line_endings_give_the_same_lines(ending: str) -> None:
    text = ending.join(["H,1", "", "D,2  ", "T,3"]) + ending
    assert split_lines(text) == ["H,1", "", "D,2  ", "T,3"]
    assert numbered_lines(text.encode()) == [(1, "H,1"), (3, "D,2  "), (4, "T,3")]


def test_only_cr_and_lf_end_a_line_not_other_unicode_separators() -> None:
    assert split_lines("a\u2028b\x0cc\x1cd\n") == ["a\u2028b\x0cc\x1cd"]


def test_a_line_too_long_for_the_csv_module_is_reported_and_the_next_lines_are_read() -> None:
    content = f"a,b\n{TWO_MB}\nc,d\n".encode()

    lines = list(csv_lines(content))

    assert lines == [
        CsvLine(1, ["a", "b"]),
        CsvLine(2, None, f"the line is {len(TWO_MB):,} characters long; a record is at most 10,000", "9"),
        CsvLine(3, ["c", "d"]),
    ]


def test_a_line_of_exactly_the_limit_is_read() -> None:
    line = "x" * MAX_LINE_CHARS
    assert list(csv_lines(line.encode())) == [CsvLine(1, [line])]


def test_the_fingerprint_ignores_line_endings_a_bom_trailing_blanks_and_blank_lines() -> None:
    original = b"H,LB0001,2026-12-01\nD,,1000001-6,50.00,1001,,Rosa\nT,1,50.00\n"
    resent = [
        original.replace(b"\n", b"\r\n"),
        original.replace(b"\n", b"\r"),
        original + b"\n",
        original + b"\r\n   \r\n",
        b"\xef\xbb\xbf" + original,
        original.replace(b"Rosa\n", b"Rosa   \t\n"),
        original.rstrip(b"\n"),
        b"\n" + original,
    ]
    assert {content_fingerprint(content) for content in resent} == {content_fingerprint(original)}


def test_the_fingerprint_changes_with_any_record() -> None:
    original = b"H,LB0001,2026-12-01\nD,,1000001-6,50.00,1001,,Rosa\nT,1,50.00\n"
    others = [
        original.replace(b"50.00,1001", b"50.01,1001"),
        original.replace(b",,Rosa", b", ,Rosa"),  # a blank inside a line is content
        original.replace(b"D,", b" D,"),  # so is a leading one
        original.replace(b"Rosa", b"Rosa\xf1"),  # bytes that are not UTF-8 are kept as they are
    ]
    fingerprints = {content_fingerprint(content) for content in [original, *others]}
    assert len(fingerprints) == 5

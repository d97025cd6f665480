"""Code 128: the symbol table, known encodings and check symbols, and a decode of the bars."""

from __future__ import annotations

import pytest
from reportlab.graphics.barcode.code128 import _patterns as reportlab_patterns

from civicbill.billing.documents.code128 import (
    PATTERNS,
    QUIET_ZONE_MODULES,
    code128_bars,
    code128_encode,
    code128_modules,
    code128_svg,
    code128_width_modules,
)


def test_symbol_table_matches_reportlab_and_each_symbol_is_eleven_modules() -> None:
    # ReportLab writes bars as A-D and spaces as a-d (widths 1-4)
    assert len(PATTERNS) == 107
    for value, pattern in enumerate(PATTERNS):
        expected = "".join(str(ord(char.upper()) - 64) for char in reportlab_patterns[value])
        assert pattern == expected, value
        assert sum(int(w) for w in pattern) == (13 if value == 106 else 11)


def test_digits_use_code_set_c_two_at_a_time() -> None:
    # start C (105), 12, 34; check (105 + 1*12 + 2*34) % 103 = 82; stop (106)
    assert code128_encode("1234").values == (105, 12, 34, 82, 106)


def test_the_scan_line_barcode() -> None:
    encoded = code128_encode("10000016000007811202612225")
    # pairs 10 00 00 16 00 00 07 81 12 02 61 22 25; check: (105 + 1*10 + 4*16 + 7*7 + 8*81 + 9*12 + 10*2
    # + 11*61 + 12*22 + 13*25) % 103 = 2264 % 103 = 101
    assert encoded.values == (105, 10, 0, 0, 16, 0, 0, 7, 81, 12, 2, 61, 22, 25, 101, 106)
    assert encoded.check_value == 101


def test_an_odd_digit_count_ends_in_code_set_b() -> None:
    # "123": C 12, then Code B (100) and "3" (51); check (105 + 12 + 2*100 + 3*19) % 103
    assert code128_encode("123").values == (105, 12, 100, 19, (105 + 12 + 200 + 57) % 103, 106)


def test_text_uses_code_set_b() -> None:
    # "PJJ123C": P=48 J=42 J=42 1=17 2=18 3=19 C=35; check 879 % 103 = 55
    assert code128_encode("PJJ123C").values == (104, 48, 42, 42, 17, 18, 19, 35, 55, 106)


def test_refuses_what_it_cannot_carry() -> None:
    with pytest.raises(ValueError, match="cannot carry"):
        code128_encode("Peña")
    with pytest.raises(ValueError, match="needs some text"):
        code128_encode("")


def _decode(modules: str) -> list[int]:
    """An independent reader: widths back to symbol values through ReportLab's table."""
    table = {"".join(str(ord(c.upper()) - 64) for c in p): v for v, p in reportlab_patterns.items()}
    values, position = [], 0
    while position < len(modules):
        width = 7 if modules[position:].startswith("2331112") and len(modules) - position == 7 else 6
        values.append(table[modules[position : position + width]])
        position += width
    return values


@pytest.mark.parametrize("text", ["10000016000007811202612225", "1234", "123", "PJJ123C", "Bill 2611-000001"])
def test_the_bars_decode_back_and_the_check_symbol_holds(text: str) -> None:
    values = _decode(code128_modules(text))
    assert tuple(values) == code128_encode(text).values
    data = values[1:-2]
    assert (values[0] + sum(i * v for i, v in enumerate(data, start=1))) % 103 == values[-2]


def test_bars_start_after_the_quiet_zone_and_svg_draws_each_bar() -> None:
    bars = code128_bars("1234")
    assert bars[0] == (QUIET_ZONE_MODULES, 2)  # start C begins with a 2-module bar
    assert code128_width_modules("1234") == 4 * 11 + 13 + 2 * QUIET_ZONE_MODULES
    svg = code128_svg("1234")
    assert svg.count("<rect ") == len(bars) + 1  # + the white background
    assert "<title>Code 128: 1234</title>" in svg

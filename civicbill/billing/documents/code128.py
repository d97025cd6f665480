"""Code 128 barcodes (ISO/IEC 15417) for the remittance stub. Pure.

An all-digit text is encoded in code set C (two digits per symbol; an odd last digit in code set
B); anything else in code set B (printable ASCII). The symbol check character is the start value
plus each data value times its position, modulo 103. :func:`code128_modules` gives the bar and space
widths in modules, which both the PDF renderer and :func:`code128_svg` draw.
"""

from __future__ import annotations

from dataclasses import dataclass

# Bar/space widths (bar, space, bar, space, bar, space) of symbol values 0..105; 106 is the stop.
PATTERNS: tuple[str, ...] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
    "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
    "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
    "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
    "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
    "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
    "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
)  # fmt: skip

START_B = 104
START_C = 105
CODE_B = 100  # switch to code set B (from C)
STOP = 106
QUIET_ZONE_MODULES = 10


@dataclass(frozen=True, slots=True)
class Code128:
    text: str
    values: tuple[int, ...]  # start, data..., check, stop

    @property
    def check_value(self) -> int:
        return self.values[-2]


def _check(values: list[int]) -> int:
    return (values[0] + sum(position * value for position, value in enumerate(values[1:], start=1))) % 103


def code128_encode(text: str) -> Code128:
    """The symbol values of ``text`` (start, data, check, stop). Raises ValueError for non-ASCII."""
    if not text:
        raise ValueError("a barcode needs some text")
    if text.isdigit() and text.isascii() and len(text) >= 2:
        values = [START_C] + [int(text[i : i + 2]) for i in range(0, len(text) - 1, 2)]
        if len(text) % 2:
            values += [CODE_B, ord(text[-1]) - 32]
    else:
        if any(not 32 <= ord(char) <= 126 for char in text):
            raise ValueError(f"{text!r} has characters Code 128 set B cannot carry")
        values = [START_B] + [ord(char) - 32 for char in text]
    values.append(_check(values))
    values.append(STOP)
    return Code128(text=text, values=tuple(values))


def code128_modules(text: str) -> str:
    """Alternating bar/space widths in modules, starting with a bar (quiet zones not included)."""
    return "".join(PATTERNS[value] for value in code128_encode(text).values)


def code128_bars(text: str) -> list[tuple[int, int]]:
    """The bars as (start module, width in modules), after a left quiet zone of 10 modules."""
    bars: list[tuple[int, int]] = []
    position = QUIET_ZONE_MODULES
    for index, width_char in enumerate(code128_modules(text)):
        width = int(width_char)
        if index % 2 == 0:
            bars.append((position, width))
        position += width
    return bars


def code128_width_modules(text: str) -> int:
    return sum(int(char) for char in code128_modules(text)) + 2 * QUIET_ZONE_MODULES


def code128_svg(text: str, *, module_px: float = 1.5, height_px: float = 48) -> str:
    """The barcode as an SVG image (black bars on white, quiet zones included)."""
    width = code128_width_modules(text) * module_px
    rects = "".join(
        f'<rect x="{start * module_px:g}" y="0" width="{size * module_px:g}" height="{height_px:g}"/>'
        for start, size in code128_bars(text)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width:g} {height_px:g}" '
        f'width="{width:g}" height="{height_px:g}"><title>Code 128: {text}</title>'
        f'<rect width="{width:g}" height="{height_px:g}" fill="#fff"/><g fill="#000">{rects}</g></svg>'
    )

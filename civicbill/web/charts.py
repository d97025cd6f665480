"""Server-rendered SVG charts (no JavaScript): usage bars and an hourly profile.

Each chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>``; the page also shows the numbers
in a table, so nothing is conveyed by the drawing alone. Colours meet 3:1 against white.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape

THIS_YEAR = "#0b5cad"
LAST_YEAR = "#8fb3db"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    last_year: Decimal | None = None
    note: str = ""  # e.g. "estimated"


def usage_bars_svg(bars: list[Bar], *, title: str, unit: str, width: int = 640, height: int = 180) -> str:
    """Monthly bars, this year dark, the same month last year light beside it."""
    top = max([b.value for b in bars] + [b.last_year or Decimal(0) for b in bars] + [Decimal(1)])
    plot_h = height - 34
    slot = width / max(1, len(bars))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(unit)}: '
        + escape(", ".join(f"{b.label} {b.value:.1f}" for b in bars))
        + "</desc>",
    ]
    for index, bar in enumerate(bars):
        x = index * slot
        if bar.last_year is not None:
            h = float(bar.last_year / top) * plot_h
            parts.append(
                f'<rect x="{x + slot * 0.12:.1f}" y="{plot_h - h + 4:.1f}" width="{slot * 0.36:.1f}" '
                f'height="{h:.1f}" fill="{LAST_YEAR}"><title>{escape(bar.label)} last year: '
                f"{bar.last_year:.1f} {escape(unit)}</title></rect>"
            )
        h = float(bar.value / top) * plot_h
        pattern = ' stroke="#1b1f24" stroke-dasharray="3 2"' if bar.note else ""
        parts.append(
            f'<rect x="{x + slot * 0.5:.1f}" y="{plot_h - h + 4:.1f}" '
            f'width="{slot * 0.38:.1f}" height="{h:.1f}" '
            f'fill="{THIS_YEAR}"{pattern}><title>{escape(bar.label)}: {bar.value:.1f} {escape(unit)}'
            f"{' (' + escape(bar.note) + ')' if bar.note else ''}</title></rect>"
        )
        parts.append(
            f'<text x="{x + slot / 2:.1f}" y="{height - 14}" font-size="11" text-anchor="middle" '
            f'fill="#1b1f24">{escape(bar.label)}</text>'
        )
    parts.append(f'<line x1="0" y1="{plot_h + 4}" x2="{width}" y2="{plot_h + 4}" stroke="#4a5360"/>')
    parts.append("</svg>")
    return "".join(parts)


def hourly_svg(values: list[Decimal], *, title: str, unit: str, width: int = 640, height: int = 140) -> str:
    """An hourly profile as thin bars; a flat line that never reaches zero suggests a leak."""
    top = max([*values, Decimal("0.0001")])
    plot_h = height - 12
    step = width / max(1, len(values))
    bars = "".join(
        f'<rect x="{i * step:.1f}" y="{plot_h - float(v / top) * plot_h + 4:.1f}" '
        f'width="{max(step - 0.5, 0.5):.1f}" '
        f'height="{float(v / top) * plot_h:.1f}" fill="{THIS_YEAR}"/>'
        for i, v in enumerate(values)
    )
    lowest = min(values) if values else Decimal(0)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px"><title>{escape(title)}</title><desc>{len(values)} hours; lowest hour '
        f"{lowest:.3f} {escape(unit)}, highest {top:.3f} {escape(unit)}</desc>{bars}"
        f'<line x1="0" y1="{plot_h + 4}" x2="{width}" y2="{plot_h + 4}" stroke="#4a5360"/></svg>'
    )

"""The bill's 13-month usage chart: the months (pure) and the chart as SVG.

The months are this bill's billing month and the twelve before it, so the first bar is the same
month last year. A month without a bill shows no bar; an estimated month is drawn hatched and
labelled, so the chart never relies on colour alone. The PDF renderer draws the same bars itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.utils.html import escape

from civicbill.billing.documents.model import UsageMonth

MONTHS_SHOWN = 13
CURRENT = "#0b3d6b"
EARLIER = "#7a9cc6"


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def usage_months(
    *,
    period: dt.date,
    current_hcf: Decimal,
    current_estimated: bool,
    history: Mapping[dt.date, tuple[Decimal, bool]],
) -> tuple[UsageMonth, ...]:
    """Thirteen months ending with ``period``; ``history`` maps earlier billing months to
    (usage in HCF, estimated)."""
    months = []
    for back in range(MONTHS_SHOWN - 1, 0, -1):
        month = add_months(period, -back)
        usage, estimated = history.get(month, (None, False))
        months.append(UsageMonth(period=month, usage_hcf=usage, estimated=estimated))
    months.append(
        UsageMonth(
            period=add_months(period, 0), usage_hcf=current_hcf, estimated=current_estimated, current=True
        )
    )
    return tuple(months)


def usage_chart_svg(
    months: tuple[UsageMonth, ...],
    *,
    labels: list[str],
    title: str,
    estimated_label: str,
    width: int = 420,
    height: int = 150,
) -> str:
    """Bars with the usage written above each; ``labels`` are the month names under the bars."""
    top = max([m.usage_hcf for m in months if m.usage_hcf is not None] + [Decimal(1)])
    plot_top, plot_bottom = 14, height - 18
    plot_h = plot_bottom - plot_top
    slot = width / max(1, len(months))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px">',
        f"<title>{escape(title)}</title>",
        "<desc>"
        + escape(
            "; ".join(
                f"{label} {'-' if m.usage_hcf is None else format(m.usage_hcf.normalize(), 'f')}"
                + (f" ({estimated_label})" if m.estimated else "")
                for label, m in zip(labels, months, strict=True)
            )
        )
        + "</desc>",
        '<defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="2" height="4" fill="#7a9cc6"/></pattern></defs>',
    ]
    for index, (label, month) in enumerate(zip(labels, months, strict=True)):
        x = index * slot + slot * 0.18
        bar_w = slot * 0.64
        if month.usage_hcf is not None:
            h = float(month.usage_hcf / top) * plot_h
            fill = "url(#hatch)" if month.estimated else (CURRENT if month.current else EARLIER)
            parts.append(
                f'<rect x="{x:.1f}" y="{plot_bottom - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{fill}" stroke="{CURRENT}" stroke-width="0.5"/>'
            )
            value = format(month.usage_hcf.quantize(Decimal(1)), "f")
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{plot_bottom - h - 3:.1f}" font-size="8" '
                f'text-anchor="middle">{value}{"*" if month.estimated else ""}</text>'
            )
        weight = ' font-weight="bold"' if month.current else ""
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - 5}" font-size="8" text-anchor="middle"{weight}>'
            f"{escape(label)}</text>"
        )
    parts.append(f'<line x1="0" y1="{plot_bottom}" x2="{width}" y2="{plot_bottom}" stroke="#4a5360"/></svg>')
    return "".join(parts)

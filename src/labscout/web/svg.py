"""Small charts drawn on the server as SVG (no JavaScript, nothing fetched at run time)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def bar_chart(
    bars: Sequence[tuple[str, float]],
    width: int = 420,
    height: int = 140,
    title: str = "",
) -> str:
    """A vertical bar chart of ``(label, value)`` pairs as an inline SVG string."""
    if not bars:
        return ""
    pad_left, pad_bottom, pad_top = 28, 22, 16
    inner_w, inner_h = width - pad_left - 4, height - pad_bottom - pad_top
    top = max(v for _, v in bars) or 1.0
    step = inner_w / len(bars)
    bar_w = max(2.0, step * 0.7)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{pad_left}" y1="{pad_top + inner_h}" x2="{width - 4}" '
        f'y2="{pad_top + inner_h}" stroke="#888"/>',
        f'<text x="2" y="{pad_top + 4}" font-size="10">{top:g}</text>',
    ]
    for i, (label, value) in enumerate(bars):
        h = inner_h * (value / top)
        x = pad_left + i * step + (step - bar_w) / 2
        y = pad_top + inner_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="#3b6ea5"><title>{escape(label)}: {value:g}</title></rect>'
        )
        if len(bars) <= 16 or i % max(1, len(bars) // 8) == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 6}" font-size="9" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)

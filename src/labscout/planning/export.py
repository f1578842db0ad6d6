"""A plan as Markdown, or as one self-contained HTML file (inline CSS, no script, no
external asset). Every value from the data is escaped; the only links are the works'
http(s) links (:func:`labscout.links.safe_url`), and a link that fails the check is
shown as text."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from labscout.links import safe_url
from labscout.planning.types import LinkedWork, Plan, Target

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
"""What could make text a link, an emphasis, a tag or a table cell in Markdown."""

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;color:#1d232a;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d6dbe1}
.target{border:1px solid #d6dbe1;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0}
.target h3{margin:.2rem 0}.muted{color:#5b6570;font-size:.92rem}
dt{font-weight:600;margin-top:.3rem}dd{margin:0 0 0 1rem}
li{margin:.15rem 0}code{background:#f2f4f7;padding:0 .2rem}
"""


# -- Markdown --------------------------------------------------------------------


def _md(value: Any) -> str:
    """Plain text for Markdown: special characters escaped, on one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _md_work(w: LinkedWork) -> str:
    url = safe_url(w.url)
    title = _md(w.title)
    head = f"[{title}](<{url}>)" if url else title
    return f"{head} ({w.year or 'n.d.'}{', ' + _md(w.venue) if w.venue else ''}) - {_md(w.reason)}"


def _md_target(t: Target) -> list[str]:
    lead = t.researchers[0]
    others = ", ".join(_md(p.name) for p in t.researchers[1:])
    out = [
        f"### {_md(t.institution)} ({_md(t.country_code or '?')}, {_md(t.type or '?')}): "
        f"{_md(lead.name)}" + (f" (also {others})" if others else ""),
        "",
        f"- **Band**: {t.band}, {_md(t.band_reason)}",
        f"- **Fit**: {_md(t.fit)}",
        f"- **Takes students**: {_md(t.takes_students['summary'])}",
        f"- **Hosts interns**: {_md(t.hosts_interns['summary'])}",
        f"- **Recent activity**: {_md(t.activity['summary'])}",
        f"- **Path from people you know**: {_md(t.path_note)}",
    ]
    if t.bridge:
        out.append(f"- **Stepping stone**: {_md(t.bridge)}")
    out.append(f"- **Shared topic**: {_md(t.shared_topic)}")
    out.append("- **Read before writing**:")
    out += [f"    {i}. {_md_work(w)}" for i, w in enumerate(t.read_first, start=1)]
    return [*out, ""]


def to_markdown(plan: Plan) -> str:
    """The plan as Markdown (each section; every work a link)."""
    q = plan.query
    topic = q.get("text") or "your works"
    out = [f"# A plan for: {_md(topic)}", ""]
    out += [f"- {_md(n)}" for n in plan.notes]
    if plan.known:
        out.append("- People you know: " + ", ".join(_md(k["name"] or k["id"]) for k in plan.known))
    out.append("")
    for band in plan.bands:
        out += [f"## {band.name.capitalize()}: {_md(band.rule)}", ""]
        if not band.targets:
            out += ["No place in this band.", ""]
        for t in band.targets:
            out += _md_target(t)
    out += [f"## Internships: {_md(plan.internship_note)}", ""]
    for t in plan.internships:
        out += _md_target(t)
    out += ["## Reading list", "", _md(plan.reading_note), ""]
    out += [f"{i}. {_md_work(w)}" for i, w in enumerate(plan.reading, start=1)]
    return "\n".join(out).rstrip() + "\n"


# -- HTML ------------------------------------------------------------------------


def _h(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _a(w: LinkedWork) -> str:
    url = safe_url(w.url)
    title = _h(w.title)
    return f'<a href="{_h(url)}" rel="noopener noreferrer">{title}</a>' if url else title


def _html_works(works: Iterable[LinkedWork], tag: str = "ol") -> str:
    items = "".join(
        f"<li>{_a(w)} ({_h(w.year or 'n.d.')}{', ' + _h(w.venue) if w.venue else ''})"
        f' <span class="muted">{_h(w.reason)}</span></li>'
        for w in works
    )
    return f"<{tag}>{items}</{tag}>"


def _html_target(t: Target) -> str:
    lead = t.researchers[0]
    others = ", ".join(_h(p.name) for p in t.researchers[1:])
    rows = [
        ("Band", f"{_h(t.band)}: {_h(t.band_reason)}"),
        ("Fit", _h(t.fit)),
        ("Takes students", _h(t.takes_students["summary"])),
        ("Hosts interns", _h(t.hosts_interns["summary"])),
        ("Recent activity", _h(t.activity["summary"])),
        ("Path from people you know", _h(t.path_note)),
    ]
    if t.bridge:
        rows.append(("Stepping stone", _h(t.bridge)))
    rows.append(("Shared topic", _h(t.shared_topic)))
    rows.append(("Read before writing", _html_works(t.read_first)))
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    also = f' <span class="muted">(also {others})</span>' if others else ""
    return (
        f'<section class="target"><h3>{_h(t.institution)}: {_h(lead.name)}{also}</h3>'
        f'<p class="muted">{_h(t.country_code or "?")}, {_h(t.type or "?")}</p>'
        f"<dl>{body}</dl></section>"
    )


def to_html(plan: Plan) -> str:
    """The plan as one self-contained HTML page: inline CSS, no script, no external
    asset; the only links are the works' own (http or https)."""
    topic = plan.query.get("text") or "your works"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>labscout plan: {_h(topic)}</title><style>{CSS}</style></head><body>",
        f"<h1>A plan for: {_h(topic)}</h1>",
        "<ul>" + "".join(f"<li>{_h(n)}</li>" for n in plan.notes) + "</ul>",
    ]
    if plan.known:
        names = ", ".join(_h(k["name"] or k["id"]) for k in plan.known)
        parts.append(f"<p>People you know: {names}</p>")
    for band in plan.bands:
        parts.append(f'<h2 id="{_h(band.name)}">{_h(band.name.capitalize())}</h2>')
        parts.append(f'<p class="muted">{_h(band.rule)}</p>')
        if not band.targets:
            parts.append("<p>No place in this band.</p>")
        parts += [_html_target(t) for t in band.targets]
    parts.append('<h2 id="internships">Internships</h2>')
    parts.append(f'<p class="muted">{_h(plan.internship_note)}</p>')
    parts += [_html_target(t) for t in plan.internships]
    parts.append('<h2 id="reading">Reading list</h2>')
    parts.append(f'<p class="muted">{_h(plan.reading_note)}</p>')
    parts.append(_html_works(plan.reading))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"

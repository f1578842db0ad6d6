"""`labscout topics`: the research topics near a query, a thin call to ``Labscout.topics``."""

from __future__ import annotations

from typing import Annotated

import typer

from labscout.cli.common import (
    ConfigOption,
    DbOption,
    QuietOption,
    ReindexOption,
    TableFormatOption,
    ask,
    check_format,
    handle_errors,
    show,
)
from labscout.cli.ladder_cmds import LikeBibOption, LikeOption, MineOption, MineOrcidOption
from labscout.errors import InputError
from labscout.query import Query
from labscout.rank.topics import SORTS, TopicMap, TopicParams

FORMATS = ("table", "json")


def register(app: typer.Typer) -> None:
    app.command("topics")(topics_cmd)


@handle_errors
def topics_cmd(
    text: Annotated[
        str | None, typer.Argument(help="The topic, in your own words (or --like / --mine).")
    ] = None,
    like: LikeOption = None,
    like_bib: LikeBibOption = None,
    mine: MineOption = None,
    mine_orcid: MineOrcidOption = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            help="near (closest first), abstract, more-abstract (only topics more abstract "
            "than the query works), exotic (small, growing, few groups), growth or size.",
        ),
    ] = "near",
    top: Annotated[
        int | None, typer.Option("--top", "-n", help="Topics listed (default: all).")
    ] = None,
    n_topics: Annotated[
        int, typer.Option("--n-topics", help="Clusters asked for (fewer on a small store).")
    ] = TopicParams.n_topics,
    method: Annotated[
        str, typer.Option("--method", help="Clustering: kmeans, agglomerative or hdbscan.")
    ] = TopicParams.method,
    fmt: TableFormatOption = "table",
    reindex: ReindexOption = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
) -> None:
    """The research topics near a query (clusters of the works around it), each with its
    size, growth, how abstract it is (and the venues and words that say so), how crowded
    it is and its top groups; sort by near, abstract, more-abstract, exotic, growth, size."""
    check_format(fmt, FORMATS)
    if sort not in SORTS:
        raise InputError(f"unknown topic sort {sort!r}", hint=f"Use one of: {', '.join(SORTS)}.")
    if n_topics < 1:
        raise InputError("--n-topics must be at least 1")
    query = Query.from_cli(text, like, like_bib, mine, mine_orcid, top=top)
    params = TopicParams(n_topics=n_topics, method=method)
    result = ask(lambda ls: ls.topics(query, sort, params), db, quiet, config, reindex)
    show(result, fmt, print_topics)


def print_topics(m: TopicMap) -> None:
    """One block of lines a topic (plain text: names and titles are printed as they are)."""
    q = m.query_abstract
    since = (m.reference_year or 0) - m.params["recent_years"] + 1
    typer.echo(
        f"{m.n_works} works clustered around {len(m.query.get('work_ids', []))} query works "
        f"(their abstract score {q.score:+.2f}); recent = {since} on; sorted by {m.sort}."
    )
    if not m.topics:
        typer.echo("No topic fits this sort; try --sort near.")
        return
    for k, t in enumerate(m.topics, start=1):
        a = t.abstract
        plus = [f"{v} ({n})" for v, n in a.theory_venues[:2]]
        plus += [f"{w} ({n})" for w, n in a.theory_terms[:4]]
        minus = [f"{w} ({n})" for w, n in a.application_terms[:4]]
        growth = (
            f"{t.recent_share:.0%} recent (x{t.growth:.2f} the neighbourhood's share)"
            if t.recent_share is not None and t.growth is not None
            else "no dated works"
        )
        lines = [
            f"{k}. {t.name}{'  (your topic)' if t.is_query_topic else ''}",
            f"   {t.n_works} works, {t.n_groups} groups, {t.n_researchers} researchers "
            f"({t.crowdedness:.2f} a work); {growth}; exotic {t.exotic:.2f}",
            f"   abstract {a.score:+.2f} ({t.abstract_delta:+.2f} vs the query works)"
            + (f"; up: {', '.join(plus)}" if plus else "")
            + (f"; down: {', '.join(minus)}" if minus else ""),
        ]
        if t.terms and t.name_basis != "terms":
            lines.append(f"   terms: {', '.join(t.terms)}")
        if t.top_groups:
            lines.append("   groups: " + "; ".join(f"{g.name} ({g.n_works})" for g in t.top_groups))
        for w in t.examples:
            lines.append(f"   e.g. {w.title} ({w.year or '?'}{', ' + w.venue if w.venue else ''})")
        typer.echo("\n".join(lines))

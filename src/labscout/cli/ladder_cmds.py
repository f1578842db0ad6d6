"""`labscout ladder`, `labscout researcher`, `labscout read`: institutions in tiers,
one researcher's signals, and what to read first on a topic."""

from __future__ import annotations

from typing import Annotated, Any

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
from labscout.errors import InputError

FORMATS = ("table", "json")

CountryOption = Annotated[
    str | None,
    typer.Option("--country", help="Institutions in these countries (ISO codes: DE,CH)."),
]
RegionOption = Annotated[
    str | None,
    typer.Option(
        "--region",
        help="Institutions in a region: europe, eu, north-america, latin-america, americas, "
        "middle-east, asia, africa, oceania (comma-separated).",
    ),
]
TypeOption = Annotated[
    str | None,
    typer.Option(
        "--type",
        help="Institution type: education, company, facility, government, nonprofit "
        "(comma-separated; company = industry labs).",
    ),
]
ActiveOption = Annotated[
    int | None,
    typer.Option("--active-since", help="Only researchers with a work from this year on."),
]

# the query forms of `find` and `ladder`
LikeOption = Annotated[
    list[str] | None,
    typer.Option("--like", help="A work you like: OpenAlex id, DOI or arXiv id (repeatable)."),
]
LikeBibOption = Annotated[
    str | None,
    typer.Option("--like-bib", help="A BibTeX file of works you like (by DOI, arXiv, title)."),
]
MineOption = Annotated[
    str | None,
    typer.Option(
        "--mine",
        help="You: author id, ORCID, profile URL or exact name; your works are the query "
        "and you are left out.",
    ),
]
MineOrcidOption = Annotated[
    str | None, typer.Option("--mine-orcid", hidden=True, help="Same as --mine (until 0.3).")
]
ExcludeCoauthorsOption = Annotated[
    bool,
    typer.Option("--exclude-coauthors", help="With --mine: leave out their co-authors too."),
]
SinceOption = Annotated[
    int | None, typer.Option("--since", help="Only works published in this year or later.")
]


def register(app: typer.Typer) -> None:
    app.command("ladder")(ladder_cmd)
    app.command("researcher")(researcher_cmd)
    app.command("read")(read_cmd)
    app.command("institution")(institution_cmd)


def _table(result: Any) -> None:
    """The table (or lines) of a ladder, a profile, a reading list or an institution;
    rich loads only here."""
    from labscout.cli.ladder_view import print_result

    print_result(result)


@handle_errors
def ladder_cmd(
    text: Annotated[str | None, typer.Argument(help="The topic, in your own words.")] = None,
    like: LikeOption = None,
    like_bib: LikeBibOption = None,
    mine: MineOption = None,
    mine_orcid: MineOrcidOption = None,
    exclude_coauthors: ExcludeCoauthorsOption = False,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Your institution (name or id): show stepping stones one or two tiers above.",
        ),
    ] = None,
    country: CountryOption = None,
    region: RegionOption = None,
    type_: TypeOption = None,
    active_since: ActiveOption = None,
    since: SinceOption = None,
    tiers: Annotated[int, typer.Option("--tiers", help="Number of tiers.")] = 4,
    quantiles: Annotated[
        bool, typer.Option("--quantiles", help="Cut tiers by quantiles, not natural breaks.")
    ] = False,
    top: Annotated[
        int | None, typer.Option("--top", "-n", help="How many institutions [default: 20].")
    ] = None,
    fmt: TableFormatOption = "table",
    reindex: ReindexOption = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
) -> None:
    """Rank institutions and industry labs for a topic, in tiers, with hidden gems and
    (with --from) stepping stones. Every figure comes from stored works (docs/ladder.md)."""
    from labscout.query import Query
    from labscout.rank.institutions import LadderParams

    check_format(fmt, FORMATS)
    if not 2 <= tiers <= 10:
        raise InputError(f"--tiers {tiers} is out of range", hint="Use 2 to 10 tiers.")
    query = Query.from_cli(
        text, like, like_bib, mine, mine_orcid, exclude_coauthors, since,
        country, region, type_, active_since, top=top, from_institution=from_,
    )  # fmt: skip
    params = LadderParams(n_tiers=tiers, tier_method="quantiles" if quantiles else "jenks")
    show(ask(lambda ls: ls.ladder(query, params), db, quiet, config, reindex), fmt, _table)


@handle_errors
def researcher_cmd(
    author: Annotated[str, typer.Argument(help="Author id (e.g. A5023888391) or ORCID.")],
    recent_years: Annotated[
        int, typer.Option("--recent-years", help='"Lately" is the last this-many years.')
    ] = 5,
    year: Annotated[
        int | None, typer.Option("--year", help="Reference year (default: this year).")
    ] = None,
    fmt: TableFormatOption = "table",
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
) -> None:
    """One researcher's signals (activity, seniority, students, group growth, institution),
    topics over time and top co-authors, each with the numbers and works behind it."""
    from labscout.signals import SignalParams

    check_format(fmt, FORMATS)
    if recent_years < 1:
        raise InputError("--recent-years must be at least 1")
    params = SignalParams(reference_year=year, recent_years=recent_years)
    show(ask(lambda ls: ls.researcher(author, params), db, quiet, config), fmt, _table)


@handle_errors
def read_cmd(
    text: Annotated[str, typer.Argument(help="The topic, in your own words.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Output: table, json or bib (BibTeX).")
    ] = "table",
    reindex: ReindexOption = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
) -> None:
    """What to read first on a topic: surveys, then the works the topic cites most (and
    relevant to it), then recent works of its top researchers; each with why it is on the
    list and a link; --format bib writes the list as BibTeX."""
    check_format(fmt, (*FORMATS, "bib"))
    result = ask(lambda ls: ls.read(text), db, quiet, config, reindex)
    if fmt == "bib":
        typer.echo(result.to_bibtex(), nl=False)
    else:
        show(result, fmt, _table)


@handle_errors
def institution_cmd(
    institution_id: Annotated[str, typer.Argument(help="Institution id (e.g. I136199984).")],
    topic: Annotated[
        str | None,
        typer.Option("--topic", help="A topic: show the place's rank, tier and researchers on it."),
    ] = None,
    fmt: TableFormatOption = "table",
    reindex: ReindexOption = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
) -> None:
    """One institution and, with --topic, its line of that topic's ladder (rank, tier,
    researchers), computed for this place alone."""
    check_format(fmt, FORMATS)
    view = ask(lambda ls: ls.institution(institution_id, topic), db, quiet, config, reindex)
    show(view, fmt, _table)

"""`labscout serve`: the web app over a store."""

from __future__ import annotations

from typing import Annotated

import typer

from labscout.cli.common import ConfigOption, DbOption, handle_errors, settings

MAX_AUTO_WORKERS = 4
"""``--workers`` by default: one process a CPU core, at most this many. Processes, not
threads alone: ranking is Python that holds the GIL, so one process answers about as
many requests a second at 20 at once as at 1 (docs/benchmarks.md, "Web app under load")."""


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


@handle_errors
def serve(
    db: DbOption = None,
    config: ConfigOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes answering requests, each with the index and the model loaded "
            "(default: one a CPU core, at most 4; 1 uses the least memory).",
            show_default=False,
        ),
    ] = None,
    threads: Annotated[
        int,
        typer.Option(
            "--threads",
            min=1,
            help="Requests each process answers at once (in threads); more wait their turn.",
        ),
    ] = 2,
) -> None:
    """Start the web app (search, researcher, ladder, reading pages; each also as JSON)."""
    try:
        import uvicorn
    except ImportError:
        from labscout.errors import MissingExtraError

        raise MissingExtraError("web", "uvicorn") from None
    import os

    from labscout.core import Labscout
    from labscout.web import create_app
    from labscout.web.app import server_threads

    s = settings(config, db=db)
    workers = workers or min(os.cpu_count() or 1, MAX_AUTO_WORKERS)
    if workers > 1:
        from labscout.store import Store

        Store(s.db, read_only=True).close()  # a missing or foreign file: one line, here
        os.environ["LABSCOUT_DB"] = s.db  # what each worker's app_from_settings reads
        if config:
            os.environ["LABSCOUT_CONFIG"] = config
        os.environ["LABSCOUT_SERVE_THREADS"] = str(threads)
        typer.echo(f"labscout: serving {s.db} on http://{host}:{port}/ ({workers} workers)",
                   err=True)  # fmt: skip
        uvicorn.run("labscout.web.app:app_from_settings", factory=True, host=host, port=port,
                    workers=workers, log_level="warning")  # fmt: skip
        return
    typer.echo(f"labscout: loading {s.db} (index and embedder)", err=True)
    # one core object for the whole process; requests run at once in Starlette's thread
    # pool, each thread reading through a DuckDB cursor of its own
    app = create_app(Labscout(s.db, s), load=True, threads=threads)
    server_threads()
    typer.echo(f"labscout: serving {s.db} on http://{host}:{port}/", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")

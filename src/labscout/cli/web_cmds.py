"""`labscout serve`: the web app over a store."""

from __future__ import annotations

from typing import Annotated

import typer

from labscout.cli.common import ConfigOption, DbOption, handle_errors, settings


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


@handle_errors
def serve(
    db: DbOption = None,
    config: ConfigOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
) -> None:
    """Start the web app (search, researcher, ladder, reading pages; each also as JSON)."""
    try:
        import uvicorn
    except ImportError:
        from labscout.errors import MissingExtraError

        raise MissingExtraError("web", "uvicorn") from None
    from labscout.core import Labscout
    from labscout.web import create_app

    s = settings(config, db=db)
    app = create_app(Labscout(s.db, s))  # one core object for the whole process
    typer.echo(f"labscout: serving {s.db} on http://{host}:{port}/", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")

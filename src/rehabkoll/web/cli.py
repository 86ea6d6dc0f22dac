"""Commands of rehabkoll.web: ``serve``."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from rehabkoll.cli_common import DbOption


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root command line."""
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes.")] = 1,
    db: DbOption = None,
) -> None:
    """Serve the web application and the API (FastAPI on uvicorn)."""
    import uvicorn

    from rehabkoll.db.session import open_database
    from rehabkoll.web.app import create_app

    typer.echo(f"rehabkoll on http://{host}:{port}/  (API document: /api/openapi.json)")
    if workers == 1:
        uvicorn.run(create_app(db), host=host, port=port, log_level="info")
        return
    if db:
        os.environ["REHABKOLL_DATABASE_URL"] = db  # each worker process reads it
    open_database(db)  # migrate once, before the workers start
    uvicorn.run(
        "rehabkoll.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )

"""``kneeguard serve`` (the local web app) and ``kneeguard demo`` (the demo runner)."""

from __future__ import annotations

import typer

from kneeguard.cli import app
from kneeguard.cli.common import state, stderr_console


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    host: str | None = typer.Option(
        None, "--host", metavar="HOST",
        help="Address to listen on (default 127.0.0.1; another address needs an access "
             "token). Env: KNEEGUARD_HOST."),
    port: int | None = typer.Option(
        None, "--port", min=1, max=65535, metavar="PORT",
        help="Port to listen on (default 8000). Env: KNEEGUARD_PORT."),
) -> None:
    """Run the web app on this machine and open it in your browser yourself."""
    import dataclasses
    import errno
    import socket

    from kneeguard.errors import ConfigError
    from kneeguard.web.security import check_bind

    cli = state(ctx)
    settings = cli.settings
    settings = dataclasses.replace(settings, host=host or settings.host,
                                   port=port or settings.port)
    check_bind(settings.host, settings.access_token)
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host.strip("[]"), settings.port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(f"port {settings.port} on {settings.host} is already in use; "
                                  "pick another with --port") from None
            raise ConfigError(f"cannot listen on {settings.host}:{settings.port}: "
                              f"{exc.strerror}") from None

    import uvicorn

    from kneeguard.web import create_app

    web_app = create_app(settings)
    web_app.state.kneeguard.database()  # open (and migrate) the database before serving
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    stderr_console().print(
        f"kneeguard is running at http://{shown}:{settings.port}/ on "
        f"{web_app.state.kneeguard.database().url}  (Ctrl-C stops it)")
    uvicorn.run(web_app, host=settings.host.strip("[]"), port=settings.port,
                log_level="warning", server_header=False, proxy_headers=False)


@app.command("demo")
def demo_command(ctx: typer.Context) -> None:
    """Load the demo runner into the separate demo database (your own data is untouched)."""
    from kneeguard.demo import load_demo
    from kneeguard.storage import connect

    settings = state(ctx).settings
    db = connect(settings.demo_db_url)
    try:
        demo = load_demo(db)
    finally:
        db.dispose()
    path = settings.demo_db_url.removeprefix("sqlite:///")
    typer.echo(f"Loaded the demo runner into {settings.demo_db_url}: {len(demo.runs)} runs, "
               f"{len(demo.journal)} journal entries and one assessment.")
    typer.echo("See it in the web app (kneeguard serve, then \"Try the demo\"), or on the "
               f"command line with --db {path}, e.g. kneeguard training --db {path}")

"""`buurtpensioen antenne serve | relay | republish`: one antenne's API, its relay, and recovery."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated, TypeVar

import typer
import uvicorn
from nats.errors import Error as NatsError
from pydantic_settings import BaseSettings

from services.antenne.application import Antenne
from services.antenne.application.roles import Role
from services.antenne.main import create_app
from services.antenne.relay import PublishFailedError, Relay
from services.antenne.settings import RelaySettings, Settings
from services.antenne.web.accounts import Accounts, WeakPasswordError, new_password
from services.antenne.web.store import TableStore
from services.command_line import configure_logging, settings_from_flags

app = typer.Typer(
    help="One antenne: its JSON API, relay and recovery tools.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

AntenneIdOption = Annotated[
    str | None, typer.Option(help="Subject-safe antenne id such as jette (env ANTENNE_ANTENNE_ID, required).")
]
DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        help="sqlite:///path or postgresql://user:password@host:port/db "
        "(env ANTENNE_DATABASE_URL, default sqlite:///var/<antenne-id>.db)."
    ),
]
NatsUrlOption = Annotated[
    str | None, typer.Option(help="JetStream server (env ANTENNE_NATS_URL, default nats://127.0.0.1:4222).")
]

SettingsT = TypeVar("SettingsT", bound=BaseSettings)


@app.callback()
def antenne() -> None:
    """One antenne: its JSON API, relay and recovery tools."""


@app.command()
def serve(
    antenne_id: AntenneIdOption = None,
    name: Annotated[
        str | None, typer.Option(help="Display name such as Jette (env ANTENNE_NAME, default the id).")
    ] = None,
    database_url: DatabaseUrlOption = None,
    nats_url: NatsUrlOption = None,
    token: Annotated[
        str | None,
        typer.Option(help="API bearer token, required; prefer env ANTENNE_TOKEN (flags show in ps)."),
    ] = None,
    host: Annotated[
        str | None, typer.Option(help="Address the API listens on (env ANTENNE_HOST, default 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port the API listens on (env ANTENNE_PORT, default 8101).")
    ] = None,
    max_quarters: Annotated[
        int | None,
        typer.Option(help="Largest exchange, in quarter hours (env ANTENNE_MAX_QUARTERS, default 32)."),
    ] = None,
    relay: Annotated[
        bool, typer.Option("--relay/--no-relay", help="Also publish the antenne's events to NATS.")
    ] = True,
) -> None:
    """Serve the antenne's JSON API and relay its events to NATS; flags override ANTENNE_* variables."""
    configure_logging()
    settings = settings_from_flags(
        Settings,
        antenne_id=antenne_id,
        name=name,
        database_url=database_url,
        nats_url=nats_url,
        token=token,
        host=host,
        port=port,
        max_quarters=max_quarters,
    )
    application = create_app(settings, run_relay=relay)
    uvicorn.run(application, host=settings.host, port=settings.port, log_config=None)


@app.command("relay")
def relay_only(
    antenne_id: AntenneIdOption = None,
    database_url: DatabaseUrlOption = None,
    nats_url: NatsUrlOption = None,
) -> None:
    """Relay the antenne's events to NATS, without the API, until SIGTERM or Ctrl-C."""
    configure_logging()
    settings = settings_from_flags(
        RelaySettings, antenne_id=antenne_id, database_url=database_url, nats_url=nats_url
    )
    asyncio.run(_relay_until_stopped(settings))


@app.command()
def republish(
    from_position: Annotated[
        int,
        typer.Option("--from", min=1, help="First notification id to publish again (1: everything)."),
    ],
    antenne_id: AntenneIdOption = None,
    database_url: DatabaseUrlOption = None,
    nats_url: NatsUrlOption = None,
) -> None:
    """Publish the antenne's events again from a position, e.g. after a stream was lost."""
    configure_logging()
    settings = settings_from_flags(
        RelaySettings, antenne_id=antenne_id, database_url=database_url, nats_url=nats_url
    )
    with Antenne(env=settings.eventsourcing_env()) as antenne:
        relay = Relay(antenne, settings.antenne_id, settings.nats_url)
        try:
            count = asyncio.run(relay.republish(from_position))
        except (OSError, TimeoutError, NatsError, PublishFailedError) as error:
            typer.echo(f"republish stopped, run it again: {type(error).__name__}: {error}", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"republished {count} events from position {from_position}")


@app.command("add-coordinator")
def add_coordinator(
    username: Annotated[str, typer.Option(help="The name to sign in with, such as anna.")],
    antenne_id: AntenneIdOption = None,
    database_url: DatabaseUrlOption = None,
    display_name: Annotated[
        str, typer.Option("--name", help="Shown on the pages; default the user name.")
    ] = "",
    role: Annotated[
        Role, typer.Option(help="coordinator, local-lead (may correct) or project-coordinator.")
    ] = Role.COORDINATOR,
    generate: Annotated[
        bool, typer.Option("--generate", help="Make up a strong password and print it, instead of asking.")
    ] = False,
) -> None:
    """Add (or reset) a coordinator's account for the antenne's pages; the password is stored as a hash."""
    settings = settings_from_flags(RelaySettings, antenne_id=antenne_id, database_url=database_url)
    if role is Role.MEMBER:
        typer.echo("members sign in with a code given at the desk, not with an account", err=True)
        raise typer.Exit(2)
    password = (
        new_password() if generate else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    store = TableStore(settings.database_url)
    try:
        Accounts(store).add_coordinator(username, password, display_name, role)
    except WeakPasswordError as weak:
        typer.echo(f"not added: {weak}", err=True)
        raise typer.Exit(2) from None
    finally:
        store.close()
    typer.echo(f"coordinator {username.lower()} ({role}) can sign in at the antenne's /signin")
    if generate:
        typer.echo(f"password: {password}")


async def _relay_until_stopped(settings: RelaySettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    with Antenne(env=settings.eventsourcing_env()) as antenne:
        await Relay(antenne, settings.antenne_id, settings.nats_url).run(stop)

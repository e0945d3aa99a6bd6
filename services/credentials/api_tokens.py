"""Scoped API tokens for an installation: the CLI that issues and revokes them, and the demo's set.

`buurtpensioen tokens issue --file F --role R --actor A --antenne X` prints a new token once and keeps only
its hash in F (mode 0600); each service reads F as `<SERVICE>_TOKENS_FILE`, again whenever it changes.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from services.auth import EVERY_ANTENNE, TokenStore
from services.principals import Role

app = typer.Typer(
    help="Scoped API tokens: each carries a role, an actor and the antenne it acts in.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

FileOption = Annotated[Path, typer.Option("--file", help="The token file the services read (hashes only).")]


@app.command("issue")
def issue(
    file: FileOption,
    role: Annotated[Role, typer.Option(help="What the token may do.")],
    actor: Annotated[str, typer.Option(help="Who holds it: a person's id; a member's member id.")],
    antenne: Annotated[
        str,
        typer.Option(help="The antenne it acts in; `*` for every antenne (project coordinator, partner)."),
    ] = EVERY_ANTENNE,
    label: Annotated[str, typer.Option(help="A note for whoever lists the tokens later.")] = "",
    valid_days: Annotated[
        int,
        typer.Option(
            min=0, help="Days until the services refuse it; 0: until revoked (services' own tokens)."
        ),
    ] = 365,
) -> None:
    """Issue a token and print it once: only its hash is kept, so it cannot be shown again."""
    valid_for = timedelta(days=valid_days) if valid_days else None
    try:
        token, record = TokenStore(file).issue(role, actor, antenne, label, valid_for)
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    until = f"until {record.expires_at}" if record.expires_at else "until revoked"
    typer.echo(
        f"token {record.token_id}: {record.role} {record.actor_id} in {record.antenne}, {until}", err=True
    )
    typer.echo(token)


@app.command("list")
def list_tokens(file: FileOption) -> None:
    """List the issued tokens (ids, roles, actors, antennes, expiry; never the tokens)."""
    now = datetime.now(UTC)
    for record in TokenStore(file).records():
        expiry = "EXPIRED" if record.expired(now) else (record.expires_at or "never")[:10]
        typer.echo(
            f"{record.token_id}  {record.role:20} {record.actor_id:38} {record.antenne:12} {expiry:10} "
            f"{record.label}"
        )


@app.command("revoke")
def revoke(file: FileOption, token_id: Annotated[str, typer.Argument(help="The id `list` shows.")]) -> None:
    """Revoke a token: the services refuse it from their next request on."""
    if not TokenStore(file).revoke(token_id):
        typer.echo(f"no token {token_id} in {file}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {token_id}")


def demo_role_tokens(folder: Path, antennes: list[str], partners: tuple[str, ...]) -> dict[str, str]:
    """One token per role for the local federation, made once and kept (plain in `role-tokens.json`, 0600).

    Names: `project-coordinator`, `<antenne>/local-lead`, `<antenne>/coordinator`, `partner/<partner>`.
    """
    store = TokenStore(folder / "api-tokens.json")
    kept = folder / "role-tokens.json"
    tokens: dict[str, str] = json.loads(kept.read_text()) if kept.exists() else {}
    wanted: dict[str, tuple[Role, str, str]] = {"project-coordinator": (Role.PROJECT_COORDINATOR, "pc", "*")}
    for antenne_id in antennes:
        wanted[f"{antenne_id}/local-lead"] = (Role.LOCAL_LEAD, f"lead-{antenne_id}", antenne_id)
        wanted[f"{antenne_id}/coordinator"] = (Role.COORDINATOR, f"desk-{antenne_id}", antenne_id)
    for partner in partners:
        wanted[f"partner/{partner}"] = (Role.PARTNER, partner, "*")
    for name, (role, actor, antenne) in wanted.items():
        if name not in tokens:
            tokens[name], _ = store.issue(role, actor, antenne, label=f"demo {name}")
    kept.write_text(json.dumps(tokens, indent=2) + "\n")
    os.chmod(kept, 0o600)
    return tokens

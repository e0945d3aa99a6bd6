"""Tokens for tests: a scoped token of any role, issued straight into a running app's token store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from services.auth import EVERY_ANTENNE, Authentication
from services.principals import FEDERATION_WIDE, Role

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def bearer(token: str) -> dict[str, str]:
    """The header that presents `token`."""
    return {"Authorization": f"Bearer {token}"}


def token_for(app: FastAPI, role: Role | str, actor_id: str = "tester", antenne: str | None = None) -> str:
    """A new token of `role` for `actor_id`; a local role acts in the app's own antenne unless told."""
    role = Role(role)
    if antenne is None:
        antenne = EVERY_ANTENNE if role in FEDERATION_WIDE else getattr(app.state, "antenne_id", "jette")
    auth: Authentication = app.state.auth
    token, _ = auth.store.issue(role, actor_id, antenne, label="test")
    return token


def as_role(
    client: TestClient, role: Role | str, actor_id: str = "tester", antenne: str | None = None
) -> dict[str, str]:
    """Headers acting as `role`/`actor_id` on the client's app."""
    assert isinstance(client.app, FastAPI)
    return bearer(token_for(client.app, role, actor_id, antenne))

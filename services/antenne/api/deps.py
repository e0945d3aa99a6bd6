"""What every route of the antenne's API depends on: the application, the relay, paging, idempotency."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar
from uuid import UUID

from fastapi import Depends, Header, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from services.antenne.application import Antenne
from services.antenne.application.roles import MAY, Actor, NotAllowedError, Role, authorise
from services.antenne.relay import Relay
from services.auth import PrincipalDep, authenticate

T = TypeVar("T")
MAX_PAGE = 200
API = "/api/v1"


async def get_antenne(request: Request) -> Antenne:
    """The antenne application built by the app's lifespan."""
    antenne: Antenne = request.app.state.antenne
    return antenne


async def get_relay(request: Request) -> Relay:
    """The relay built by the app's lifespan (running or not)."""
    relay: Relay = request.app.state.relay
    return relay


async def idempotency_key(
    request: Request,
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=8,
            max_length=200,
            description="Any unique text per intended recording (a UUID will do): a retry with the same "
            "key records nothing twice and answers as the first time.",
        ),
    ] = None,
) -> str | None:
    """The request's idempotency key, scoped to its path so one key cannot act on two resources."""
    return f"{request.url.path}|{key}" if key else None


class Paging(BaseModel):
    """Which slice of a list to show."""

    offset: int = Field(default=0, ge=0, description="How many items to skip.")
    limit: int = Field(default=50, ge=1, le=MAX_PAGE, description="How many items at most.")


async def paging(
    offset: Annotated[int, Query(ge=0, description="How many items to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="How many items at most.")] = 50,
) -> Paging:
    """The page asked for in the query string."""
    return Paging(offset=offset, limit=limit)


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total the filters match."""

    items: list[T]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, everything: list[T], page: Paging) -> Page[T]:
        """The slice of `everything` that `page` asks for."""
        items = everything[page.offset : page.offset + page.limit]
        return cls(items=items, total=len(everything), offset=page.offset, limit=page.limit)


async def authorised(request: Request, principal: PrincipalDep) -> Actor:
    """Refuse the request unless the token's role may call the route's use case (its function name).

    `async`: no thread hop for the check itself; only a member's answer on help reads the store.
    """
    actor = Actor(principal.role, principal.actor_id)
    here: str = request.app.state.antenne_id
    if not principal.may_act_in(here):
        raise NotAllowedError(actor, f"act in antenne {here}")
    use_case: str = request.scope["route"].name
    member_id = _uuid(request.path_params.get("member_id"))
    exchange_id = _uuid(request.path_params.get("exchange_id"))
    if actor.role is Role.MEMBER and exchange_id is not None and use_case in MAY[Role.MEMBER]:
        # A member confirms or disputes only help they received.
        antenne: Antenne = request.app.state.antenne
        member_id = (await run_in_threadpool(antenne.get_exchange, exchange_id)).recipient_id
    authorise(actor, use_case, member_id)
    return actor


def _uuid(value: object) -> UUID | None:
    """A path's id, or None when it is no id (the route's own validation then refuses it with 422)."""
    try:
        return UUID(str(value)) if value is not None else None
    except ValueError:
        return None


# Every route under API needs the token, then a role that may call it (roles.py).
PROTECTED = [Depends(authenticate), Depends(authorised)]

AntenneDep = Annotated[Antenne, Depends(get_antenne)]
ActorDep = Annotated[Actor, Depends(authorised)]
RelayDep = Annotated[Relay, Depends(get_relay)]
KeyDep = Annotated[str | None, Depends(idempotency_key)]
PageDep = Annotated[Paging, Depends(paging)]

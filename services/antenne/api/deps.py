"""What every route of the antenne's API depends on: the application, the relay, paging, idempotency."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Header, Query, Request
from pydantic import BaseModel, Field

from services.antenne.application import Antenne
from services.antenne.relay import Relay
from services.auth import require_token

T = TypeVar("T")
MAX_PAGE = 200
API = "/api/v1"
PROTECTED = [Depends(require_token)]  # every route under API needs the token


def get_antenne(request: Request) -> Antenne:
    """The antenne application built by the app's lifespan."""
    antenne: Antenne = request.app.state.antenne
    return antenne


def get_relay(request: Request) -> Relay:
    """The relay built by the app's lifespan (running or not)."""
    relay: Relay = request.app.state.relay
    return relay


def idempotency_key(
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


def paging(
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


AntenneDep = Annotated[Antenne, Depends(get_antenne)]
RelayDep = Annotated[Relay, Depends(get_relay)]
KeyDep = Annotated[str | None, Depends(idempotency_key)]
PageDep = Annotated[Paging, Depends(paging)]

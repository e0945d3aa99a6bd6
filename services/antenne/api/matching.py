"""Help requests and offers, ranked suggestions, and the match between them."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from contracts.antenne.v1 import Category
from services.antenne.api.deps import API, PROTECTED, AntenneDep, KeyDep, Page, PageDep
from services.antenne.application import RequestFilter
from services.antenne.domain.matching import Suggestion
from services.antenne.domain.requests import HelpOffer, HelpRequest, OfferStatus, RequestStatus


class NewRequest(BaseModel):
    """A member asks for help; the sector is theirs."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "member_id": "6f1c0e55-8d4e-4a57-9d1f-0b6f2c1d9a10",
                    "category": "transport",
                    "preferred_dates": ["2026-12-01", "2026-12-03"],
                    "language": "nl",
                    "description": "to the dentist on the Jetselaan",
                }
            ]
        }
    )

    member_id: UUID
    category: Category
    preferred_dates: list[date] = Field(default_factory=list, max_length=14)
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$", description="Default their first.")
    description: str = Field(default="", max_length=2000, description="Free text: stays at this antenne.")


class RequestView(BaseModel):
    """A help request and where it stands."""

    request_id: UUID
    member_id: UUID
    category: Category
    preferred_dates: list[date]
    sector: str | None
    language: str | None
    taken_on: date
    description: str
    status: RequestStatus
    helper_id: UUID | None
    declined_by: list[UUID]
    exchange_id: UUID | None

    @classmethod
    def of(cls, r: HelpRequest) -> RequestView:
        """The view of a request aggregate."""
        return cls(
            request_id=r.id, member_id=r.member_id, category=r.category, preferred_dates=r.preferred_dates,
            sector=r.sector, language=r.language, taken_on=r.taken_on, description=r.description,
            status=r.status, helper_id=r.helper_id, declined_by=r.declined_by, exchange_id=r.exchange_id,
        )  # fmt: skip


class RequestTaken(BaseModel):
    """The id of the request just taken."""

    request_id: UUID
    status: RequestStatus


class Helper(BaseModel):
    """The helper a step is about."""

    helper_id: UUID


class SuggestionView(BaseModel):
    """A candidate helper, best first, with the reasons a coordinator reads."""

    member_id: UUID
    number: str
    score: int
    reasons: list[str] = Field(examples=[["offers transport", "speaks nl", "lives in sector jette-centrum"]])

    @classmethod
    def of(cls, s: Suggestion) -> SuggestionView:
        """Copy a suggestion."""
        return cls(member_id=s.member_id, number=s.number, score=s.score, reasons=list(s.reasons))


class NewOffer(BaseModel):
    """A member offers help in a category."""

    member_id: UUID
    category: Category
    description: str = Field(default="", max_length=2000, description="Free text: stays at this antenne.")


class OfferView(BaseModel):
    """An offer and whether it stands."""

    offer_id: UUID
    member_id: UUID
    category: Category
    made_on: date
    description: str
    status: OfferStatus

    @classmethod
    def of(cls, o: HelpOffer) -> OfferView:
        """The view of an offer aggregate."""
        return cls(
            offer_id=o.id, member_id=o.member_id, category=o.category, made_on=o.made_on,
            description=o.description, status=o.status,
        )  # fmt: skip


class Expired(BaseModel):
    """The requests that expired."""

    request_ids: list[UUID]


router = APIRouter(prefix=API, tags=["requests and offers"], dependencies=PROTECTED)


@router.post("/requests", status_code=status.HTTP_201_CREATED)
def take_request(body: NewRequest, antenne: AntenneDep, key: KeyDep) -> RequestView:
    """Take a member's request for help."""
    request_id = antenne.take_request(
        body.member_id, body.category, preferred_dates=body.preferred_dates, language=body.language,
        description=body.description, idempotency_key=key,
    )  # fmt: skip
    return RequestView.of(antenne.get_request(request_id))


@router.get("/requests")
def list_requests(
    antenne: AntenneDep,
    page: PageDep,
    status: RequestStatus | None = None,
    category: Category | None = None,
    member_id: UUID | None = None,
    sector: str | None = None,
) -> Page[RequestView]:
    """Help requests in the order taken, filtered and paginated."""
    where = RequestFilter(status=status, category=category, member_id=member_id, sector=sector)
    return Page.of([RequestView.of(r) for r in antenne.requests(where)], page)


@router.post("/requests/expire-stale")
def expire_stale_requests(antenne: AntenneDep) -> Expired:
    """Expire waiting requests whose every preferred date has passed."""
    return Expired(request_ids=antenne.expire_stale_requests())


@router.get("/requests/{request_id}")
def get_request(request_id: UUID, antenne: AntenneDep) -> RequestView:
    """One help request."""
    return RequestView.of(antenne.get_request(request_id))


@router.get("/requests/{request_id}/suggestions")
def suggest_helpers(
    request_id: UUID, antenne: AntenneDep, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> list[SuggestionView]:
    """Candidate helpers ranked by category, language, sector, availability and reciprocity, with reasons."""
    return [SuggestionView.of(s) for s in antenne.suggestions(request_id, limit)]


@router.post("/requests/{request_id}/proposal")
def propose_helper(request_id: UUID, body: Helper, antenne: AntenneDep, key: KeyDep) -> RequestView:
    """A coordinator proposes a helper; the helper then accepts or declines."""
    antenne.propose_helper(request_id, body.helper_id, idempotency_key=key)
    return RequestView.of(antenne.get_request(request_id))


@router.post("/requests/{request_id}/acceptance")
def accept_match(request_id: UUID, body: Helper, antenne: AntenneDep, key: KeyDep) -> RequestView:
    """The proposed helper accepts: the request is matched."""
    antenne.accept_match(request_id, body.helper_id, idempotency_key=key)
    return RequestView.of(antenne.get_request(request_id))


@router.post("/requests/{request_id}/refusal")
def decline_match(request_id: UUID, body: Helper, antenne: AntenneDep, key: KeyDep) -> RequestView:
    """The proposed helper declines: the request is open again."""
    antenne.decline_match(request_id, body.helper_id, idempotency_key=key)
    return RequestView.of(antenne.get_request(request_id))


@router.post("/requests/{request_id}/cancellation")
def cancel_request(request_id: UUID, antenne: AntenneDep, key: KeyDep) -> RequestView:
    """The member or a coordinator withdraws the request."""
    antenne.cancel_request(request_id, idempotency_key=key)
    return RequestView.of(antenne.get_request(request_id))


@router.post("/offers", status_code=status.HTTP_201_CREATED)
def make_offer(body: NewOffer, antenne: AntenneDep, key: KeyDep) -> OfferView:
    """Record what a member offers to do for others."""
    offer_id = antenne.make_offer(
        body.member_id, body.category, description=body.description, idempotency_key=key
    )
    return OfferView.of(antenne.get_offer(offer_id))


@router.get("/offers")
def list_offers(
    antenne: AntenneDep, page: PageDep, category: Category | None = None, open_only: bool = True
) -> Page[OfferView]:
    """Offers in the order made, filtered and paginated."""
    return Page.of([OfferView.of(o) for o in antenne.offers(category, open_only)], page)


@router.post("/offers/{offer_id}/withdrawal")
def withdraw_offer(offer_id: UUID, antenne: AntenneDep, key: KeyDep) -> OfferView:
    """The member no longer offers this."""
    antenne.withdraw_offer(offer_id, idempotency_key=key)
    return OfferView.of(antenne.get_offer(offer_id))

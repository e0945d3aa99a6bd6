"""Health without the token: the process answers and says whether its events flow."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.antenne.api.deps import RelayDep
from services.antenne.api.portable import LedgerViewDep, LedgerViewReport
from services.messaging.consumer import ChainConsumer
from services.messaging.report import ConsumerReport, RelayReport


class Health(BaseModel):
    """The process answers; the relay's status says whether events flow."""

    status: str
    antenne_id: str
    relay: RelayReport
    ledger: LedgerViewReport = Field(description="The last known decisions of the ledger, and their age.")
    ledger_consumer: ConsumerReport = Field(description="The consumer of the ledger's decisions.")


health_router = APIRouter()


@health_router.get("/healthz", tags=["health"])
def health(request: Request, relay: RelayDep, view: LedgerViewDep) -> Health:
    """Liveness, with the relay's status and how fresh the ledger's feedback is (no token needed)."""
    consumer: ChainConsumer = request.app.state.ledger_consumer
    return Health(
        status="ok",
        antenne_id=relay.antenne_id,
        relay=RelayReport.of(relay.current_status()),
        ledger=LedgerViewReport.of(view.summary(), datetime.now(UTC)),
        ledger_consumer=ConsumerReport.of(consumer.status),
    )

"""Reporting's JSON API: the summary behind the token, health without it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.auth import Role, allow, authenticate
from services.messaging.report import ConsumerReport, StatusDep
from services.reporting.projection import Figures, Summary, total
from services.reporting.views import SummaryView


def get_view(request: Request) -> SummaryView:
    """The summary view built by the app's lifespan."""
    view: SummaryView = request.app.state.view
    return view


ViewDep = Annotated[SummaryView, Depends(get_view)]


class FiguresReport(BaseModel):
    """Counts for an antenne or the whole federation; time in quarter hours."""

    members: int = Field(description="Members registered.")
    exchanges_recorded: int = Field(description="Exchanges recorded by a coordinator.")
    exchanges_confirmed: int = Field(description="Exchanges confirmed.")
    quarters_confirmed: int = Field(description="Time given in confirmed exchanges, in quarter hours.")

    @classmethod
    def of(cls, figures: Figures) -> FiguresReport:
        """The figures as a response body."""
        return cls(**figures.as_dict())


class SummaryReport(BaseModel):
    """Figures per antenne and their totals for the federation."""

    antennes: dict[str, FiguresReport] = Field(description="Antenne id -> its figures.")
    federation: FiguresReport = Field(description="The sum over all antennes.")

    @classmethod
    def of(cls, summary: Summary) -> SummaryReport:
        """The summary with its totals."""
        return cls(
            antennes={antenne_id: FiguresReport.of(figures) for antenne_id, figures in summary.items()},
            federation=FiguresReport.of(total(summary.values())),
        )


class Health(BaseModel):
    """The process answers; the consumer's status says whether events flow."""

    status: str
    consumer: ConsumerReport


# Figures only, no person in them: everyone but a member (who has their own statement) may read them.
FOR_FIGURES = allow(Role.SERVICE, Role.PROJECT_COORDINATOR, Role.LOCAL_LEAD, Role.COORDINATOR, Role.PARTNER)
router = APIRouter(prefix="/api/v1", dependencies=[Depends(authenticate), FOR_FIGURES])
health_router = APIRouter()


@router.get("/reports/summary", tags=["reports"])
def get_summary(view: ViewDep) -> SummaryReport:
    """Members, exchanges and confirmed quarter hours per antenne, with the federation's totals."""
    return SummaryReport.of(view.summary())


@health_router.get("/healthz", tags=["health"])
def get_health(status: StatusDep) -> Health:
    """Reporting is up (no token needed); includes the consumer's status."""
    return Health(status="ok", consumer=ConsumerReport.of(status))

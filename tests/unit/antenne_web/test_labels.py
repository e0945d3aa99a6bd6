"""Every value of the domain the pages show has words in the catalogues; suggestion reasons are translated."""

from __future__ import annotations

from enum import StrEnum

import pytest

from contracts.antenne.v1 import ActivityKind, Category, GrantReason, MemberStatus
from services.antenne.domain.donations import DonationStatus
from services.antenne.domain.postings import PostingKind
from services.antenne.domain.requests import RequestStatus
from services.antenne.domain.rules import GIFT_RULES, RULES, Action
from services.antenne.domain.timebank import ExchangeStatus
from services.antenne.web import labels
from services.web import gettext_for


@pytest.mark.parametrize(
    ("enum", "table"),
    [
        (Category, labels.CATEGORIES),
        (ExchangeStatus, labels.EXCHANGE_STATUSES),
        (RequestStatus, labels.REQUEST_STATUSES),
        (MemberStatus, labels.MEMBER_STATUSES),
        (DonationStatus, labels.DONATION_STATUSES),
        (PostingKind, labels.POSTINGS),
        (GrantReason, labels.GRANT_REASONS),
        (ActivityKind, labels.ACTIVITIES),
    ],
)
def test_every_value_has_words(enum: type[StrEnum], table: dict[StrEnum, str]) -> None:
    assert set(enum) <= set(table)


def test_every_rule_of_the_abuse_guard_is_explained() -> None:
    holding = [rule.name for rule in RULES if rule.action is not Action.REFUSE]
    assert {*holding, *(rule.name for rule in GIFT_RULES)} <= set(labels.HOLD_RULES)


@pytest.mark.parametrize(
    ("domain_says", "french"),
    [
        ("offers small_jobs", "offre : Petits travaux"),
        ("speaks nl", "parle néerlandais"),
        ("lives in sector Centrum", "habite le secteur Centrum"),
        ("available on a preferred day", "est libre un jour souhaité"),
        ("received 4 quarters more than given", "a reçu plus que donné"),
        ("already gave 20 quarters more than received", "a déjà beaucoup donné"),
    ],
)
def test_suggestion_reasons_are_translated(domain_says: str, french: str) -> None:
    assert labels.reason(domain_says, gettext_for("fr")) == french

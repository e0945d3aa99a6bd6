"""Pure: the anonymised feed messages of one partner for one ISO week, from the report records.

A week is published once it is over (plus a grace for late deliveries), never while it runs: the moment
of publication must not tell a partner when help happened. Only exchanges between two members who
consent to alliance sharing are shared; a reversed exchange is not, and one reversed after its week was
shared is withdrawn with the week the reversal was recorded in. Week figures per antenne are published
only if they cover at least 5 consenting members, and each category's figures likewise.
Message ids are derived from what the message is about, so a message published again keeps its id.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from uuid import UUID, uuid5

from contracts.antenne.v1 import Category
from contracts.envelope import FeedEnvelope
from contracts.partner.v1 import (
    MIN_MEMBERS,
    CategoryFigures,
    ExchangeShared,
    ExchangeWithdrawn,
    WeekClosed,
    WeekFigures,
)
from services.reporting.partner.pseudonyms import pseudonym

if TYPE_CHECKING:
    from collections.abc import Iterable

    from contracts.base import Contract
    from services.reporting.partner.pseudonyms import PartnerKey
    from services.reporting.records import Record, Records

FEED_ID_NAMESPACE = UUID("2b0b6c0e-5a55-4d6e-9a0e-6f7d1c3e8a41")
GRACE_DAYS = 2


def monday_of(week: str) -> date:
    """The Monday of an ISO week `YYYY-Www`."""
    return date.fromisocalendar(int(week[:4]), int(week[6:]), 1)


def weeks_ready(records: dict[str, Records], today: date, grace_days: int = GRACE_DAYS) -> list[str]:
    """Weeks with help in them that ended at least `grace_days` before today, oldest first."""
    exchanges = [
        r for antenne in records.values() for key, r in antenne.items() if key.startswith("exchange:")
    ]
    weeks = {r["week"] for r in exchanges} | {r["reversed_week"] for r in exchanges if r.get("reversed_week")}
    return sorted(w for w in weeks if monday_of(w) + timedelta(days=7 + grace_days) <= today)


def week_messages(
    partner_id: str, key: PartnerKey, records: dict[str, Records], week: str
) -> list[FeedEnvelope]:
    """Every message of one week for one partner: shared exchanges, week figures, and the week's close."""
    messages: list[FeedEnvelope] = []
    suppressed = []
    shared_count = 0
    for antenne_id, antenne in sorted(records.items()):
        shared = list(_shared_exchanges(antenne, week))
        shared_count += len(shared)
        for exchange_id, exchange in shared:
            payload = _exchange_shared(partner_id, key, antenne_id, exchange)
            messages.append(_envelope(partner_id, week, payload, f"exchange/{exchange_id}"))
        figures = _week_figures(antenne_id, week, [exchange for _, exchange in shared])
        if figures is None:
            suppressed.append(antenne_id)
        else:
            messages.append(_envelope(partner_id, week, figures, f"figures/{antenne_id}"))
    withdrawn = list(_withdrawn_exchanges(records, week))
    for exchange_id, exchange in withdrawn:
        withdrawal = ExchangeWithdrawn(
            week=week,
            shared_week=exchange["week"],
            message_id=_message_id(partner_id, exchange["week"], f"exchange/{exchange_id}"),
        )
        messages.append(_envelope(partner_id, week, withdrawal, f"withdrawn/{exchange_id}"))
    closed = WeekClosed(
        week=week,
        exchanges_shared=shared_count,
        exchanges_withdrawn=len(withdrawn),
        antennes_suppressed=suppressed,
    )
    messages.append(_envelope(partner_id, week, closed, "closed"))
    return messages


def _shared_exchanges(antenne: Records, week: str) -> Iterable[tuple[str, Record]]:
    for key, exchange in sorted(antenne.items()):
        if not key.startswith("exchange:") or exchange["week"] != week or exchange.get("reversed"):
            continue
        if _consents(antenne, exchange["helper"]) and _consents(antenne, exchange["recipient"]):
            yield key.removeprefix("exchange:"), exchange


def _withdrawn_exchanges(records: dict[str, Records], week: str) -> Iterable[tuple[str, Record]]:
    """Help of an earlier week undone during this one (whoever took part: the message id says nothing)."""
    for _, antenne in sorted(records.items()):
        for key, exchange in sorted(antenne.items()):
            if (
                key.startswith("exchange:")
                and exchange.get("reversed_week") == week
                and exchange["week"] < week
            ):
                yield key.removeprefix("exchange:"), exchange


def _consents(antenne: Records, member_id: str) -> bool:
    member = antenne.get(f"member:{member_id}")
    return bool(member and member["shares"])


def _exchange_shared(partner_id: str, key: PartnerKey, antenne_id: str, exchange: Record) -> ExchangeShared:
    return ExchangeShared(
        key_id=key.key_id,
        helper=pseudonym(key, partner_id, exchange["helper"]),
        recipient=pseudonym(key, partner_id, exchange["recipient"]),
        antenne=antenne_id,
        week=exchange["week"],
        category=Category(exchange["category"]),
        quarters=exchange["quarters"],
    )


def _week_figures(antenne_id: str, week: str, exchanges: list[Record]) -> WeekFigures | None:
    members = _members(exchanges)
    if len(members) < MIN_MEMBERS:
        return None
    by_category: dict[str, list[Record]] = defaultdict(list)
    for exchange in exchanges:
        by_category[exchange["category"]].append(exchange)
    categories = [
        CategoryFigures(
            category=Category(category),
            exchanges=len(group),
            quarters=sum(e["quarters"] for e in group),
            members=len(_members(group)),
        )
        for category, group in sorted(by_category.items())
        if len(_members(group)) >= MIN_MEMBERS
    ]
    return WeekFigures(
        antenne=antenne_id,
        week=week,
        exchanges=len(exchanges),
        quarters=sum(e["quarters"] for e in exchanges),
        members=len(members),
        categories=categories,
        categories_suppressed=len(by_category) - len(categories),
    )


def _members(exchanges: list[Record]) -> set[str]:
    return {e["helper"] for e in exchanges} | {e["recipient"] for e in exchanges}


def _message_id(partner_id: str, week: str, about: str) -> UUID:
    return uuid5(FEED_ID_NAMESPACE, f"{partner_id}/{week}/{about}")


def _envelope(partner_id: str, week: str, payload: Contract, about: str) -> FeedEnvelope:
    return FeedEnvelope(
        id=_message_id(partner_id, week, about),
        source=f"/partners/{partner_id}/feed",
        type=payload.TYPE,
        time=datetime.combine(monday_of(week), time(0), tzinfo=UTC),
        subject=week,
        schemaversion=payload.VERSION,
        partnerid=partner_id,
        data=payload.model_dump(mode="json"),
    )

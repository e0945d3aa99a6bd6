"""Pure: the small records each antenne event writes, from which every monthly report table is computed.

An event reads at most a few records of its antenne (through `Lookup`) and returns the ones it changes;
the view store writes them with the antenne's position in one transaction (invariant 2). Records are
plain JSON values, so that the in-memory, SQLite and PostgreSQL views hold exactly the same thing and a
rebuilt view can be compared with the live one record by record (invariant 7).

Keys: `member:<id>`, `request:<id>`, `exchange:<id>`, `activity:<id>`, `month:<YYYY-MM>`.
"""

from __future__ import annotations

from datetime import date
from functools import singledispatch
from typing import TYPE_CHECKING, Any

from contracts.antenne.v1 import (
    ActivityHeld,
    AttendanceRecorded,
    DonationApproved,
    DonationMade,
    ExchangeConfirmed,
    ExchangeReversed,
    GrantReason,
    HelpRequestClosed,
    HelpRequestMatched,
    HelpRequestOpened,
    MemberConsentsChanged,
    MemberMovedIn,
    MemberMovedOut,
    MemberProfileUpdated,
    MemberRegistered,
    MemberStatusChanged,
    PoolGranted,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from contracts.base import Contract

Record = dict[str, Any]
Writes = dict[str, Record]
Records = dict[str, Record]
"""Key -> record, for one antenne."""


def month_of(day: date) -> str:
    """`YYYY-MM`, the month a day is counted in."""
    return f"{day.year:04d}-{day.month:02d}"


def week_of(day: date) -> str:
    """`YYYY-Www`, the ISO week of a day: the finest time partners see."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def updates_for(payload: Contract, read: Callable[[str], Record | None], occurred_on: date) -> Writes:
    """The records an event changes, read through `read`; `occurred_on` dates events that carry no day."""
    return _updates(payload, _Reader(read, {}), occurred_on)


class _Reader:
    """Reads a record once and keeps the copy that is being changed, so two changes to one key add up."""

    def __init__(self, read: Callable[[str], Record | None], writes: Writes) -> None:
        self._read = read
        self.writes = writes

    def get(self, key: str) -> Record | None:
        if key not in self.writes:
            found = self._read(key)
            if found is None:
                return None
            self.writes[key] = _copy(found)
        return self.writes[key]

    def get_or(self, key: str, default: Record) -> Record:
        return self.get(key) or self.writes.setdefault(key, default)

    def month(self, day: date) -> Record:
        return self.get_or(f"month:{month_of(day)}", {})


def _copy(record: Record) -> Record:
    # Records are one or two levels deep: the nested counters are copied so the caller's stays intact.
    return {
        k: dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v
        for k, v in record.items()
    }


def _add(counters: Record, name: str, amount: int = 1) -> None:
    counters[name] = counters.get(name, 0) + amount


@singledispatch
def _updates(payload: Contract, records: _Reader, occurred_on: date) -> Writes:
    return records.writes  # events that no report counts


@_updates.register
def _registered(payload: MemberRegistered, records: _Reader, occurred_on: date) -> Writes:
    records.writes[f"member:{payload.member_id}"] = {
        "joined": payload.registered_on.isoformat(),
        "languages": sorted(payload.languages),
        "isolated": payload.isolated,
        "shares": payload.shares_with_alliance,
        "status": [],
        "gave": {},
        "received": {},
        "attended": {},
    }
    return records.writes


@_updates.register
def _moved_in(payload: MemberMovedIn, records: _Reader, occurred_on: date) -> Writes:
    # The profile came directly from the old antenne; here the member counts from the day they arrived.
    member = records.get_or(f"member:{payload.member_id}", _unknown_member(payload.moved_on))
    member["joined"] = payload.moved_on.isoformat()
    return records.writes


def _unknown_member(joined: date) -> Record:
    return {"joined": joined.isoformat(), "languages": [], "isolated": False, "shares": False,
            "status": [], "gave": {}, "received": {}, "attended": {}}  # fmt: skip


@_updates.register
def _moved_out(payload: MemberMovedOut, records: _Reader, occurred_on: date) -> Writes:
    # From the day they moved they count at their new antenne, no longer here.
    member = records.get(f"member:{payload.member_id}")
    if member is not None:
        member["status"].append([payload.moved_on.isoformat(), "moved"])
    return records.writes


@_updates.register
def _profile_updated(payload: MemberProfileUpdated, records: _Reader, occurred_on: date) -> Writes:
    member = records.get(f"member:{payload.member_id}")
    if member is not None:
        member["languages"] = sorted(payload.languages)
        member["isolated"] = payload.isolated
    return records.writes


@_updates.register
def _consents_changed(payload: MemberConsentsChanged, records: _Reader, occurred_on: date) -> Writes:
    member = records.get(f"member:{payload.member_id}")
    if member is not None:
        member["shares"] = payload.shares_with_alliance
    return records.writes


@_updates.register
def _status_changed(payload: MemberStatusChanged, records: _Reader, occurred_on: date) -> Writes:
    member = records.get(f"member:{payload.member_id}")
    if member is not None:
        member["status"].append([payload.changed_on.isoformat(), str(payload.status)])
    return records.writes


@_updates.register
def _request_opened(payload: HelpRequestOpened, records: _Reader, occurred_on: date) -> Writes:
    records.writes[f"request:{payload.request_id}"] = {
        "opened": payload.opened_on.isoformat(),
        "category": str(payload.category),
        "matched": None,
    }
    return records.writes


@_updates.register
def _request_matched(payload: HelpRequestMatched, records: _Reader, occurred_on: date) -> Writes:
    request = records.get(f"request:{payload.request_id}")
    # A helper who accepts again after a declined proposal does not make the request matched twice.
    if request is not None and request["matched"] is None:
        request["matched"] = max(occurred_on.isoformat(), request["opened"])
    return records.writes


@_updates.register
def _request_closed(payload: HelpRequestClosed, records: _Reader, occurred_on: date) -> Writes:
    request = records.get(f"request:{payload.request_id}")
    if request is not None:
        request["outcome"] = str(payload.outcome)
    return records.writes


@_updates.register
def _exchange_confirmed(payload: ExchangeConfirmed, records: _Reader, occurred_on: date) -> Writes:
    month = month_of(payload.performed_on)
    records.writes[f"exchange:{payload.exchange_id}"] = {
        "helper": str(payload.helper_id),
        "recipient": str(payload.recipient_id),
        "quarters": payload.quarters,
        "category": str(payload.category),
        "month": month,
        "week": week_of(payload.performed_on),
    }
    _count_exchange(records, payload.exchange_id, 1)
    return records.writes


@_updates.register
def _exchange_reversed(payload: ExchangeReversed, records: _Reader, occurred_on: date) -> Writes:
    # Undone help no longer counts, in the month it was given: the figures match the ledger's net hours.
    exchange = records.get(f"exchange:{payload.exchange_id}")
    if exchange is not None:
        _count_exchange(records, payload.exchange_id, -1)
        exchange["reversed_week"] = week_of(occurred_on)  # the partner feed withdraws it that week
    return records.writes


def _count_exchange(records: _Reader, exchange_id: object, sign: int) -> None:
    exchange = records.get_or(f"exchange:{exchange_id}", {})
    month, category = exchange["month"], exchange["category"]
    counters = records.get_or(f"month:{month}", {})
    _add(counters, f"exchanges:{category}", sign)
    _add(counters, f"quarters:{category}", sign * exchange["quarters"])
    for role, side in (("gave", "helper"), ("received", "recipient")):
        member = records.get(f"member:{exchange[side]}")
        if member is not None:
            _add(member[role], month, sign)
            if member[role][month] == 0:
                del member[role][month]
    exchange["reversed"] = sign < 0


@_updates.register
def _donation_made(payload: DonationMade, records: _Reader, occurred_on: date) -> Writes:
    # A gift the abuse guard held counts once it is approved, when the quarters move.
    if not payload.flagged_by:
        _count_donation(records, payload.made_on, payload.quarters)
    return records.writes


@_updates.register
def _donation_approved(payload: DonationApproved, records: _Reader, occurred_on: date) -> Writes:
    _count_donation(records, payload.approved_on, payload.quarters)
    return records.writes


def _count_donation(records: _Reader, day: date, quarters: int) -> None:
    counters = records.month(day)
    _add(counters, "donations")
    _add(counters, "donated_quarters", quarters)


@_updates.register
def _pool_granted(payload: PoolGranted, records: _Reader, occurred_on: date) -> Writes:
    counters = records.month(payload.granted_on)
    _add(counters, "pool_grants")
    _add(counters, "pool_quarters", payload.quarters)
    # A grant for isolation is a coordinator noting the member as isolated, too.
    member = records.get(f"member:{payload.member_id}")
    if payload.reason == GrantReason.ISOLATION and member is not None:
        member["isolated"] = True
    return records.writes


@_updates.register
def _activity_held(payload: ActivityHeld, records: _Reader, occurred_on: date) -> Writes:
    records.writes[f"activity:{payload.activity_id}"] = {
        "kind": str(payload.kind),
        "held": payload.held_on.isoformat(),
    }
    _add(records.month(payload.held_on), f"{payload.kind}s")
    return records.writes


@_updates.register
def _attendance_recorded(payload: AttendanceRecorded, records: _Reader, occurred_on: date) -> Writes:
    activity = records.get(f"activity:{payload.activity_id}")
    if activity is None:
        return records.writes
    held = date.fromisoformat(activity["held"])
    _add(records.month(held), f"{activity['kind']}_attendance", len(payload.member_ids))
    for member_id in payload.member_ids:
        member = records.get(f"member:{member_id}")
        if member is not None:
            _add(member["attended"], month_of(held))
    return records.writes

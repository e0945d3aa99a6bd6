"""A member's rights over their data: erasure by crypto-shredding, and access (their own data export)."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any
from uuid import UUID

from services.antenne.application.base import AntenneBase
from services.antenne.domain import Member, MemberNotFoundError

log = logging.getLogger(__name__)


class PrivacyDesk(AntenneBase):
    """Erases a member's personal data; exports all the antenne keeps on a member."""

    def erase_member(self, member_id: UUID, erased_by: str) -> Member:
        """Destroy the member's key, then record who erased them and when (the record holds no data).

        The key goes first: should recording fail, the data is erased all the same, and a retry records it.
        Balances, postings and every count stay as they were: only what identifies the member is gone.
        """
        member = self._load(member_id, Member, MemberNotFoundError)
        self.subject_keys.destroy(member_id)  # their profile, notes, requests, offers, grants
        for exchange in self.exchanges(member_id):  # type: ignore[attr-defined]
            self.subject_keys.destroy(exchange.id)  # dispute and reversal notes on help they took part in
        member = self._load(member_id, Member, MemberNotFoundError)  # read again: now erased
        member.erase_personal_data(self.today(), erased_by)
        self._save_together(f"member {member_id}", member)
        log.info("personal data of member %s erased by %s", member_id, erased_by)  # the erasure register
        return member

    def export_member_data(self, member_id: UUID) -> dict[str, Any]:
        """Everything this antenne keeps on the member, as JSON-ready data (the right of access)."""
        member = self._load(member_id, Member, MemberNotFoundError)
        exchanges = [
            {
                "exchange_id": str(exchange.id),
                "role": "helper" if exchange.helper_id == member_id else "recipient",
                "quarters": exchange.quarters,
                "category": str(exchange.category),
                "performed_on": exchange.performed_on.isoformat(),
                "status": str(exchange.status),
            }
            for exchange in self.exchanges(member_id)  # type: ignore[attr-defined]
        ]
        return {
            "member_id": str(member.id),
            "number": member.number,
            "status": str(member.status),
            "registered_on": member.registered_on.isoformat(),
            "insured_on": member.insured_on.isoformat() if member.insured_on else None,
            "erased_on": member.erased_on.isoformat() if member.erased_on else None,
            "age_band": member.age_band,
            "personal": asdict(member.personal),
            "capacities": _plain(asdict(member.capacities)),
            "consents": asdict(member.consents),
            "balance_quarters": member.balance,
            "postings": [
                {
                    "booked_on": p.booked_on.isoformat(),
                    "source_id": str(p.source_id),
                    "kind": str(p.kind),
                    "quarters": p.quarters,
                }
                for p in member.postings
            ],
            "notes": [
                {"noted_on": n.noted_on.isoformat(), "author": n.author, "text": n.text} for n in member.notes
            ],
            "exchanges": exchanges,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value if value is None or isinstance(value, bool | int) else str(value)

"""A little demo data, entered through each antenne's own JSON API the way a coordinator would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import httpx


@dataclass(frozen=True)
class DemoExchange:
    helper: int  # index into the antenne's members
    recipient: int
    quarters: int
    category: str
    days_ago: int  # demo help is always recent, within any antenne's backdating limit
    confirmed: bool = True


DEMO_MEMBERS: dict[str, tuple[str, ...]] = {
    "neder-over-heembeek": ("Maria Peeters", "Jean Claes", "Fatima Benali"),
    "jette": ("Ahmed El Amrani", "Jeanine Dubois", "Luc Vermeulen"),
    "laken": ("Rosa Janssens", "Marc Lambert", "Aïcha Diallo"),
}

DEMO_EXCHANGES = (
    # Eight days ago or more: in a week that is over, so the partner feed publishes it at once.
    DemoExchange(helper=1, recipient=0, quarters=6, category="shopping", days_ago=10),
    DemoExchange(helper=2, recipient=1, quarters=4, category="digital", days_ago=8),
    DemoExchange(helper=0, recipient=2, quarters=8, category="company", days_ago=3, confirmed=False),
)


def seed_antenne(url: str, token: str, antenne_id: str) -> int:
    """Register the demo members and exchanges at one antenne; return the number of members."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=10.0) as client:
        members = [
            _created(client.post("/api/v1/members", json=_profile(name, index)), "member_id")
            for index, name in enumerate(DEMO_MEMBERS[antenne_id])
        ]
        for exchange in DEMO_EXCHANGES:
            body = {
                "helper_id": members[exchange.helper],
                "recipient_id": members[exchange.recipient],
                "quarters": exchange.quarters,
                "category": exchange.category,
                "performed_on": (date.today() - timedelta(days=exchange.days_ago)).isoformat(),
            }
            exchange_id = _created(client.post("/api/v1/exchanges", json=body), "exchange_id")
            if exchange.confirmed:
                client.post(f"/api/v1/exchanges/{exchange_id}/confirm").raise_for_status()
    return len(members)


def _profile(name: str, index: int) -> dict[str, object]:
    # They agreed to anonymised sharing with the alliance; the third was noted as isolated at intake.
    return {
        "display_name": name,
        "languages": [("nl", "fr", "ar")[index], "fr"] if index != 1 else ["fr"],
        "isolated": index == 2,
        "consents": {"alliance_sharing": True},
    }


def _created(response: httpx.Response, key: str) -> str:
    response.raise_for_status()
    value: str = response.json()[key]
    return value

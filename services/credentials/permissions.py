"""Who may publish and subscribe on which NATS subjects: the federation's rules, as data.

One account, FEDERATION, holds the JetStream streams, the antennes and the central services. Each
antenne publishes only on its own subjects and reads only its own inbox (its relay connects with the
inbox prefix `_INBOX.<antenne_id>`), so it can neither speak for another antenne nor read what others
receive. Ledger and reporting read every antenne's events through durable pull consumers and park what
they cannot apply. Each alliance partner has an account of its own that imports only its anonymised
subjects, `partner.<partner_id>.>`: raw antenne subjects do not exist there, and its user may not even ask.
For alliance clearing a partner also publishes its transfers and answers on `alliance.<partner>.requests.>`
(exported to the federation, where the ledger's stream keeps them) and reads the ledger's decisions on
`alliance.<partner>.decisions.>` (exported to it alone); no partner sees another's.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.subjects import (
    ALLIANCE_DECISIONS_STREAM,
    ALLIANCE_REQUESTS_STREAM,
    ANTENNE_STREAM,
    DEADLETTER_STREAM,
    check_antenne_id,
)

FEDERATION_ACCOUNT = "FEDERATION"
ADMIN_USER = "admin"
FEED_USER = "partner-feed"
CENTRAL_USERS = ("ledger", "reporting")


@dataclass(frozen=True)
class Permissions:
    """Allow lists for one user; anything not listed is refused by the server."""

    publish: tuple[str, ...]
    subscribe: tuple[str, ...]


def antenne_user(antenne_id: str) -> str:
    """The NATS user name of an antenne."""
    return f"antenne-{check_antenne_id(antenne_id)}"


def partner_user(partner_id: str) -> str:
    """The NATS user name of an alliance partner."""
    return f"partner-{check_antenne_id(partner_id)}"


def partner_account(partner_id: str) -> str:
    """The account of an alliance partner."""
    return "PARTNER_" + check_antenne_id(partner_id).upper().replace("-", "_")


def partner_subjects(partner_id: str) -> str:
    """The anonymised feed meant for one partner."""
    return f"partner.{check_antenne_id(partner_id)}.>"


def antenne_inbox_prefix(antenne_id: str) -> str:
    """The inbox prefix an antenne's connections use: replies to it land where only it may read."""
    return f"_INBOX.{check_antenne_id(antenne_id)}"


def antenne_permissions(antenne_id: str) -> Permissions:
    """Publish its own events (and ask whether the streams exist); read its own replies only."""
    return Permissions(
        publish=(
            f"bp.{check_antenne_id(antenne_id)}.>",
            f"$JS.API.STREAM.INFO.{ANTENNE_STREAM}",
            f"$JS.API.STREAM.INFO.{DEADLETTER_STREAM}",
        ),
        subscribe=(f"{antenne_inbox_prefix(antenne_id)}.>",),
    )


# Central services create the streams and their own consumers, pull and acknowledge, and park what they
# cannot apply; they never publish antenne events, delete or purge streams.
CENTRAL_PERMISSIONS = Permissions(
    publish=(
        "$JS.API.INFO",
        "$JS.API.STREAM.NAMES",
        "$JS.API.STREAM.INFO.*",
        f"$JS.API.STREAM.CREATE.{ANTENNE_STREAM}",
        f"$JS.API.STREAM.CREATE.{DEADLETTER_STREAM}",
        f"$JS.API.STREAM.MSG.GET.{ANTENNE_STREAM}",
        f"$JS.API.CONSUMER.*.{ANTENNE_STREAM}",
        f"$JS.API.CONSUMER.*.{ANTENNE_STREAM}.>",
        f"$JS.API.CONSUMER.*.*.{ANTENNE_STREAM}.>",  # MSG.NEXT, DURABLE.CREATE
        f"$JS.API.CONSUMER.*.{DEADLETTER_STREAM}",
        f"$JS.API.CONSUMER.*.{DEADLETTER_STREAM}.>",
        f"$JS.API.CONSUMER.*.*.{DEADLETTER_STREAM}.>",  # MSG.NEXT, DURABLE.CREATE
        f"$JS.ACK.{ANTENNE_STREAM}.>",
        f"$JS.ACK.{DEADLETTER_STREAM}.>",
        "deadletter.>",
    ),
    subscribe=("_INBOX.>", "bp.>", "deadletter.>"),
)

# The ledger also takes in partners' transfers from their stream and publishes its decisions for them.
LEDGER_PERMISSIONS = Permissions(
    publish=(
        *CENTRAL_PERMISSIONS.publish,
        f"$JS.API.STREAM.CREATE.{ALLIANCE_REQUESTS_STREAM}",
        f"$JS.API.STREAM.CREATE.{ALLIANCE_DECISIONS_STREAM}",
        f"$JS.API.STREAM.MSG.GET.{ALLIANCE_DECISIONS_STREAM}",
        f"$JS.API.CONSUMER.*.{ALLIANCE_REQUESTS_STREAM}",
        f"$JS.API.CONSUMER.*.{ALLIANCE_REQUESTS_STREAM}.>",
        f"$JS.API.CONSUMER.*.*.{ALLIANCE_REQUESTS_STREAM}.>",
        f"$JS.ACK.{ALLIANCE_REQUESTS_STREAM}.>",
        "alliance.*.decisions.>",
    ),
    subscribe=(*CENTRAL_PERMISSIONS.subscribe, "alliance.>"),
)

FEED_PERMISSIONS = Permissions(publish=("partner.>",), subscribe=("_INBOX.>",))


def alliance_requests(partner_id: str) -> str:
    """What a partner sends the ledger: its transfers and answers."""
    return f"alliance.{check_antenne_id(partner_id)}.requests.>"


def alliance_decisions(partner_id: str) -> str:
    """What the ledger decided for one partner."""
    return f"alliance.{check_antenne_id(partner_id)}.decisions.>"


def central_permissions(user: str) -> Permissions:
    """The ledger's or reporting's permissions."""
    return LEDGER_PERMISSIONS if user == "ledger" else CENTRAL_PERMISSIONS


def partner_permissions(partner_id: str) -> Permissions:
    """Read its own anonymised feed and the ledger's decisions for it; send only its own transfers."""
    return Permissions(
        publish=(alliance_requests(partner_id),),
        subscribe=(partner_subjects(partner_id), alliance_decisions(partner_id)),
    )

"""Who may publish and subscribe on which NATS subjects: the federation's rules, as data.

One account, FEDERATION, holds the JetStream streams, the antennes and the central services. Each
antenne publishes only on its own subjects and reads only its own inbox (its relay connects with the
inbox prefix `_INBOX.<antenne_id>`), so it can neither speak for another antenne nor read what others
receive. Ledger and reporting read every antenne's events through durable pull consumers and park what
they cannot apply. Each alliance partner has an account of its own that imports only its anonymised
subjects, `partner.<partner_id>.>`: raw antenne subjects do not exist there, and its user may not even ask.
The partner's account has JetStream of its own, so that it keeps its feed in a stream and reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.subjects import ANTENNE_STREAM, DEADLETTER_STREAM, PARTNER_STREAM, check_antenne_id

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
        f"$JS.API.STREAM.CREATE.{PARTNER_STREAM}",
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

# The feed publisher writes the partners' subjects into their stream and reads back the last week it closed.
FEED_PERMISSIONS = Permissions(
    publish=(
        "partner.>",
        f"$JS.API.STREAM.INFO.{PARTNER_STREAM}",
        f"$JS.API.STREAM.MSG.GET.{PARTNER_STREAM}",
    ),
    subscribe=("_INBOX.>",),
)


def partner_permissions(partner_id: str) -> Permissions:
    """Subscribe to its own anonymised feed and keep it in a stream of its own account; publish nothing else.

    The JetStream API a partner may call is its own account's (its stream of the feed, its consumers): the
    federation's streams are in another account, out of its reach.
    """
    return Permissions(
        publish=("$JS.API.>", "$JS.FC.>", "$JS.ACK.>"),
        subscribe=(partner_subjects(partner_id), "_INBOX.>"),
    )

"""Who may publish and subscribe on which NATS subjects: the federation's rules, as data.

One account, FEDERATION, holds the JetStream streams, the antennes and the central services. Each
antenne publishes only on its own subjects and reads only its own inbox (its relay connects with the
inbox prefix `_INBOX.<antenne_id>`), so it can neither speak for another antenne nor read what others
receive. Ledger and reporting read every antenne's events through durable pull consumers and park what
they cannot apply. Only the ledger publishes its decisions, `ledger.<antenne_id>.>`; an antenne reads
them through one durable consumer whose filter is its own subjects: the server refuses a consumer on
another antenne's (the filter is part of the API subject it may publish to). Each alliance partner has
an account of its own that imports only its anonymised subjects, `partner.<partner_id>.>`: raw antenne
subjects do not exist there, and its user may not even ask.
For alliance clearing a partner also publishes its transfers and answers on `alliance.<partner>.requests.>`
(exported to the federation, where the ledger's stream keeps them) and reads the ledger's decisions on
`alliance.<partner>.decisions.>` (exported to it alone); no partner sees another's.
The partner's account has JetStream of its own, so that it keeps its feed in a stream and reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.subjects import (
    ALLIANCE_DECISIONS_STREAM,
    ALLIANCE_REQUESTS_STREAM,
    ANTENNE_STREAM,
    DEADLETTER_STREAM,
    LEDGER_STREAM,
    PARTNER_STREAM,
    check_antenne_id,
    deadletter_subject,
    ledger_subjects_of,
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


def antenne_feedback_durable(antenne_id: str) -> str:
    """The durable consumer through which an antenne reads the ledger's decisions about it."""
    return f"feedback-{check_antenne_id(antenne_id)}"


def antenne_permissions(antenne_id: str) -> Permissions:
    """Publish its own events (and ask whether the streams exist); read the ledger's decisions addressed
    to it through its own durable consumer; read its own replies only."""
    durable = antenne_feedback_durable(antenne_id)
    return Permissions(
        publish=(
            f"bp.{check_antenne_id(antenne_id)}.>",
            f"$JS.API.STREAM.INFO.{ANTENNE_STREAM}",
            f"$JS.API.STREAM.INFO.{DEADLETTER_STREAM}",
            f"$JS.API.STREAM.INFO.{LEDGER_STREAM}",
            # Creating the consumer names its filter in the subject: only its own ledger subjects.
            f"$JS.API.CONSUMER.CREATE.{LEDGER_STREAM}.{durable}.{ledger_subjects_of(antenne_id)}",
            f"$JS.API.CONSUMER.INFO.{LEDGER_STREAM}.{durable}",
            f"$JS.API.CONSUMER.MSG.NEXT.{LEDGER_STREAM}.{durable}",
            f"$JS.ACK.{LEDGER_STREAM}.{durable}.>",
            deadletter_subject(durable),  # a decision it cannot read is parked, never dropped
        ),
        subscribe=(f"{antenne_inbox_prefix(antenne_id)}.>",),
    )


# Central services create the streams and their own consumers, pull and acknowledge, and park what they
# cannot apply; they never publish antenne events, delete or purge streams.
_CENTRAL_PUBLISH = (
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
    f"$JS.API.STREAM.CREATE.{LEDGER_STREAM}",
    f"$JS.API.CONSUMER.*.{LEDGER_STREAM}",
    f"$JS.API.CONSUMER.*.{LEDGER_STREAM}.>",
    f"$JS.API.CONSUMER.*.*.{LEDGER_STREAM}.>",  # MSG.NEXT, DURABLE.CREATE
    f"$JS.ACK.{LEDGER_STREAM}.>",
    "deadletter.>",
)
_CENTRAL_SUBSCRIBE = ("_INBOX.>", "bp.>", "ledger.>", "deadletter.>")
CENTRAL_PERMISSIONS = Permissions(publish=_CENTRAL_PUBLISH, subscribe=_CENTRAL_SUBSCRIBE)
# The ledger alone publishes its decisions; it also takes in partners' transfers from their stream and
# publishes its decisions for them.
LEDGER_PERMISSIONS = Permissions(
    publish=(
        *_CENTRAL_PUBLISH,
        "ledger.>",
        f"$JS.API.STREAM.CREATE.{ALLIANCE_REQUESTS_STREAM}",
        f"$JS.API.STREAM.CREATE.{ALLIANCE_DECISIONS_STREAM}",
        f"$JS.API.STREAM.MSG.GET.{ALLIANCE_DECISIONS_STREAM}",
        f"$JS.API.CONSUMER.*.{ALLIANCE_REQUESTS_STREAM}",
        f"$JS.API.CONSUMER.*.{ALLIANCE_REQUESTS_STREAM}.>",
        f"$JS.API.CONSUMER.*.*.{ALLIANCE_REQUESTS_STREAM}.>",
        f"$JS.ACK.{ALLIANCE_REQUESTS_STREAM}.>",
        "alliance.*.decisions.>",
    ),
    subscribe=(*_CENTRAL_SUBSCRIBE, "alliance.>"),
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


def alliance_requests(partner_id: str) -> str:
    """What a partner sends the ledger: its transfers and answers."""
    return f"alliance.{check_antenne_id(partner_id)}.requests.>"


def alliance_decisions(partner_id: str) -> str:
    """What the ledger decided for one partner."""
    return f"alliance.{check_antenne_id(partner_id)}.decisions.>"


def central_permissions(user: str) -> Permissions:
    """What a central service's user may do."""
    return LEDGER_PERMISSIONS if user == "ledger" else CENTRAL_PERMISSIONS


def partner_permissions(partner_id: str) -> Permissions:
    """Subscribe to its own anonymised feed (kept in a stream of its own account) and to the ledger's
    decisions for it; publish only its own transfers and answers.

    The JetStream API a partner may call is its own account's (its stream of the feed, its consumers): the
    federation's streams are in another account, out of its reach.
    """
    return Permissions(
        publish=("$JS.API.>", "$JS.FC.>", "$JS.ACK.>", alliance_requests(partner_id)),
        subscribe=(partner_subjects(partner_id), alliance_decisions(partner_id), "_INBOX.>"),
    )

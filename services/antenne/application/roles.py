"""Who may do what at an antenne: the roles of the practice and the use cases each may call.

The general project coordinator (all antennes) may do what a local project lead may, and more; the
local lead what a coordinator-volunteer may, and more; a member may read their own record and confirm or
dispute help they received. Every use case is named once here, by its method name on `Antenne`.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.antenne.domain import AntenneError
from services.principals import Role

READ_OWN = frozenset(
    {"get_member", "get_balance", "get_statement", "get_portable_balance", "export_member_data"}
)
FOR_OWN_HELP = frozenset({"confirm_exchange", "dispute_exchange"})
# A member sends their own hours to another antenne, and answers what is sent to them.
FOR_OWN_TRANSFERS = frozenset({"ask_transfer", "accept_transfer", "reject_transfer"})
MEMBER = READ_OWN | FOR_OWN_HELP | FOR_OWN_TRANSFERS

COORDINATOR = MEMBER | frozenset({
    "register_member", "list_members", "get_member_by_number", "update_profile", "change_consents",
    "register_insurance", "change_status",
    "take_request", "list_requests", "get_request", "suggest_helpers", "propose_helper", "accept_match",
    "decline_match", "cancel_request", "expire_stale_requests",
    "make_offer", "list_offers", "withdraw_offer",
    "record_exchange", "list_exchanges", "get_exchange", "reject_exchange", "approve_exchange",
    "accept_overdue_exchanges", "enter_voucher", "enter_vouchers", "print_voucher_sheet",
    "donate", "list_donations", "get_donation", "use_donation", "approve_donation", "reject_donation",
    "return_expired_donations", "get_pool",
    "grant_from_pool",
    "hold_session", "list_activities", "get_activity", "record_attendance", "note_on_member",
    "notes_on_member", "list_ledger_flags",
    "ask_transfer", "list_transfers", "get_transfer", "accept_transfer", "reject_transfer",
})  # fmt: skip

# Corrections move credits after the fact: a lead decides them, not the volunteer at the desk.
# Erasure cannot be undone: a lead decides it too.
LOCAL_LEAD = COORDINATOR | frozenset(
    {"reverse_exchange", "hand_over_member", "receive_member", "import_members", "erase_member"}
)
PROJECT_COORDINATOR = LOCAL_LEAD


# The services' own token (operators' tools, the demo seeding) acts as a project coordinator would;
# an alliance partner sees only the anonymised feed, never an antenne's records.
MAY: dict[Role, frozenset[str]] = {
    Role.PROJECT_COORDINATOR: PROJECT_COORDINATOR,
    Role.LOCAL_LEAD: LOCAL_LEAD,
    Role.COORDINATOR: COORDINATOR,
    Role.MEMBER: MEMBER,
    Role.SERVICE: PROJECT_COORDINATOR,
    Role.PARTNER: frozenset(),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a role, and an id (a member's id when the role is member)."""

    role: Role
    actor_id: str


class NotAllowedError(AntenneError):
    """This role may not do this, or not for this member."""

    def __init__(self, actor: Actor, use_case: str) -> None:
        super().__init__(f"a {actor.role} ({actor.actor_id}) may not {use_case.replace('_', ' ')}")
        self.use_case = use_case


def authorise(actor: Actor, use_case: str, member_id: UUID | None = None) -> None:
    """Refuse unless `actor` may call `use_case`; a member only for themself (`member_id`)."""
    if use_case not in MAY[actor.role]:
        raise NotAllowedError(actor, use_case)
    if actor.role is Role.MEMBER and (member_id is None or str(member_id) != actor.actor_id):
        raise NotAllowedError(actor, f"{use_case} for another member")


__all__ = ["MAY", "Actor", "NotAllowedError", "Role", "authorise"]

"""Who acts: the roles of the practice and the principal a token stands for (no I/O, no web framework)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum

EVERY_ANTENNE = "*"


class Role(StrEnum):
    """The roles of the practice, plus the alliance's partners and the services themselves."""

    PROJECT_COORDINATOR = "project-coordinator"
    LOCAL_LEAD = "local-lead"
    COORDINATOR = "coordinator"
    MEMBER = "member"
    PARTNER = "partner"
    SERVICE = "service"


# Roles whose tokens may name every antenne; the others act in exactly one.
FEDERATION_WIDE = frozenset({Role.PROJECT_COORDINATOR, Role.PARTNER, Role.SERVICE})


@dataclass(frozen=True)
class Principal:
    """What a token stands for."""

    token_id: str
    role: Role
    actor_id: str
    antenne: str = EVERY_ANTENNE

    def may_act_in(self, antenne_id: str) -> bool:
        """Whether this principal may act in `antenne_id`."""
        return self.antenne in (EVERY_ANTENNE, antenne_id)


def service_principal(service: str) -> Principal:
    """The principal of a service's own token."""
    return Principal(token_id="service", role=Role.SERVICE, actor_id=f"service:{service}")


def check_scope(role: Role, antenne: str) -> None:
    """Refuse a scope that makes no sense: a local role for every antenne."""
    if antenne == EVERY_ANTENNE and role not in FEDERATION_WIDE:
        raise ValueError(f"a {role} acts in one antenne: name it")


# Who is acting in the current request (set by the API's authentication; None in background work such
# as the sweeps): every event stored meanwhile records it (services/antenne/shredding.py).
acting: ContextVar[Principal | None] = ContextVar("acting", default=None)


def actor_record(principal: Principal | None) -> dict[str, str]:
    """What an event records of who caused it."""
    if principal is None:
        return {"role": "system", "id": "system"}
    return {"role": str(principal.role), "id": principal.actor_id}

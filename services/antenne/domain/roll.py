"""The member roll: one antenne's member numbers, such as `JET-0042`, issued once each."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

MEMBER_ROLL_ID = uuid5(NAMESPACE_URL, "/antenne/member-roll")


class MemberRoll(Aggregate):
    """The antenne's list of member numbers: one aggregate, so two desks never issue the same number."""

    class Opened(Aggregate.Created):
        prefix: str

    class NumberIssued(Aggregate.Event):
        member_id: UUID
        number: str

    @classmethod
    def open(cls, prefix: str) -> MemberRoll:
        """The roll of an antenne whose numbers start with `prefix`, such as `JET`."""
        return cls._create(cls.Opened, prefix=prefix, id=MEMBER_ROLL_ID)

    @event(Opened)
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.numbers: dict[str, UUID] = {}

    def issue(self, member_id: UUID) -> str:
        """The next member number, such as `JET-0042`, given to `member_id`."""
        number = f"{self.prefix}-{len(self.numbers) + 1:04d}"
        self._number_issued(member_id=member_id, number=number)
        return number

    @event(NumberIssued)
    def _number_issued(self, member_id: UUID, number: str) -> None:
        self.numbers[number] = member_id

    def member_id(self, number: str) -> UUID | None:
        """The member who holds a number, if any."""
        return self.numbers.get(number.strip().upper())

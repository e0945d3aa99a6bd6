"""What every desk of the antenne application shares: settings, the clock, loading and saving."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper

from services.antenne.application.catalogue import Catalogue
from services.antenne.domain import (
    DEFAULT_AUTO_ACCEPT_DAYS,
    DEFAULT_BACKDATING_DAYS,
    DEFAULT_MAX_QUARTERS,
    AntenneError,
    ConflictError,
    NotFoundError,
)
from services.antenne.domain.donations import SolidarityPool
from services.antenne.domain.receipts import Receipt, receipt_id
from services.antenne.domain.roll import MemberRoll
from services.antenne.domain.rules import Guard
from services.antenne.shredding import PersonalDataMapper, subject_keys_for
from services.persistence import DateAsISO

if TYPE_CHECKING:
    from collections.abc import Callable

    from eventsourcing.domain import MutableOrImmutableAggregate
    from eventsourcing.persistence import Recording
    from eventsourcing.utils import EnvType

A = TypeVar("A", bound=Aggregate)
SNAPSHOT_INTERVAL = 100


class ConcurrentChangeError(ConflictError):
    """Someone else changed the same exchange or member at the same moment: nothing was saved."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} was changed by another request at the same moment: try again")


@dataclass(frozen=True)
class Practice:
    """How this antenne runs its timebank; every number is its own to choose."""

    member_prefix: str = "BP"
    antenne_id: str = "antenne"  # this antenne's id in the federation: the payer's side of its transfers
    max_quarters: int = DEFAULT_MAX_QUARTERS
    backdating_days: int = DEFAULT_BACKDATING_DAYS
    auto_accept_days: int = DEFAULT_AUTO_ACCEPT_DAYS
    # None: no abuse guard (library use, simulations); the service always builds one from its settings.
    guard: Guard | None = None


def id_for(key: str, scope: str) -> UUID:
    """The id a recording gets from its idempotency key: a retry names the same aggregate."""
    return uuid5(NAMESPACE_URL, f"/antenne/{scope}/{key}")


class AntenneBase(Application[UUID]):
    """The parts of the Antenne that its desks share."""

    name = "Antenne"  # table and env prefix (antenne_events, ANTENNE_...): fixed once
    # The roll and the pool take an event from every registration or gift: load them from a snapshot.
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        MemberRoll: SNAPSHOT_INTERVAL,
        SolidarityPool: SNAPSHOT_INTERVAL,
    }

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        practice: Practice | None = None,
        max_quarters: int | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(env)
        # Personal data is sealed per member in the events (crypto-shredding, decision 0011).
        self.subject_keys = subject_keys_for(self.recorder, self.env)
        assert isinstance(self.mapper, PersonalDataMapper)
        self.mapper.keys = self.subject_keys
        practice = practice or Practice()
        if max_quarters is not None:
            practice = Practice(**{**practice.__dict__, "max_quarters": max_quarters})
        self.practice = practice
        self.today = today
        self.catalogue = Catalogue(self.recorder)
        # Called after every save: the relay wakes up instead of waiting for its next poll.
        self.on_saved: list[Callable[[], None]] = []
        # Called after every save with the new notification ids, in the saving thread (traces).
        self.on_recorded: list[Callable[[list[int]], None]] = []
        # Exchange id -> (recorded on, what the guard's pattern rules count of it): the guard's window,
        # kept by the timebank; an aggregate saved again is forgotten (its status may have changed).
        self._guard_memory: dict[UUID, tuple[date, Any]] = {}
        self._guard_lock = threading.Lock()

    @property
    def max_quarters(self) -> int:
        """Largest exchange accepted without a coordinator's approval, in quarter hours."""
        return self.practice.max_quarters

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=PersonalDataMapper)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def _load(self, aggregate_id: UUID, kind: type[A], not_found: Callable[[UUID], NotFoundError]) -> A:
        try:
            aggregate: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise not_found(aggregate_id) from None
        if not isinstance(aggregate, kind):
            raise not_found(aggregate_id)
        return aggregate

    def _exists(self, aggregate_id: UUID) -> bool:
        # One stored event is enough to know; `id in repository` would load (replay) the whole aggregate.
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def _save_together(self, what: str, *aggregates: Aggregate, key: str | None = None) -> None:
        receipt = [Receipt.issue(key)] if key else []
        try:
            # One save, one transaction: every aggregate's new events and the receipt, or none.
            self.save(*aggregates, *receipt)
        except IntegrityError:
            raise ConcurrentChangeError(what) from None

    def already_recorded(self, key: str | None) -> bool:
        """A request with this idempotency key was recorded before: a retry does nothing."""
        return key is not None and self._exists(receipt_id(key))

    def transferred(self, member_id: UUID) -> int:
        """What transfers with other antennes add to the member's local balance for the guard (0013)."""
        return 0

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        with self._guard_lock:
            for recording in recordings:
                self._guard_memory.pop(recording.domain_event.originator_id, None)
        for listener in self.on_saved:
            listener()
        if self.on_recorded:
            positions = [recording.notification.id for recording in recordings]
            for recorded in self.on_recorded:
                recorded(positions)


__all__ = ["AntenneBase", "AntenneError", "ConcurrentChangeError", "DateAsISO", "Practice", "id_for"]

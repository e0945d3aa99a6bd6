"""The ids of every aggregate by kind, read from the notification log as it grows: the desk's lists."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder

SECTION = 1000


class Catalogue:
    """Which members, requests, offers and exchanges exist, in the order they were created."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self._recorder = recorder
        self._position = 0
        self._ids: dict[str, list[UUID]] = {}
        self._lock = threading.Lock()

    def ids(self, kind: str) -> list[UUID]:
        """Ids of the aggregates of class `kind` (such as `Member`), oldest first."""
        with self._lock:
            self._catch_up()
            return list(self._ids.get(kind, []))

    def _catch_up(self) -> None:
        # Only topics are read, never decoded: cheap enough to do before every list.
        while True:
            section = self._recorder.select_notifications(self._position + 1, SECTION)
            for notification in section:
                if notification.originator_version == 1:
                    kind = notification.topic.rsplit(":", 1)[-1].split(".")[0]
                    self._ids.setdefault(kind, []).append(UUID(str(notification.originator_id)))
                self._position = notification.id
            if len(section) < SECTION:
                return

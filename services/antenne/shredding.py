"""Crypto-shredding: the personal part and free text of stored events are sealed, each with its own key.

Events are never deleted, so erasure destroys the key instead (decision 0011). Each member (and each
aggregate with free text that names no member, such as an exchange's dispute note) gets a random
AES-256-GCM key in the antenne's own database, table `antenne_subject_keys`; the mapper seals an event's
`personal` mapping and `note` with it before the event is stored and opens them when the event is read.
Once the key is destroyed the sealed bytes are noise: the event still decodes, with every personal field
read as erased, while its facts (ids, amounts, dates) are untouched, so the ledger and every figure stay as
they were.

The associated data binds a sealed part to its place (originator id, version, field): it cannot be pasted
into another event. The optional whole-payload cipher of `eventsourcing` (`CIPHER_TOPIC`,
`CIPHER_KEY`) may still wrap the whole stored event on top of this (docs/decisions/0011).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import sqlite3
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from services.principals import acting, actor_record

if TYPE_CHECKING:
    from collections.abc import Mapping

    from eventsourcing.domain import DomainEventProtocol
    from eventsourcing.persistence import Recorder

log = logging.getLogger(__name__)

# What is sealed in an event: its `personal` mapping and its free-text `note`, under the key of the member
# the event names (`member_id`), else of the aggregate itself (an exchange's dispute note).
SEALED_FIELDS = ("personal", "note")
SEALED = "sealed"
ERASED = "[erased]"
# Fields that must stay text when erased (a name, a note, a description); other personal fields read None.
ERASED_AS_TEXT = frozenset({"display_name", "text", "description", "topic"})
TABLE = "antenne_subject_keys"
ACTOR = "_actor"


class ErasedError(Exception):
    """The subject's key was destroyed: nothing personal can be sealed for them again."""

    def __init__(self, subject_id: UUID) -> None:
        super().__init__(f"the personal data of {subject_id} was erased")
        self.subject_id = subject_id


class SubjectKeys(Protocol):
    """Where each subject's key lives, and the record of its destruction."""

    def key(self, subject_id: UUID, *, create: bool) -> bytes | None:
        """The subject's key; a new one when `create` and they have none; None once erased."""

    def destroy(self, subject_id: UUID) -> bool:
        """Destroy the subject's key for good; False when it was destroyed already."""

    def erased(self, subject_id: UUID) -> bool:
        """Whether the subject's key was destroyed."""


class _CachedKeys:
    """Keys read once per process; destruction goes to the database first, then drops the copy."""

    def __init__(self) -> None:
        self._cache: dict[UUID, bytes | None] = {}
        self._lock = threading.Lock()

    def key(self, subject_id: UUID, *, create: bool) -> bytes | None:
        if subject_id in self._cache:
            return self._cache[subject_id]
        with self._lock:
            found, erased = self._read(subject_id)
            if found is None and not erased and create:
                self._insert(subject_id, AESGCM.generate_key(bit_length=256))
                found, erased = self._read(subject_id)  # another process may have won: use its key
            if found is not None or erased:
                self._cache[subject_id] = found
            return found

    def destroy(self, subject_id: UUID) -> bool:
        with self._lock:
            _, erased = self._read(subject_id)
            if not erased:
                self._mark_erased(subject_id, datetime.now(UTC).isoformat(timespec="seconds"))
            self._cache[subject_id] = None
            return not erased

    def erased(self, subject_id: UUID) -> bool:
        return self._read(subject_id)[1]

    def _read(self, subject_id: UUID) -> tuple[bytes | None, bool]:
        raise NotImplementedError

    def _insert(self, subject_id: UUID, key: bytes) -> None:
        raise NotImplementedError

    def _mark_erased(self, subject_id: UUID, when: str) -> None:
        raise NotImplementedError


class MemoryKeys(_CachedKeys):
    """Keys for an antenne kept in memory (tests, `memory:` stores)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[UUID, tuple[bytes | None, str | None]] = {}

    def _read(self, subject_id: UUID) -> tuple[bytes | None, bool]:
        key, erased_at = self._rows.get(subject_id, (None, None))
        return key, erased_at is not None

    def _insert(self, subject_id: UUID, key: bytes) -> None:
        self._rows.setdefault(subject_id, (key, None))

    def _mark_erased(self, subject_id: UUID, when: str) -> None:
        self._rows[subject_id] = (None, when)


class SQLiteKeys(_CachedKeys):
    """Keys in the antenne's SQLite file, beside its events (own connections, short transactions)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path
        with self._connect() as db:
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (subject_id TEXT PRIMARY KEY, key BLOB, erased_at TEXT)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self._path, timeout=30, isolation_level=None)

    def _read(self, subject_id: UUID) -> tuple[bytes | None, bool]:
        with self._connect() as db:
            query = f"SELECT key, erased_at FROM {TABLE} WHERE subject_id = ?"
            row = db.execute(query, (str(subject_id),)).fetchone()
        return (None, False) if row is None else (row[0], row[1] is not None)

    def _insert(self, subject_id: UUID, key: bytes) -> None:
        with self._connect() as db:
            db.execute(
                f"INSERT INTO {TABLE} (subject_id, key) VALUES (?, ?) ON CONFLICT (subject_id) DO NOTHING",
                (str(subject_id), key),
            )

    def _mark_erased(self, subject_id: UUID, when: str) -> None:
        with self._connect() as db:
            # Overwrite the old key's bytes in the page, not just unlink them; then fold the log back.
            db.execute("PRAGMA secure_delete = ON")
            db.execute(
                f"INSERT INTO {TABLE} (subject_id, key, erased_at) VALUES (?, NULL, ?) "
                "ON CONFLICT (subject_id) DO UPDATE SET key = NULL, erased_at = excluded.erased_at",
                (str(subject_id), when),
            )
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")


class PostgresKeys(_CachedKeys):
    """Keys in the antenne's PostgreSQL database, through the event recorder's connection pool."""

    def __init__(self, datastore: Any) -> None:
        super().__init__()
        self._datastore = datastore
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (subject_id uuid PRIMARY KEY, key bytea, erased_at text)"
            )

    def _read(self, subject_id: UUID) -> tuple[bytes | None, bool]:
        with self._datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT key, erased_at FROM {TABLE} WHERE subject_id = %s", (subject_id,))
            row = cursor.fetchone()
        if row is None:
            return None, False
        key = row["key"]
        return (bytes(key) if key is not None else None), row["erased_at"] is not None

    def _insert(self, subject_id: UUID, key: bytes) -> None:
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (subject_id, key) VALUES (%s, %s) ON CONFLICT (subject_id) DO NOTHING",
                (subject_id, key),
            )

    def _mark_erased(self, subject_id: UUID, when: str) -> None:
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (subject_id, key, erased_at) VALUES (%s, NULL, %s) "
                "ON CONFLICT (subject_id) DO UPDATE SET key = NULL, erased_at = excluded.erased_at",
                (subject_id, when),
            )


def subject_keys_for(recorder: Recorder, env: Mapping[str, str]) -> SubjectKeys:
    """The key store beside the antenne's events, whichever database they are in."""
    module = env.get("PERSISTENCE_MODULE", "eventsourcing.popo")
    if module == "eventsourcing.sqlite":
        return SQLiteKeys(str(env.get("SQLITE_DBNAME")))
    if module == "eventsourcing.postgres":
        return PostgresKeys(recorder.datastore)  # type: ignore[attr-defined]
    return MemoryKeys()


class PersonalDataMapper(Mapper[UUID]):
    """A mapper that seals each event's `personal` part with its originator's key."""

    keys: SubjectKeys | None = None  # given by the application once its recorder exists

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        state = dict(vars(domain_event))
        # Who caused it: the principal of the request that saved it (decision 0011). Aggregates ignore
        # the extra key when they replay; `actor_of` reads it back.
        state.setdefault(ACTOR, actor_record(acting.get()))
        if self.keys is not None:
            subject = _subject(state, domain_event.originator_id)
            for name in SEALED_FIELDS:
                value = state.get(name)
                if isinstance(value, dict | str) and value:  # nothing to hide in an empty note
                    key = self.keys.key(subject, create=True)
                    if key is None:
                        raise ErasedError(subject)
                    state[name] = _seal(key, value, subject, _associated(domain_event, name))
        topic = get_topic(domain_event.__class__)
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        stored_state = self.transcoder.encode(state)
        if self.compressor:
            stored_state = self.compressor.compress(stored_state)
        if self.cipher:
            stored_state = self.cipher.encrypt(stored_state)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=topic,
            state=stored_state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        domain_event = super().to_domain_event(stored_event)
        for name in SEALED_FIELDS:
            sealed = getattr(domain_event, name, None)
            if isinstance(sealed, dict) and SEALED in sealed:
                domain_event.__dict__[name] = self._open(sealed, _associated(domain_event, name))
        return domain_event

    def _open(self, sealed: dict[str, Any], associated: bytes) -> Any:
        subject = UUID(sealed["subject"])
        key = self.keys.key(subject, create=False) if self.keys else None
        if key is not None:
            raw = base64.b64decode(sealed[SEALED])
            try:
                return json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], associated))
            except InvalidTag:
                log.error("a sealed part of %s does not open with its key: read as erased", subject)
        return erased(sealed["fields"]) if "fields" in sealed else ERASED


def actor_of(domain_event: object) -> dict[str, str] | None:
    """Who caused a stored event (`role`, `id`); None for events stored before actors were recorded."""
    actor: dict[str, str] | None = vars(domain_event).get(ACTOR)
    return actor


def erased(fields: list[str]) -> dict[str, Any]:
    """What a personal part reads once its key is gone."""
    return {name: ERASED if name in ERASED_AS_TEXT else None for name in fields}


def _subject(state: dict[str, Any], originator_id: UUID) -> UUID:
    """Whose key seals an event's free text: the member it is about, else the aggregate itself."""
    member_id = state.get("member_id")
    return member_id if isinstance(member_id, UUID) else originator_id


def _associated(domain_event: DomainEventProtocol[UUID], name: str) -> bytes:
    # Binds the sealed bytes to their place: they cannot be moved to another event or field.
    return f"{domain_event.originator_id}:{domain_event.originator_version}:{name}".encode()


def _seal(key: bytes, value: dict[str, Any] | str, subject: UUID, associated: bytes) -> dict[str, Any]:
    nonce = os.urandom(12)
    plain = json.dumps(value, separators=(",", ":")).encode()
    sealed: dict[str, Any] = {
        SEALED: base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plain, associated)).decode(),
        "subject": str(subject),
    }
    if isinstance(value, dict):
        # The field names are no personal data: they let an erased part read as the same shape.
        sealed["fields"] = sorted(value)
    return sealed


__all__ = ["ERASED", "ErasedError", "PersonalDataMapper", "SubjectKeys", "actor_of", "subject_keys_for"]

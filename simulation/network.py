"""The simulated JetStream: a stream that deduplicates by message id within a window of simulated time, and
durable consumers whose unacknowledged messages come back, in any order, as often as the network likes."""

from __future__ import annotations

from dataclasses import dataclass, field

DUPLICATE_WINDOW = 120.0  # simulated seconds, as JetStream's duplicate_window


@dataclass(frozen=True)
class Message:
    """One message as the stream holds it."""

    sequence: int
    msg_id: str
    data: bytes


@dataclass
class Stream:
    """Append-only; a publish with a message id seen within the window is acknowledged but not stored."""

    messages: list[Message] = field(default_factory=list)
    _seen: dict[str, float] = field(default_factory=dict)
    _next_sequence: int = 1

    def publish(self, msg_id: str, data: bytes, now: float) -> Message | None:
        """Store a message; None when it is a duplicate within the window."""
        seen_at = self._seen.get(msg_id)
        if seen_at is not None and now - seen_at < DUPLICATE_WINDOW:
            return None
        self._seen[msg_id] = now
        message = Message(self._next_sequence, msg_id, data)
        self._next_sequence += 1
        self.messages.append(message)
        return message

    def lose_tail(self, count: int) -> list[Message]:
        """Lose the newest messages, acknowledged or not, as a JetStream server can after a power failure."""
        lost, self.messages = (
            self.messages[len(self.messages) - count :],
            self.messages[: len(self.messages) - count],
        )
        for message in lost:
            self._seen.pop(message.msg_id, None)
        return lost


@dataclass
class Subscription:
    """A durable consumer's view of the stream: what it still has to acknowledge, and what it did."""

    seen: int = 0  # how many of the stream's messages were handed to `unacked`
    unacked: list[Message] = field(default_factory=list)
    acked: list[Message] = field(default_factory=list)

    def take_new(self, stream: Stream) -> None:
        """Messages the stream gained since the last look become pending for this consumer."""
        self.unacked.extend(stream.messages[self.seen :])
        self.seen = len(stream.messages)

    def forget_lost(self, lost: list[Message], stream: Stream) -> None:
        """The stream lost these: they will never be delivered (a republish brings them back)."""
        gone = {message.sequence for message in lost}
        self.unacked = [message for message in self.unacked if message.sequence not in gone]
        self.seen = min(self.seen, len(stream.messages))

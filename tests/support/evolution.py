"""A test-only version 2 of `member.registered`, to prove that old and new producers coexist.

Version 2 says where the member signed up (`channel`); readers upcast version 1, which an antenne not
yet upgraded still publishes, by filling in "permanence" (the walk-in desk, the only way in version 1).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from contracts import registry
from contracts.antenne.v1 import MemberRegistered
from contracts.upcasting import UPCASTERS

TYPE = MemberRegistered.TYPE


class MemberRegisteredV2(MemberRegistered):
    """Version 2: also where the member signed up."""

    VERSION: ClassVar[int] = 2

    channel: str


def member_registered_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Every version 1 member signed up at the permanence."""
    return {**data, "channel": "permanence"}


def install_member_registered_v2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make version 2 current for this test only, as an upgraded reader would have it."""
    monkeypatch.setitem(registry._BY_KEY, (TYPE, 2), MemberRegisteredV2)
    monkeypatch.setitem(UPCASTERS, (TYPE, 1), member_registered_v1_to_v2)

"""The base class of every integration event payload."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """A versioned integration event payload: frozen, readers ignore unknown fields.

    `TYPE` is `<aggregate>.<event>` (it also names the NATS subject); `VERSION` changes only on a
    breaking change, which gets a new module (`v2.py`) beside the old one.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    TYPE: ClassVar[str]
    VERSION: ClassVar[int]

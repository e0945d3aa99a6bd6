"""Schema evolution: old versions of a contract are turned into the current one when they are read.

An antenne that has not been upgraded yet keeps publishing the version it knows; every reader upgrades
what it reads, step by step, with the functions registered here, before the contract model validates
it (`Envelope.payload` calls `read_payload`). A version newer than any this reader knows cannot be
upcast: `contract_for` raises `UnknownContractError`, and the consumer parks the message on its
dead-letter subject with that reason, never dropping it, until the reader is upgraded and it is replayed.

A breaking change is made in three steps: add `vN+1.py` beside `vN.py` with its contract in the
registry, register `@upcaster(TYPE, N)` turning a vN `data` dict into a vN+1 one, and upgrade the
readers before the producers (a reader that knows vN+1 reads both; one that does not parks vN+1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contracts.registry import contract_for

if TYPE_CHECKING:
    from contracts.base import Contract

Data = dict[str, Any]
Upcaster = Callable[[Data], Data]

# (type, version) -> the function that turns that version's data into the next version's.
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


class DuplicateUpcasterError(ValueError):
    """Each (type, version) has one way up."""


def upcaster(type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a function that turns `data` of `type_name` version `from_version` into the next one."""

    def register(function: Upcaster) -> Upcaster:
        key = (type_name, from_version)
        if key in UPCASTERS:
            raise DuplicateUpcasterError(f"{type_name} v{from_version} already has an upcaster")
        UPCASTERS[key] = function
        return function

    return register


def upcast(type_name: str, version: int, data: Data) -> tuple[int, Data]:
    """The newest version reachable from `version`, and the data in that version (input untouched)."""
    while (step := UPCASTERS.get((type_name, version))) is not None:
        data = step(dict(data))
        version += 1
    return version, data


def read_payload(type_name: str, version: int, data: Data) -> Contract:
    """The payload in its current version; raises UnknownContractError or pydantic.ValidationError."""
    current, upcast_data = upcast(type_name, version, data)
    return contract_for(type_name, current).model_validate(upcast_data)

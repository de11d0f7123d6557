"""Seeded draws the company's generators share: ids, moments, weighted picks and RNG keys.

Every draw comes from a ``random.Random`` seeded by what it concerns, so the world depends only on
the seed and the calls made; the order of draws is part of the world and must not change.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from handoff.sandbox.kit.clock import to_ms

T = TypeVar("T")


def seeded_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment in ``[start, end)`` (``start`` if the span is empty), to the millisecond."""
    if end <= start:
        return to_ms(start)
    return to_ms(start + (end - start) * rng.random())


def weighted_choice(rng: random.Random, weights: Mapping[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def deal_amount(rng: random.Random) -> int:
    """What a deal is worth: a yearly subscription, $6,000 to $90,000 in hundreds."""
    return int(round(rng.uniform(6_000, 90_000), -2))


def moment_key(moment: datetime) -> str:
    """A moment as RNG keys name it, e.g. ``2026-11-30T13:45:07.250Z`` (UTC, milliseconds).

    Fixed forever: a different spelling would reseed, and so change, every simulated day.
    """
    return to_ms(moment).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def keyed_rng(*parts: object) -> random.Random:
    """An RNG seeded by what a draw concerns, e.g. ``("sim", 7, "hour", 3)``: the draws about one
    thing never shift when draws about another are added or removed."""
    return random.Random(":".join(map(str, parts)))

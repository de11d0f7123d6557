"""Each rep's persona: responsive, slow, or never responds, dealt from a seeded shuffle."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from handoff.sandbox.company.people import Rep
from handoff.sandbox.company.profiles import SimulationProfile

RESPONSIVE = "responsive"
SLOW = "slow"
NEVER = "never"


def deal_personas(
    reps: Sequence[Rep], profile: SimulationProfile, seed: int, overrides: Mapping[str, str]
) -> dict[str, str]:
    """Persona by rep id. The profile says how many reps never respond (from ``never_team``, if
    set) and how many are slow; ``overrides`` (by rep email or id) win."""
    rng = random.Random(f"sim:{seed}:personas")
    personas = {rep.id: RESPONSIVE for rep in reps}
    pool = [r for r in reps if profile.never_team in (None, r.team)]
    rng.shuffle(pool)
    never = pool[: profile.never_responds]
    for rep in never:
        personas[rep.id] = NEVER
    rest = [r for r in reps if r not in never]
    rng.shuffle(rest)
    for rep in rest[: profile.slow]:
        personas[rep.id] = SLOW
    by_email = {rep.email: rep.id for rep in reps}
    for key, persona in overrides.items():
        if persona not in (RESPONSIVE, SLOW, NEVER):
            raise ValueError(f"unknown persona {persona!r}")
        personas[by_email.get(key, key)] = persona
    return personas

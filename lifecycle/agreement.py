"""Do marketing, sales and handoff classify leads the same way? The playbooks' "20-lead test".

Both teams review the same 20–30 recent leads and say, for each, whether it is an MQL. Agreement
is the share of leads two raters classify alike; Cohen's kappa is that agreement beyond what two
raters guessing with the same leanings would reach by chance (1 = perfect, 0 = chance, below 0 =
worse than chance). A kappa below about 0.6 means the definition is not shared yet.

And the evidence a workshop needs to move thresholds: for the leads that became MQL and were
later won or disqualified, which rules had fired at the moment they became MQL, and each rule's
lift (how much likelier a lead it fired for was won than an MQL at large).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Agreement:
    """Two raters over the leads both classified."""

    leads: int
    agreed: int
    kappa: float | None

    @property
    def rate(self) -> float | None:
        return self.agreed / self.leads if self.leads else None


def agreement(pairs: Sequence[tuple[bool, bool]]) -> Agreement:
    """Agreement and Cohen's kappa of two raters' yes/no verdicts on the same leads. Kappa is None
    when chance agreement is already total (both raters gave one and the same answer to every
    lead): there is nothing beyond chance to measure."""
    total = len(pairs)
    if not total:
        return Agreement(0, 0, None)
    agreed = sum(1 for a, b in pairs if a == b)
    first_yes = sum(1 for a, _ in pairs if a) / total
    second_yes = sum(1 for _, b in pairs if b) / total
    chance = first_yes * second_yes + (1 - first_yes) * (1 - second_yes)
    observed = agreed / total
    kappa = None if chance == 1 else (observed - chance) / (1 - chance)
    return Agreement(total, agreed, kappa)


@dataclass(frozen=True, slots=True)
class RuleLift:
    """One rule among the MQLs later won or disqualified: how many of each it had fired for when
    they became MQL, and its lift (the won share where it fired over the won share of all)."""

    rule: str
    won: int
    disqualified: int
    lift: float | None


def rule_lift(mqls: Iterable[tuple[frozenset[str], bool]]) -> list[RuleLift]:
    """Each rule's lift over MQLs given as (rules fired at MQL, later won); most telling first."""
    fired_won: Counter[str] = Counter()
    fired_lost: Counter[str] = Counter()
    won = total = 0
    for rules, was_won in mqls:
        total += 1
        won += was_won
        (fired_won if was_won else fired_lost).update(rules)
    base = won / total if total else 0.0
    lifts = []
    for rule in sorted(set(fired_won) | set(fired_lost)):
        count = fired_won[rule] + fired_lost[rule]
        share = fired_won[rule] / count
        lifts.append(RuleLift(rule, fired_won[rule], fired_lost[rule], share / base if base else None))
    return sorted(lifts, key=lambda r: (-(r.lift or 0.0), -(r.won + r.disqualified), r.rule))

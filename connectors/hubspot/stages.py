"""The portal's lifecycle stages: HubSpot's defaults, and the custom ones an account added.

Since 2022 an account can add lifecycle stages (numeric internal values such as `1452450030`,
labels such as "Product Qualified Lead") and remove default ones. Their meaning for handoff is
the admin's to say (`HANDOFF_HUBSPOT_LIFECYCLE_STAGES`, label or value → handoff stage); their
order and the property that dates them are the portal's. A custom stage nobody mapped is never
guessed at: handoff reads it as "no stage of its own" and never writes over it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from handoff.config.vocabulary import CRM_OWNED_STAGES, Stage
from handoff.connectors.errors import ConfigurationError

# HubSpot's default lifecycle stages, in their forward order ("other" comes last).
DEFAULT_ORDER = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
# How handoff reads a default stage ("other" means nothing of its own: disqualified leads are
# written there, but a contact an admin put there is not necessarily disqualified).
DEFAULT_MEANINGS: dict[str, Stage] = {
    "subscriber": Stage.SUBSCRIBER,
    "lead": Stage.LEAD,
    "marketingqualifiedlead": Stage.MQL,
    "salesqualifiedlead": Stage.SQL,
    "opportunity": Stage.OPPORTUNITY,
    "customer": Stage.CUSTOMER,
    "evangelist": Stage.CUSTOMER,
}
# The default stage handoff sets for each of its stages.
DEFAULT_TARGETS: dict[Stage, str] = {
    Stage.SUBSCRIBER: "subscriber",
    Stage.LEAD: "lead",
    Stage.MQL: "marketingqualifiedlead",
    # HubSpot's "sales qualified lead" is a lead sales has accepted: handoff's SAL and SQL both.
    Stage.SAL: "salesqualifiedlead",
    Stage.SQL: "salesqualifiedlead",
    Stage.RECYCLED: "lead",
    Stage.DISQUALIFIED: "other",
}


@dataclass(frozen=True)
class StageOption:
    value: str
    label: str
    order: int


@dataclass(frozen=True)
class PortalStages:
    """The lifecycle stages of one portal, in its order, with what each means to handoff."""

    options: tuple[StageOption, ...]
    meanings: Mapping[str, Stage] = field(default_factory=dict)
    """Portal value → handoff stage, for every stage that has a meaning (defaults and mapped)."""

    @classmethod
    def default(cls) -> PortalStages:
        options = tuple(StageOption(value, value, rank) for rank, value in enumerate(DEFAULT_ORDER))
        return cls(options, dict(DEFAULT_MEANINGS))

    @classmethod
    def of(cls, options: Iterable[StageOption], mapped: Mapping[str, Stage]) -> PortalStages:
        """The portal's stages with the admin's map (keys are labels, any case, or values).

        A key naming no stage of the portal is refused with the portal's own stages listed, so a
        typo is seen at the first read and not as silence."""
        listed = tuple(sorted(options, key=lambda o: o.order))
        by_key = {o.value: o for o in listed} | {o.label.casefold(): o for o in listed}
        meanings = {o.value: DEFAULT_MEANINGS[o.value] for o in listed if o.value in DEFAULT_MEANINGS}
        for key, stage in mapped.items():
            option = by_key.get(key) or by_key.get(key.casefold())
            if option is None:
                known = ", ".join(f"{o.label!r} ({o.value})" for o in listed)
                raise ConfigurationError(
                    f"HANDOFF_HUBSPOT_LIFECYCLE_STAGES: {key!r} is not a lifecycle stage of this"
                    f" portal; its stages are {known}",
                    crm="hubspot",
                    operation="lifecycle_stages",
                )
            meanings[option.value] = stage
        return cls(listed, meanings)

    def meaning(self, value: str | None) -> Stage | None:
        return self.meanings.get(value or "")

    def is_custom(self, value: str | None) -> bool:
        return bool(value) and value not in DEFAULT_ORDER

    def label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)

    def unmapped(self, value: str | None) -> bool:
        """A custom stage nobody said the meaning of: handoff leaves such a contact's stage alone."""
        return self.is_custom(value) and value not in self.meanings

    def target(self, stage: Stage, current: str | None = None) -> str | None:
        """The value to set for a handoff stage: none when the contact already stands in a stage
        that means it (a mapped custom stage stays as the admin named it), the default stage when
        the portal has it, else the first of the portal's stages mapped to it. None for the
        stages the CRM owns (opportunity, customer), which handoff never sets."""
        if stage in CRM_OWNED_STAGES:
            return None
        if current and self.meanings.get(current) == stage:
            return current
        values = [o.value for o in self.options]
        default = DEFAULT_TARGETS.get(stage)
        if default in values:
            return default
        return next((o.value for o in self.options if self.meanings.get(o.value) == stage), None)

    def where_written(self, stage: Stage) -> str | None:
        """The value a contact handoff put at `stage` holds, when that can be known without a read:
        the one value handoff sets for it, unless a custom stage the admin mapped means the same
        (then the contact may stand in either, and only a read says which)."""
        value = self.target(stage)
        if value is None:
            return None
        same = {stage, self.meanings.get(value)}
        ambiguous = any(self.is_custom(o.value) and self.meanings.get(o.value) in same for o in self.options)
        return None if ambiguous else value

    def is_backward(self, current: str | None, target: str) -> bool:
        """Whether HubSpot would ignore a direct write (it only moves lifecycle stages forward, in
        the portal's order). A stage it does not list counts as backward: clearing first is safe."""
        if not current or current == target:
            return False
        rank = {o.value: o.order for o in self.options}
        if current not in rank or target not in rank:
            return True
        return rank[target] < rank[current]

    def date_property(self, value: str) -> str:
        """The property holding when the contact entered this stage."""
        if value in DEFAULT_ORDER:
            return f"hs_lifecyclestage_{value}_date"
        return f"hs_v2_date_entered_{value}"

    def date_properties(self) -> list[str]:
        return [self.date_property(o.value) for o in self.options]

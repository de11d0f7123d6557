"""How busy the world is and how the reps behave: the simulation's profiles."""

from __future__ import annotations

from dataclasses import dataclass

from handoff.sandbox.company import vocabulary as data


@dataclass(frozen=True)
class SimulationProfile:
    """How busy the world is and how the reps behave."""

    name: str
    arrivals_per_hour: float = 1.0
    demo_share: float = 0.12
    activity_per_hour: float = 6.0
    initial_demo_requests: int = 0
    burst_hours: float = 2.0
    never_responds: int = 1
    never_team: str | None = None
    slow: int = 3
    rejection_rate: float = 0.3
    reject_without_reason: float = 0.2
    three_of_four: float = 0.25
    opportunity_rate: float = 0.5
    close_rate: float = 0.7
    """Of the opportunities, how many close (the rest stay open); of those, `win_rate` are won."""
    win_rate: float = 0.4
    close_days: tuple[float, float] = (5.0, 30.0)
    """Days after the opportunity its deal closes."""
    outcome_hours: tuple[float, float] = (3.0, 16.0)
    """Working hours a responsive rep takes, after the first touch, to qualify or reject a lead."""


PROFILES: dict[str, SimulationProfile] = {
    "steady": SimulationProfile("steady"),
    "demo_day": SimulationProfile(
        "demo_day",
        arrivals_per_hour=2.5,
        demo_share=0.25,
        activity_per_hour=10.0,
        initial_demo_requests=4,
        burst_hours=2.0,
        never_responds=1,
        never_team=data.TEAM_NORTH_AMERICA,
        slow=2,
        outcome_hours=(1.0, 4.0),
    ),
    "quiet": SimulationProfile(
        "quiet", arrivals_per_hour=0.0, activity_per_hour=0.0, never_responds=0, slow=0
    ),
}

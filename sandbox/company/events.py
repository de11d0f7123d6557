"""What happens at the company, in no CRM's terms: the events a CRM renderer writes into its CRM.

Creations bring something new into the CRM (a team, a rep, a queue, a form, an account, a lead),
and the renderer answers with the CRM's id for it; activities happen to what the CRM already holds,
named by those ids (``lead``, ``rep``, ``task``). Moments are aware UTC, to the millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from handoff.sandbox.company.people import Person
from handoff.sandbox.company.terms import Channel, Evidence, FormField, Industry, LeadStatus, Stage
from handoff.sandbox.company.vocabulary import RepSeat

# -- creations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamFormed:
    """A sales team; ``number`` is the company's stable number for it."""

    at: datetime
    name: str
    number: int


@dataclass(frozen=True)
class RepJoined:
    """A rep takes a seat on a team. A rep has two numbers, as CRMs give a person a record and a
    login; ``left_at`` is set for a former rep, whose login is gone but whose records remain."""

    at: datetime
    seat: RepSeat
    team_id: str
    number: int
    user_number: int
    left_at: datetime | None = None


@dataclass(frozen=True)
class QueueOpened:
    """A queue that owns leads no rep has taken yet."""

    at: datetime
    name: str
    number: int


@dataclass(frozen=True)
class FormPublished:
    """A web form; a person's first submission makes them ``makes`` (a lead, or a subscriber)."""

    at: datetime
    key: str
    name: str
    fields: tuple[FormField, ...]
    makes: Stage


@dataclass(frozen=True)
class AccountOpened:
    """An account, imported from the company's books; ``owner`` is its account owner, if any."""

    at: datetime
    name: str
    domain: str
    website: str
    industry: Industry
    employees: int
    revenue: int
    country: str
    city: str
    stage: Stage
    owner: str | None


@dataclass(frozen=True)
class LeadImported:
    """A person imported from a list (an event, a purchased list): a lead without a form.

    ``country`` is as the person gave it (``None``: not at all); ``phone`` is empty when unknown.
    """

    at: datetime
    person: Person
    country: str | None
    phone: str
    channel: Channel


@dataclass(frozen=True)
class PageView:
    id: str
    at: datetime
    url: str
    referrer: str | None


@dataclass(frozen=True)
class LeadArrived:
    """A person fills in a web form, having ``browsed`` these pages first (a known email is
    the same lead again). ``channel`` is how they found the company, if anyone knows."""

    at: datetime
    person: Person
    form: str
    conversion_id: str
    page_url: str
    country: str | None
    phone: str = ""
    channel: Channel | None = None
    browsed: tuple[PageView, ...] = ()


# -- the leads' activities ----------------------------------------------------------------------


@dataclass(frozen=True)
class FormSubmitted:
    """A lead the CRM knows fills in another form."""

    at: datetime
    lead: str
    form: str
    conversion_id: str
    page_url: str


@dataclass(frozen=True)
class PagesViewed:
    """Page views of a lead. ``backfilled`` views are history the web analytics summarise
    separately (``BrowsingSummarised``); others move the lead's summary as they arrive."""

    lead: str
    views: tuple[PageView, ...]
    backfilled: bool = False


@dataclass(frozen=True)
class BrowsingSummarised:
    """The web analytics' summary of a lead's browsing history, as of ``at``."""

    at: datetime
    lead: str
    page_views: int
    visits: int
    first_url: str
    last_url: str
    last_visit_at: datetime


@dataclass(frozen=True)
class EmailOpened:
    at: datetime
    lead: str
    id: str
    newsletter: str


@dataclass(frozen=True)
class EmailClicked:
    at: datetime
    lead: str
    id: str
    newsletter: str
    url: str


@dataclass(frozen=True)
class LeadReplied:
    """The lead answers a rep's email."""

    at: datetime
    lead: str
    rep: str
    subject: str
    text: str


# -- the reps' actions --------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadAssigned:
    """A rep takes a lead (in the history before handoff), saying how it is going."""

    at: datetime
    lead: str
    rep: str
    status: LeadStatus


@dataclass(frozen=True)
class LeadStaged:
    """A rep moves a lead along the funnel by hand (in the history before handoff)."""

    at: datetime
    lead: str
    rep: str
    stage: Stage


@dataclass(frozen=True)
class CallLogged:
    at: datetime
    lead: str
    rep: str
    title: str
    duration: timedelta
    notes: str
    first_touch: bool = False


@dataclass(frozen=True)
class EmailLogged:
    """An email the rep sent the lead."""

    at: datetime
    lead: str
    rep: str
    subject: str
    text: str
    first_touch: bool = False


@dataclass(frozen=True)
class MeetingLogged:
    """A meeting from ``at`` to ``ends_at``; ``held`` once it has taken place."""

    at: datetime
    lead: str
    rep: str
    title: str
    ends_at: datetime
    held: bool


@dataclass(frozen=True)
class NoteLogged:
    at: datetime
    lead: str
    rep: str
    body: str


@dataclass(frozen=True)
class LeadIgnored:
    """A rep who never responds lets a lead handed to them sit: nothing reaches the CRM."""

    at: datetime
    lead: str
    rep: str


@dataclass(frozen=True)
class LeadAccepted:
    """The rep takes on a lead handoff handed them."""

    at: datetime
    lead: str
    rep: str


@dataclass(frozen=True)
class TaskCompleted:
    at: datetime
    lead: str
    rep: str
    task: str


EvidenceValue = bool | int | date | datetime | str


@dataclass(frozen=True)
class EvidenceDocumented:
    """Qualification evidence the rep typed in, each value of the kind its field holds."""

    at: datetime
    lead: str
    rep: str
    evidence: tuple[tuple[Evidence, EvidenceValue], ...]


@dataclass(frozen=True)
class LeadRejected:
    """The rep rejects a lead, with a reason or (as reps do) without one."""

    at: datetime
    lead: str
    rep: str
    reason: str | None


@dataclass(frozen=True)
class OpportunityCreated:
    """A sales-qualified lead becomes an opportunity."""

    at: datetime
    lead: str
    rep: str


@dataclass(frozen=True)
class DealOpened:
    """A deal for the lead: what the rep expects to sell them (``amount`` in dollars)."""

    at: datetime
    lead: str
    rep: str
    name: str
    amount: int


@dataclass(frozen=True)
class DealClosed:
    """The lead's open deal closes, won (for ``amount``) or lost; a won deal makes the lead a
    customer, as the CRM's own automation does."""

    at: datetime
    lead: str
    rep: str
    won: bool
    amount: int


Creation = TeamFormed | RepJoined | QueueOpened | FormPublished | AccountOpened | LeadImported | LeadArrived
Activity = (
    FormSubmitted
    | PagesViewed
    | BrowsingSummarised
    | EmailOpened
    | EmailClicked
    | LeadReplied
    | LeadAssigned
    | LeadStaged
    | CallLogged
    | EmailLogged
    | MeetingLogged
    | NoteLogged
    | LeadIgnored
    | LeadAccepted
    | TaskCompleted
    | EvidenceDocumented
    | LeadRejected
    | OpportunityCreated
    | DealOpened
    | DealClosed
)
CompanyEvent = Creation | Activity

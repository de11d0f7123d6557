"""The company's events, written into the HubSpot emulator; the company's questions, answered
from it. ``HubSpotRenderer`` is HubSpot's implementation of the company's ``CrmPort``.

Writes go through the state's one write path with the change source HubSpot would record: a
rep's edits are ``CRM_UI`` changes signed with their user id, imports ``IMPORT``, the web
analytics ``ANALYTICS``, a lead's reply ``EMAIL_INTEGRATION``, form submissions ``FORM``. Given a
``narration`` list, the renderer tells what it did there, in HubSpot's words (``SimEvent``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import assert_never

from handoff.sandbox.company.events import (
    AccountOpened,
    Activity,
    BrowsingSummarised,
    CallLogged,
    Creation,
    DealClosed,
    DealOpened,
    EmailClicked,
    EmailLogged,
    EmailOpened,
    EvidenceDocumented,
    FormPublished,
    FormSubmitted,
    LeadAccepted,
    LeadArrived,
    LeadAssigned,
    LeadIgnored,
    LeadImported,
    LeadRejected,
    LeadReplied,
    LeadStaged,
    MeetingLogged,
    NoteLogged,
    OpportunityCreated,
    PagesViewed,
    PageView,
    QueueOpened,
    RepJoined,
    TaskCompleted,
    TeamFormed,
)
from handoff.sandbox.company.people import Account, Rep
from handoff.sandbox.company.port import EvidenceField, Handoff, LeadView
from handoff.sandbox.company.terms import Evidence, FieldKind, LeadStatus, Stage
from handoff.sandbox.hubspot import mapping as hs
from handoff.sandbox.hubspot.analytics import EMAIL_CLICK, EMAIL_OPEN, PAGE_VIEW, WebEvent
from handoff.sandbox.hubspot.associations import default_type
from handoff.sandbox.hubspot.errors import PropertyValidationError
from handoff.sandbox.hubspot.narration import SimEvent
from handoff.sandbox.hubspot.records import ChangeSource
from handoff.sandbox.hubspot.roster import roster
from handoff.sandbox.hubspot.state import RecordNotFound, SandboxState

_IMPORT = ChangeSource("IMPORT")
_ANALYTICS = ChangeSource("ANALYTICS")
_EMAIL_INTEGRATION = ChangeSource("EMAIL_INTEGRATION")
_DEAL_SYNC = ChangeSource("AUTOMATION_PLATFORM")


class HubSpotRenderer:
    def __init__(self, state: SandboxState, *, narration: list[SimEvent] | None = None) -> None:
        self.state = state
        self._narration = narration

    # -- writes ---------------------------------------------------------------------------------

    def create(self, event: Creation) -> str:
        state = self.state
        match event:
            case TeamFormed():
                # HubSpot keeps no team records of its own: a team lives on its members' owners.
                return str(event.number)
            case RepJoined():
                return state.add_owner(hs.rep_owner(event)).id
            case QueueOpened():
                return state.add_owner(hs.queue_owner(event)).id
            case FormPublished():
                return state.add_form(hs.form(event)).id
            case AccountOpened():
                return state.create("companies", hs.account_properties(event), source=_IMPORT, at=event.at).id
            case LeadImported():
                return state.create("contacts", hs.imported_lead(event), source=_IMPORT, at=event.at).id
            case LeadArrived():
                return self._arrive(event)
            case _:
                assert_never(event)

    def _arrive(self, event: LeadArrived) -> str:
        form = self.state.form_by_name(event.form)
        if form is None:
            raise LookupError(f"no form named {event.form!r}")
        contact_id = self.state.submit_form(
            form.id,
            hs.form_values(event.person),
            conversion_id=event.conversion_id,
            at=event.at,
            page_url=event.page_url,
            extra_properties=hs.lead_properties(event.person, event.country, event.phone, event.channel),
        )
        lead = str(contact_id)
        if event.browsed:
            self.state.add_web_events(_page_views(lead, event.browsed))
        self._tell(SimEvent(event.at, "arrival", lead, event.form))
        return lead

    def apply(self, event: Activity) -> None:
        match event:
            case FormSubmitted():
                self._submit(event)
            case PagesViewed() | EmailOpened() | EmailClicked():
                self._track(event)
            case BrowsingSummarised():
                summary = hs.browsing_summary(event)
                self.state.update("contacts", event.lead, summary, source=_ANALYTICS, at=event.at)
            case LeadReplied():
                kind, props = hs.engagement(event)
                self.state.create_engagement(
                    kind, props, contact_id=event.lead, source=_EMAIL_INTEGRATION, at=event.at
                )
            case CallLogged() | EmailLogged() | MeetingLogged() | NoteLogged():
                self._log(event)
            case LeadAssigned() | LeadStaged() | TaskCompleted() | LeadIgnored():
                self._rep_works(event)
            case LeadAccepted() | EvidenceDocumented() | LeadRejected() | OpportunityCreated():
                self._rep_judges(event)
            case DealOpened() | DealClosed():
                self._deal(event)
            case _:
                assert_never(event)

    def _track(self, event: PagesViewed | EmailOpened | EmailClicked) -> None:
        """What the web analytics record: page views, newsletter opens and clicks."""
        if isinstance(event, PagesViewed):
            self.state.add_web_events(
                _page_views(event.lead, event.views), update_contact=not event.backfilled
            )
            if not event.backfilled:
                for view in event.views:
                    self._tell(SimEvent(view.at, "page_view", event.lead, view.url))
            return
        kind, url = (EMAIL_CLICK, event.url) if isinstance(event, EmailClicked) else (EMAIL_OPEN, None)
        name, campaign = event.newsletter, hs.campaign_id(event.newsletter)
        self.state.add_web_events(
            [WebEvent(event.id, int(event.lead), kind, event.at, url, None, name, campaign)]
        )
        self._tell(SimEvent(event.at, kind, event.lead, name))

    def _log(self, event: CallLogged | EmailLogged | MeetingLogged | NoteLogged) -> None:
        """A touch the rep logs on the lead: an engagement signed with their user id."""
        kind, props = hs.engagement(event)
        source = self._rep_source(event.rep)
        self.state.create_engagement(kind, props, contact_id=event.lead, source=source, at=event.at)
        if isinstance(event, CallLogged | EmailLogged) and event.first_touch:
            self._tell(SimEvent(event.at, "first_touch", event.lead, kind, event.rep))

    def _rep_works(self, event: LeadAssigned | LeadStaged | TaskCompleted | LeadIgnored) -> None:
        state = self.state
        match event:
            case LeadAssigned():
                changes = {hs.OWNER: event.rep, hs.LEAD_STATUS: hs.LEAD_STATUSES[event.status]}
                state.update("contacts", event.lead, changes, source=self._rep_source(event.rep), at=event.at)
            case LeadStaged():
                changes = {hs.LIFECYCLE_STAGE: hs.STAGES[event.stage]}
                state.update("contacts", event.lead, changes, source=self._rep_source(event.rep), at=event.at)
            case TaskCompleted():
                done = {hs.TASK_STATUS: "COMPLETED"}
                state.update("tasks", event.task, done, source=self._rep_source(event.rep), at=event.at)
                self._tell(SimEvent(event.at, "task_completed", event.lead, event.task, event.rep))
            case LeadIgnored():
                self._tell(SimEvent(event.at, "ignored", event.lead, "rep never responds", event.rep))
            case _:
                assert_never(event)

    def _rep_judges(
        self, event: LeadAccepted | EvidenceDocumented | LeadRejected | OpportunityCreated
    ) -> None:
        """A rep's verdict on a lead handoff handed them; HubSpot may refuse the edit (a value
        the field does not take, a lead deleted meanwhile), which the story tells as ``skipped``."""
        changes: Mapping[str, str]
        match event:
            case LeadAccepted():
                kind, changes = "accepted", {hs.LEAD_STATUS: hs.LEAD_STATUSES[LeadStatus.IN_PROGRESS]}
            case EvidenceDocumented():
                kind, changes = "evidence", hs.evidence_changes(event)
            case LeadRejected():
                kind = "rejected_no_reason" if event.reason is None else "rejected"
                changes = hs.rejection_changes(event)
            case OpportunityCreated():
                kind, changes = "opportunity", {hs.LIFECYCLE_STAGE: hs.STAGES[Stage.OPPORTUNITY]}
            case _:
                assert_never(event)
        try:
            self.state.update(
                "contacts", event.lead, changes, source=self._rep_source(event.rep), at=event.at
            )
        except (PropertyValidationError, RecordNotFound) as exc:
            self._tell(SimEvent(event.at, "skipped", event.lead, f"{kind}: {exc}", event.rep))
            return
        detail = ", ".join(f"{name}={value}" for name, value in changes.items())
        self._tell(SimEvent(event.at, kind, event.lead, detail, event.rep))

    def _deal(self, event: DealOpened | DealClosed) -> None:
        """A deal on the lead, by its rep: opened in the default pipeline, associated with the
        contact; closed won or lost. A won deal makes the contact a customer, as HubSpot's
        lifecycle sync does for a deal's contacts."""
        state = self.state
        source = self._rep_source(event.rep)
        if state.get("contacts", event.lead) is None:
            self._tell(SimEvent(event.at, "skipped", event.lead, "deal: the lead is gone", event.rep))
            return
        if isinstance(event, DealOpened):
            link = default_type("deals", "contacts")
            assert link is not None
            deal = state.create(
                "deals",
                hs.deal_properties(event),
                source=source,
                at=event.at,
                associations=[(link, int(event.lead))],
            )
            self._tell(
                SimEvent(event.at, "deal_opened", event.lead, f"deal {deal.id}: {event.amount}", event.rep)
            )
            return
        deal_id = self._open_deal(event.lead)
        if deal_id is None:
            self._tell(SimEvent(event.at, "skipped", event.lead, "deal closed: no open deal", event.rep))
            return
        state.update("deals", deal_id, hs.deal_closing(event), source=source, at=event.at)
        if event.won:
            contact = state.get("contacts", event.lead)
            if contact is not None and contact.get(hs.LIFECYCLE_STAGE) != hs.STAGES[Stage.CUSTOMER]:
                changes = {hs.LIFECYCLE_STAGE: hs.STAGES[Stage.CUSTOMER]}
                state.update("contacts", event.lead, changes, source=_DEAL_SYNC, at=event.at)
        kind = "deal_won" if event.won else "deal_lost"
        self._tell(SimEvent(event.at, kind, event.lead, f"deal {deal_id}: {event.amount}", event.rep))

    def _open_deal(self, lead: str) -> str | None:
        """The lead's open deal (the newest, if a rep opened more than one)."""
        for deal_id in reversed(self.state.associated_ids("contacts", lead, "deals")):
            deal = self.state.get("deals", deal_id)
            if deal is not None and deal.get("hs_is_closed") != "true":
                return deal_id
        return None

    def _submit(self, event: FormSubmitted) -> None:
        """Another form from a known lead, submitted under the email HubSpot has for them."""
        contact = self.state.get("contacts", event.lead)
        form = self.state.form_by_name(event.form)
        if contact is None or form is None or not contact.get("email"):
            return
        self.state.submit_form(
            form.id,
            {"email": contact.properties["email"]},
            conversion_id=event.conversion_id,
            at=event.at,
            page_url=event.page_url,
        )
        self._tell(SimEvent(event.at, "form_submission", event.lead, event.form))

    def _rep_source(self, rep: str) -> ChangeSource:
        owner = self.state.owner(rep)
        user_id = owner.user_id if owner is not None else None
        if user_id is None:
            raise LookupError(f"owner {rep} is no active user")
        return ChangeSource.ui(user_id)

    def _tell(self, event: SimEvent) -> None:
        if self._narration is not None:
            self._narration.append(event)

    # -- reads ----------------------------------------------------------------------------------

    def reps(self) -> list[Rep]:
        return [Rep(p.owner_id, p.email, p.team, p.timezone) for p in roster(self.state)]

    def accounts(self) -> list[Account]:
        state = self.state
        with state.locked():
            return [
                Account(
                    id=str(record.id),
                    name=record.values.get("name", ""),
                    domain=record.values.get("domain", ""),
                    employees=int(float(record.values.get("numberofemployees", "0") or 0)),
                    industry=hs.INDUSTRY_OF.get(record.values.get("industry", "")),
                    country=record.values.get("country", ""),
                    owner=record.values.get(hs.OWNER),
                )
                for record in state.raw_records("companies")
                if not record.archived
            ]

    def lead_ids(self) -> list[str]:
        return self.state.ids("contacts")

    def email_in_use(self, email: str) -> bool:
        return self.state.contact_id_for_email(email) is not None

    def has_form(self, name: str) -> bool:
        return self.state.form_by_name(name) is not None

    def lead(self, lead_id: str) -> LeadView | None:
        contact = self.state.get("contacts", lead_id)
        if contact is None:
            return None
        return LeadView(
            owner=contact.get(hs.OWNER),
            stage=(contact.get(hs.HANDOFF_STAGE) or "").lower(),
            accepted=contact.get(hs.LEAD_STATUS) == hs.LEAD_STATUSES[LeadStatus.IN_PROGRESS],
            email=contact.properties.get("email", ""),
            job_title=contact.properties.get("jobtitle", ""),
        )

    def handoffs(self) -> list[Handoff]:
        state = self.state
        if state.property_def("contacts", hs.HANDOFF_STAGE) is None:
            return []
        found: list[Handoff] = []
        with state.locked():
            for record in state.raw_records("contacts"):
                owner = record.values.get(hs.OWNER)
                stage = record.values.get(hs.HANDOFF_STAGE, "").lower()
                if owner is None or not stage or record.archived:
                    continue
                versions = record.versions(hs.HANDOFF_STAGE) + record.versions(hs.OWNER)
                handed = max((v.timestamp for v in versions), default=record.updated_at)
                found.append(Handoff(str(record.id), owner, stage, handed))
        return found

    def open_tasks(self, lead_id: str, rep_id: str) -> list[str]:
        open_ones: list[str] = []
        for task_id in self.state.associated_ids("contacts", lead_id, "tasks"):
            task = self.state.get("tasks", task_id)
            if task is None or task.get(hs.OWNER) != rep_id or task.get(hs.TASK_STATUS) == "COMPLETED":
                continue
            open_ones.append(task_id)
        return open_ones

    def evidence_fields(self) -> dict[Evidence, EvidenceField]:
        fields: dict[Evidence, EvidenceField] = {}
        for item in Evidence:
            prop = self.state.property_def("contacts", hs.EVIDENCE_PROPERTIES[item])
            if prop is None:
                continue
            kind = hs.FIELD_KINDS.get(prop.type, FieldKind.TEXT)
            options = tuple(prop.option_values()) if kind is FieldKind.CHOICE else ()
            fields[item] = EvidenceField(kind, options)
        return fields

    def rejection_reasons(self) -> tuple[str, ...] | None:
        prop = self.state.property_def("contacts", hs.DISQUALIFICATION_REASON)
        if prop is None:
            return None
        return tuple(prop.option_values()) if prop.type == "enumeration" else ()


def _page_views(lead: str, views: tuple[PageView, ...]) -> list[WebEvent]:
    return [WebEvent(view.id, int(lead), PAGE_VIEW, view.at, view.url, view.referrer) for view in views]

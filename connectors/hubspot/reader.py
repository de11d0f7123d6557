"""Reading HubSpot: contacts changed in a window, their companies and activities, the owners.

Contacts come from the CRM search API, which returns at most 10,000 results per query. Inside a
window, results are sorted by `hs_object_id` and read with `after`; before the cap is reached the
query restarts above the last id seen (keyset paging), so any number of contacts sharing one
`lastmodifieddate` (a month-end import) all arrive, once, and the loop always ends.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from cachetools import LRUCache

from handoff.config.vocabulary import CRM_OWNED_STAGES, Stage
from handoff.connectors.errors import AuthError, RecordRefused, Transient, record_problem
from handoff.connectors.hubspot.client import ASSOCIATION_BATCH, TIMEOUT, HubSpotClient
from handoff.connectors.hubspot.deals import DEAL_PROPERTIES, deal_change
from handoff.connectors.hubspot.leads import Lead, LeadsWorkspace, touches, with_lead
from handoff.connectors.hubspot.mapping import (
    COMPANY_PROPERTIES,
    ENGAGEMENT_DATES,
    ENGAGEMENT_PROPERTIES,
    ENGAGEMENT_TYPES,
    AccountMap,
    contact_from,
    conversion_activities,
    engagement_activity,
    epoch_ms,
    event_activity,
    instant,
    owner_name,
    visit_activity,
    written_from,
)
from handoff.connectors.hubspot.stages import PortalStages, StageOption
from handoff.connectors.protocol import (
    ActivityPull,
    ContactPage,
    CrmOwner,
    DealChange,
    DealPage,
    Rejected,
    Window,
)
from handoff.lifecycle.observed import CrmContact
from handoff.lifecycle.records import Activity, Contact

PAGE = 200
SEARCH_CAP = 10_000
# A page handed to the pipeline spans this many searches, so that its activity pull reads the
# associations of 1,000 contacts per request instead of 200 (a backfill's largest share of calls).
# (The v4 associations batch read takes 1,000 inputs: one request per engagement type per page.)
SEARCHES_PER_PAGE = ASSOCIATION_BATCH // PAGE
# A search takes five filter groups (ORed): five merged-away ids looked up per request.
MERGE_GROUPS = 5
MERGED = "hs_merged_object_ids"
# Batch reads with property history answer for 50 records at most.
HISTORY_BATCH = 50


# After the window's contacts, the passes over contacts of changed companies and Leads; a resume
# token inside one names it ({"pass": "companies", "above": id}).
COMPANIES_PASS = "companies"
LEADS_PASS = "leads"
# Companies kept between pages and windows (about a kilobyte each).
COMPANY_CACHE = 50_000

DEALS = "deals"

# Where the next search starts: ids from `above` on, skipping `after` results (almost always 0).
Position = dict[str, Any]


def _order(option: dict[str, Any]) -> int:
    """An option's place in the portal's order (HubSpot's `displayOrder`; unset sorts first)."""
    rank = option.get("displayOrder")
    return rank if isinstance(rank, int) else 0


def _id_order(record_id: str) -> tuple[int, str]:
    """HubSpot ids are numbers: compared as numbers, not text ("9" before "10")."""
    return (int(record_id), "") if record_id.isdigit() else (0, record_id)


def _position(resume: str | None) -> Position:
    found = json.loads(resume) if resume else {}
    if found.get("pass") in (COMPANIES_PASS, LEADS_PASS):
        return {"pass": found["pass"], "above": int(found.get("above", 0))}
    return {"above": int(found.get("above", 0)), "after": int(found.get("after", 0))}


class Reader:
    def __init__(self, client: HubSpotClient, mapping: AccountMap) -> None:
        self.client = client
        self.mapping = mapping
        self.web_events = True  # until the account answers 403 (below Enterprise)
        self._properties: dict[str, dict[str, Any]] = {}
        self._page_companies: dict[str, dict[str, Any]] = {}
        self._company_cache: LRUCache[str, dict[str, Any]] = LRUCache(COMPANY_CACHE)
        self._industries: dict[str, str] | None = None
        self._dispositions: dict[str, str] | None = None
        self._stages: PortalStages | None = None
        self.leads = LeadsWorkspace(client) if mapping.leads else None
        self._page_leads: dict[str, Lead] = {}

    # -- contacts -----------------------------------------------------------------------------------

    def pages(self, window: Window, resume: str | None) -> Iterator[ContactPage]:
        """The window's changed contacts; then, on an incremental window, the contacts of the
        companies that changed in it (a company's size or country is the contacts' fit, and a
        company's change leaves its contacts as they were); then, with the Leads workspace on,
        the contacts whose Lead changed. The resume token says which pass a killed run was in."""
        position: Position | None = _position(resume)
        if resume is None and window.start is not None:
            self._forget_changed_companies(window)
        seen: set[str] = set()  # read once per window: a later pass skips who was read already
        while position is not None:
            kind = position.get("pass")
            if kind is None:
                records, following = self._searches(window, position)
                page = self._page(records)
            else:
                page, following = self._linked_page(kind, window, position, seen)
            seen.update(r.contact.id for r in page.contacts)
            position = following or self._pass_after(window, kind)
            yield dataclasses.replace(page, resume=json.dumps(position) if position else None)

    def _forget_changed_companies(self, window: Window) -> None:
        """Companies changed in the window leave the cache before any contact is read with them."""
        above = 0
        while True:
            found = self._search(window, above, 0, PAGE, object_type=COMPANIES_PASS)
            ids = [str(r["id"]) for r in found.get("results") or []]
            for company_id in ids:
                self._company_cache.pop(company_id, None)
            if not ids or ((found.get("paging") or {}).get("next") or {}).get("after") is None:
                return
            above = max(int(i) for i in ids) + 1

    def _pass_after(self, window: Window, done: str | None) -> Position | None:
        """Where the pass after `done` (None: the contacts) starts; None when it was the last."""
        passes = [COMPANIES_PASS] if window.start is not None else []
        passes += [LEADS_PASS] if self.leads is not None else []
        rest = passes[passes.index(done) + 1 :] if done in passes else passes
        return {"pass": rest[0], "above": 0} if rest else None

    def _searches(
        self, window: Window, position: Position, *, object_type: str = "contacts"
    ) -> tuple[list[dict[str, Any]], Position | None]:
        """One page for the pipeline: up to SEARCHES_PER_PAGE searches, and where the next starts."""
        records: list[dict[str, Any]] = []
        at = position
        for _ in range(SEARCHES_PER_PAGE):
            results, following = self._search_page(window, at, object_type=object_type)
            records += [r.get("properties") or {} for r in results]
            if following is None:
                return records, None
            at = following
        return records, at

    def _linked_page(
        self, kind: str, window: Window, position: Position, seen: set[str]
    ) -> tuple[ContactPage, Position | None]:
        """The contacts of one search page of companies (or Leads) changed in the window, but
        those the window has read already."""
        found = self._search(window, int(position["above"]), 0, PAGE, object_type=kind)
        ids = [str(r["id"]) for r in found.get("results") or []]
        links = self.client.associations(kind, "contacts", ids)
        contact_ids = sorted({c for linked in links.values() for c in linked if c not in seen}, key=int)
        page = self.by_id(contact_ids) if contact_ids else ContactPage([])
        more = ((found.get("paging") or {}).get("next") or {}).get("after") is not None and ids
        following = {"pass": kind, "above": max(int(i) for i in ids) + 1} if more else None
        return page, following

    def _search_page(
        self, window: Window, position: Position, *, object_type: str = "contacts"
    ) -> tuple[list[dict[str, Any]], Position | None]:
        """One search page, and where the next starts (None: the window is done).

        Keyset on `hs_object_id`: the next search starts after the last id seen, not at an offset.
        A contact modified while the window is read (by a rep, or by handoff writing an earlier
        page back) leaves the result set, and an offset would then skip whoever moved up into its
        place; no search comes near the 10,000-result cap either. Only a page that is empty yet not
        the last (records not searchable yet) is stepped over by offset, having no id to go on."""
        found = self._search(window, position["above"], position["after"], PAGE, object_type=object_type)
        results: list[dict[str, Any]] = found.get("results") or []
        following = ((found.get("paging") or {}).get("next") or {}).get("after")
        if following is None:
            return results, None
        if results:
            return results, {"above": max(int(r["id"]) for r in results) + 1, "after": 0}
        if int(following) + PAGE > SEARCH_CAP:
            raise Transient(
                "HubSpot search keeps answering empty pages; the window is retried next cycle",
                crm="hubspot",
                operation=f"{object_type}.search",
            )
        return results, {"above": position["above"], "after": int(following)}

    def count(self, window: Window) -> int | None:
        total = self._search(window, 0, 0, 1).get("total")
        return int(total) if total is not None else None

    def by_id(self, ids: Sequence[str]) -> ContactPage:
        """These contacts; an id the answer leaves out (a 207's OBJECT_NOT_FOUND) was deleted or
        merged away: a merged one is followed to the contact it survives in (which joins the
        page), a deleted one is named `gone`. Neither is ever silently dropped."""
        found = self.client.batch_read("contacts", ids, self._contact_properties())
        records = [r.get("properties") or {} for r in found]
        returned = {str(props.get("hs_object_id")) for props in records}
        missing = [str(i) for i in ids if str(i) not in returned]
        survivors, merged = self._survivors(missing)
        records += [props for props in survivors if str(props.get("hs_object_id")) not in returned]
        page = self._page(records)
        return dataclasses.replace(page, gone=tuple(i for i in missing if i not in merged), merged=merged)

    def _survivors(self, ids: list[str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """The contacts these ids were merged into (HubSpot lists them in `hs_merged_object_ids`),
        and which id went where; one search per five ids, and none when nothing is missing."""
        records: list[dict[str, Any]] = []
        merged: dict[str, str] = {}
        for start in range(0, len(ids), MERGE_GROUPS):
            chunk = ids[start : start + MERGE_GROUPS]
            groups = [
                {"filters": [{"propertyName": MERGED, "operator": "CONTAINS_TOKEN", "value": i}]}
                for i in chunk
            ]
            body = {"filterGroups": groups, "properties": self._contact_properties(), "limit": PAGE}
            found = self.client.search("contacts", body, operation="contacts.search_merged")
            for result in found.get("results") or []:
                props = result.get("properties") or {}
                absorbed = set(str(props.get(MERGED) or "").split(";"))
                merged |= {i: str(props.get("hs_object_id")) for i in chunk if i in absorbed}
                records.append(props)
        return records, merged

    def _search(
        self, window: Window, above: int, after: int, limit: int, *, object_type: str = "contacts"
    ) -> dict[str, Any]:
        """Records of `object_type` modified in the window, from id `above` on, by id."""
        modified = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
        filters: list[dict[str, str]] = [
            {"propertyName": modified, "operator": "LTE", "value": epoch_ms(window.end)}
        ]
        if window.start is not None:
            filters.append({"propertyName": modified, "operator": "GTE", "value": epoch_ms(window.start)})
        if above:
            filters.append({"propertyName": "hs_object_id", "operator": "GTE", "value": str(above)})
        wanted = ["hs_object_id"]
        if limit > 1 and object_type == "contacts":
            wanted = self._contact_properties()
        elif limit > 1 and object_type == DEALS:
            wanted = list(DEAL_PROPERTIES)
        body = {
            "filterGroups": [{"filters": filters}],
            "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
            "properties": wanted,
            "limit": limit,
            "after": str(after),
        }
        return self.client.search(object_type, body)

    def _page(self, records: list[dict[str, Any]]) -> ContactPage:
        # Form conversions and the last visit live on the contact record: kept for the activity
        # pull that follows this page (one page at a time, so memory stays bounded).
        self._properties = {str(p.get("hs_object_id")): p for p in records}
        companies = self._companies(
            {str(p["associatedcompanyid"]) for p in records if p.get("associatedcompanyid")}
        )
        self._page_companies = companies
        contacts: list[CrmContact] = []
        rejected: list[Rejected] = []
        for props in records:
            company = companies.get(str(props.get("associatedcompanyid") or ""))
            try:
                contact = contact_from(
                    props,
                    company,
                    self.mapping,
                    self._industry_labels() if company else {},
                    self.stages(),
                )
                modified = instant(props.get("lastmodifieddate"))
                if modified is None:
                    raise RecordRefused("lastmodifieddate is missing or not a date")
            except Exception as error:  # one record that cannot be read never stops its page
                rejected.append(
                    Rejected(
                        str(props.get("hs_object_id", "?")), "contacts", record_problem(error), dict(props)
                    )
                )
                continue
            owner = (company or {}).get("hubspot_owner_id")
            contacts.append(CrmContact(contact, modified, written_from(props), str(owner) if owner else None))
        return ContactPage(self._with_leads(contacts), rejected)

    def _with_leads(self, contacts: list[CrmContact]) -> list[CrmContact]:
        """With the Leads workspace on, each contact carries the rep's signals from its Lead
        (kept for the activity pull too, whose touches they are)."""
        if self.leads is None or not contacts:
            return contacts
        self._page_leads = self.leads.of_contacts([r.contact.id for r in contacts])
        return [with_lead(r, self._page_leads.get(r.contact.id)) for r in contacts]

    def _contact_properties(self) -> list[str]:
        """What a contact read asks for: the account's fields and every stage's entry date."""
        return sorted({*self.mapping.contact_properties(), *self.stages().date_properties()})

    def stages(self) -> PortalStages:
        """The portal's lifecycle stages with the admin's map, read once (the writer uses them too)."""
        if self._stages is None:
            options = [
                StageOption(str(o["value"]), str(o.get("label") or o["value"]), rank)
                for rank, o in enumerate(sorted(self._options("contacts", "lifecyclestage"), key=_order))
                if not o.get("hidden")
            ]
            self._stages = PortalStages.of(options, self.mapping.lifecycle_stages)
        return self._stages

    def _industry_labels(self) -> dict[str, str]:
        """HubSpot stores industries as internal values (COMPUTER_SOFTWARE); policies are written
        with the labels people see (Computer Software). Read the account's options once."""
        if self._industries is None:
            self._industries = self._labels("companies", "industry")
        return self._industries

    def _disposition_labels(self) -> dict[str, str]:
        """Call outcomes are stored as ids (`f240bbac-…` is "Connected"); policies name the label."""
        if self._dispositions is None:
            self._dispositions = self._labels("calls", "hs_call_disposition")
        return self._dispositions

    def _labels(self, object_type: str, name: str) -> dict[str, str]:
        """A property's options, value → label, as the account defines them."""
        return {str(o["value"]): str(o["label"]) for o in self._options(object_type, name)}

    def _options(self, object_type: str, name: str) -> list[dict[str, Any]]:
        api = self.client.sdk.crm.properties.core_api
        found: dict[str, Any] = self.client.call(
            f"{object_type}.{name}_options",
            lambda: api.get_by_name_with_http_info(
                object_type, name, _preload_content=False, _request_timeout=TIMEOUT
            ),
        )
        options: list[dict[str, Any]] = found.get("options") or []
        return options

    def _companies(self, ids: set[str]) -> dict[str, dict[str, Any]]:
        """These companies, each read once and kept until it changes (the company pass of each
        window evicts those that did): a company is read once, not once per page of its contacts."""
        missing = sorted(i for i in ids if i not in self._company_cache)
        for record in self.client.batch_read("companies", missing, COMPANY_PROPERTIES):
            self._company_cache[str(record["id"])] = record.get("properties") or {}
        return {i: self._company_cache[i] for i in ids if i in self._company_cache}

    # -- deals --------------------------------------------------------------------------------------

    def deals(self, window: Window, resume: str | None) -> Iterator[DealPage]:
        """Deals modified in the window, by the same keyset search as contacts (SEARCHES_PER_PAGE
        searches a page), each page with one associations read for its deals' contacts."""
        position: Position | None = _position(resume)
        while position is not None:
            records, position = self._searches(window, position, object_type=DEALS)
            ids = [str(props.get("hs_object_id")) for props in records]
            links = self.client.associations(DEALS, "contacts", ids) if ids else {}
            changes: list[DealChange] = []
            rejected: list[Rejected] = []
            for props in records:
                deal_id = str(props.get("hs_object_id", "?"))
                contacts = tuple(sorted(set(links.get(deal_id, ())), key=_id_order))
                try:
                    changes.append(deal_change(props, contacts))
                except Exception as error:  # one deal that cannot be read never stops its page
                    rejected.append(Rejected(deal_id, DEALS, record_problem(error), dict(props)))
            yield DealPage(changes, rejected, json.dumps(position) if position else None)

    def deals_missing(self) -> list[str]:
        """What reading outcomes needs that the token lacks (`handoff setup` lists it): one
        deal search, which answers 403 without the `crm.objects.deals.read` scope."""
        try:
            self.client.search(DEALS, {"limit": 1, "properties": ["hs_object_id"]}, operation="deals.check")
        except AuthError as error:
            return [
                "read access to deals, for outcomes (the private app needs the"
                f" crm.objects.deals.read scope): {error}"
            ]
        return []

    # -- history ------------------------------------------------------------------------------------

    def history(self, ids: Sequence[str]) -> dict[str, tuple[tuple[datetime, Contact], ...]]:
        """Earlier versions of the page's contacts from HubSpot's property history of the rep
        signals (lead status, owner, stages, rejection reason, evidence). Only contacts with a
        signal set, or in a stage past lead, are asked: the others have no past handoff could
        replay (a portal's thousands of plain leads cost no history reads)."""
        signals = self.mapping.signal_properties()
        wanted = [i for i in ids if self._has_past(self._properties.get(i, {}), signals)]
        found: dict[str, tuple[tuple[datetime, Contact], ...]] = {}
        for record in self.client.batch_read(
            "contacts",
            wanted,
            ["hs_object_id"],
            history=signals,
            size=HISTORY_BATCH,
            operation="contacts.history",
        ):
            contact_id = str(record["id"])
            versions = self._versions(contact_id, record.get("propertiesWithHistory") or {})
            if versions:
                found[contact_id] = versions
        return found

    def _has_past(self, props: dict[str, Any], signals: list[str]) -> bool:
        if self.stages().meaning(props.get("lifecyclestage")) not in (None, Stage.SUBSCRIBER, Stage.LEAD):
            return True
        return any(props.get(name) for name in signals if name != "lifecyclestage")

    def _versions(
        self, contact_id: str, history: dict[str, list[dict[str, Any]]]
    ) -> tuple[tuple[datetime, Contact], ...]:
        """The contact as it stood after each change in its history, oldest first."""
        current = self._properties.get(contact_id)
        if current is None:
            return ()
        changes = sorted(
            {
                moment
                for entries in history.values()
                for entry in entries
                if (moment := instant(entry.get("timestamp")))
            }
        )
        company = self._page_companies.get(str(current.get("associatedcompanyid") or ""))
        versions: list[tuple[datetime, Contact]] = []
        for moment in changes:
            props = dict(current)
            for name, entries in history.items():
                earlier = [
                    e for e in entries if (at := instant(e.get("timestamp"))) is not None and at <= moment
                ]
                props[name] = (
                    max(earlier, key=lambda e: instant(e.get("timestamp")) or moment)["value"]
                    if earlier
                    else None
                )
            try:
                contact = contact_from(
                    props,
                    company,
                    self.mapping,
                    self._industry_labels() if company else {},
                    self.stages(),
                )
            except Exception:  # a past version handoff cannot read stays out of the history
                continue
            if not versions or versions[-1][1] != contact:
                versions.append((moment, contact))
        return tuple(versions)

    # -- activities ---------------------------------------------------------------------------------

    def activities(self, contact_ids: Sequence[str], since: datetime | None) -> ActivityPull:
        """The page's activities: engagements (calls, emails, meetings, notes) only for contacts
        whose activity dates say one can be new, the rest from the contact record itself."""
        by_contact: dict[str, list[Activity]] = {contact_id: [] for contact_id in contact_ids}
        rejected: list[Rejected] = []
        engaged = [cid for cid in contact_ids if self._may_have_engagements(cid, since)]
        for kind in ENGAGEMENT_TYPES:
            for contact_id, activity in self._engagements(kind, engaged, since, rejected):
                by_contact[contact_id].append(activity)
        for contact_id in contact_ids:
            props = self._properties.get(contact_id, {})
            try:
                by_contact[contact_id] += conversion_activities(props, self.mapping)
            except Exception as error:  # a form field that cannot be read loses only itself
                rejected.append(Rejected(contact_id, "activities", record_problem(error), {}))
            by_contact[contact_id] += self._visits(contact_id, props, since)
            by_contact[contact_id] += touches(contact_id, self._page_leads.get(contact_id))
        return ActivityPull({cid: acts for cid, acts in by_contact.items() if acts}, rejected)

    def _may_have_engagements(self, contact_id: str, since: datetime | None) -> bool:
        """HubSpot moves a contact's last activity dates whenever a call, email, meeting or note
        is logged on it: a contact without one has no engagement, one dated before `since` none
        new (its association reads are skipped). A contact whose record is not at hand is read."""
        props = self._properties.get(contact_id)
        if props is None:
            return True
        dated = [m for name in ENGAGEMENT_DATES if (m := instant(props.get(name)))]
        if not dated:
            return False
        return since is None or max(dated) >= since

    def _engagements(
        self, kind: str, contact_ids: list[str], since: datetime | None, rejected: list[Rejected]
    ) -> Iterator[tuple[str, Activity]]:
        links = self.client.associations("contacts", kind, contact_ids)
        engagement_ids = sorted({eid for targets in links.values() for eid in targets})
        found = self.client.batch_read(kind, engagement_ids, ENGAGEMENT_PROPERTIES[kind])
        records = {str(record["id"]): record for record in found}
        for contact_id, targets in links.items():
            for engagement_id in targets:
                engagement = records.get(engagement_id)
                if engagement is None:
                    continue
                changed = instant((engagement.get("properties") or {}).get("hs_lastmodifieddate"))
                if since is not None and changed is not None and changed < since:
                    continue
                try:
                    # Only a call with an outcome costs the one read of the outcomes' labels.
                    has_outcome = (engagement.get("properties") or {}).get("hs_call_disposition")
                    labels = self._disposition_labels() if kind == "calls" and has_outcome else {}
                    activity = engagement_activity(kind, engagement, labels)
                except Exception as error:  # one engagement that cannot be read loses only itself
                    rejected.append(
                        Rejected(f"{kind}:{engagement_id}", "activities", record_problem(error), engagement)
                    )
                    continue
                if activity is not None:
                    yield contact_id, activity

    def _visits(self, contact_id: str, props: dict[str, Any], since: datetime | None) -> list[Activity]:
        """Page views cost one events request per contact, so only for leads that can still move,
        with a visit inside the scoring window and since the last pull."""
        last_visit = instant(props.get("hs_analytics_last_visit_timestamp"))
        modified = instant(props.get("lastmodifieddate"))
        horizon = modified - timedelta(days=self.mapping.window_days) if modified else None
        settled = self.stages().meaning(props.get("lifecyclestage")) in CRM_OWNED_STAGES
        if (
            last_visit is None
            or settled
            or (since is not None and last_visit < since)
            or (horizon is not None and last_visit < horizon)
        ):
            return []
        if self.web_events:
            try:
                return self._web_events(contact_id, since)
            except AuthError:
                # Below Enterprise the events API answers 403: fall back to the contact's last visit.
                self.web_events = False
        visit = visit_activity(props)
        return [visit] if visit else []

    def _web_events(self, contact_id: str, since: datetime | None) -> list[Activity]:
        api = self.client.sdk.events.events_api
        query: dict[str, Any] = {
            "object_type": "contact",
            "object_id": int(contact_id),
            "event_type": "e_visited_page",
            "limit": 100,
        }
        if since is not None:
            query["occurred_after"] = since
        found: dict[str, Any] = self.client.call(
            "events.page_views",
            lambda: api.get_page_with_http_info(**query, _preload_content=False, _request_timeout=TIMEOUT),
        )
        return [activity for event in found.get("results") or [] if (activity := event_activity(event))]

    # -- owners -------------------------------------------------------------------------------------

    def owners(self) -> list[CrmOwner]:
        owners: list[CrmOwner] = []
        api = self.client.sdk.crm.owners.owners_api
        for archived in (False, True):
            after: str | None = None
            while True:
                kwargs: dict[str, Any] = {"limit": 100, "archived": archived}
                if after:
                    kwargs["after"] = after
                found: dict[str, Any] = self.client.call(
                    "owners",
                    lambda kwargs=kwargs: api.get_page_with_http_info(  # type: ignore[misc]
                        **kwargs, _preload_content=False, _request_timeout=TIMEOUT
                    ),
                )
                for owner in found.get("results") or []:
                    owners.append(
                        CrmOwner(
                            id=str(owner["id"]),
                            email=owner.get("email"),
                            name=owner_name(owner),
                            active=not owner.get("archived", archived),
                            is_queue=owner.get("type") == "QUEUE",
                            teams=tuple(team.get("name", "") for team in owner.get("teams") or []),
                        )
                    )
                after = ((found.get("paging") or {}).get("next") or {}).get("after")
                if not after:
                    break
        return owners

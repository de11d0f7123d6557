"""Pull: read what changed in the CRM into the mirror, advancing the cursor with the data.

Each page is fetched (contacts, then their activities, and for contacts seen for the first time
the CRM's property history of their rep signals), then written in one transaction together with
the cursor's progress. A kill between pages loses nothing: the window and the page token are
saved, and the next run continues the same window. Re-reading the look-back overlap is harmless:
records are de-duplicated by (id, modification time) and upserted.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from handoff.connectors.protocol import ActivityPull, ContactPage, Rejected, Window
from handoff.lifecycle.observed import CrmContact
from handoff.lifecycle.outputs import OutputField
from handoff.lifecycle.records import Activity
from handoff.store.cursors import Cursor
from handoff.store.decisions import CrmMove
from handoff.store.mirror import Known, is_news
from handoff.store.owners import StoredOwner
from handoff.store.quarantine import Problem
from handoff.store.unit_of_work import Tx
from handoff.sync.runtime import Runtime

CONTACTS_STREAM = "contacts"
# Owners change rarely; re-reading them every 30-second cycle and every minute's SLA tick would
# spend more requests on them than on the leads.
OWNERS_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Ingested:
    """A page as it went into the mirror: how many contacts it held, the fresh ones (the news among
    them, with their earlier versions), their pulled activities, which are now dirty, and which
    the mirror held nothing of before."""

    pulled: int
    fresh: list[CrmContact]
    activities: dict[str, list[Activity]]
    dirty: list[str]
    new: frozenset[str]
    quarantined: int = 0


@dataclass
class PullCounts:
    pulled: int = 0
    changed: int = 0
    quarantined: int = 0
    pages: int = 0
    complete: bool = True


def pull_changes(
    rt: Runtime,
    now: datetime,
    *,
    stream: str = CONTACTS_STREAM,
    window: Window | None = None,
    stop: threading.Event | None = None,
    force: bool = False,
    on_page: Callable[[Ingested], None] | None = None,
) -> PullCounts:
    """Pull the stream's next window (or `window`, for a backfill) page by page into the mirror;
    `on_page` sees each page once it is in (the cycle and the backfill decide it there).

    A window left half-read by a stopped or killed run is finished first, from its page token;
    the incremental stream then goes on to the present, so one cycle always catches up (a run
    that only finished the old window would leave everything changed since for the next one)."""

    def ingest(page: ContactPage, progress: Cursor) -> PullCounts:
        ingested = ingest_page(rt, page, now, force=force, cursor=(stream, progress))
        rt.store.refresh_statistics()
        if on_page is not None:
            on_page(ingested)
        return PullCounts(len(page.contacts), len(ingested.dirty), ingested.quarantined)

    counts = pull_stream(rt, now, stream, rt.connector.pull_contacts, ingest, window=window, stop=stop)
    rt.metrics.pulled.inc(counts.pulled)
    return counts


class Paged(Protocol):
    """A page of any stream: its records, and the token to resume after it (None: the last)."""

    @property
    def resume(self) -> str | None: ...


P = TypeVar("P", bound=Paged)


def pull_stream(
    rt: Runtime,
    now: datetime,
    stream: str,
    pages: Callable[[Window, str | None], Iterator[P]],
    ingest: Callable[[P, Cursor], PullCounts],
    *,
    window: Window | None = None,
    stop: threading.Event | None = None,
) -> PullCounts:
    """The cursor's walk, for any stream: finish a window left half-read from its page token,
    then read the next (or `window`); `ingest` saves each page with the cursor's progress in one
    transaction and says what it held."""
    with rt.store.begin() as tx:
        cursor = tx.cursors.load(stream)
    reader = _WindowReader(stop, pages, ingest)
    if cursor.in_progress and cursor.window_end is not None:
        resumed = Window(cursor.window_start, cursor.window_end)
        reader.read(resumed, cursor.value, cursor.resume)
        if window is not None or not reader.counts.complete or now <= resumed.end:
            return reader.counts
        cursor = Cursor(resumed.end)
    reader.read(window or next_window(rt, cursor, now), cursor.value)
    return reader.counts


def next_window(rt: Runtime, cursor: Cursor, now: datetime) -> Window:
    """What the incremental stream reads next, up to `now`: from the cursor minus the look-back,
    or from the start of a window a stopped run left half-read."""
    if cursor.in_progress:
        return Window(cursor.window_start, now)
    lookback = timedelta(seconds=rt.settings.lookback_seconds)
    return Window(cursor.value - lookback if cursor.value else None, now)


@dataclass
class _WindowReader(Generic[P]):
    """Reads windows page by page, saving the cursor's progress with every page."""

    stop: threading.Event | None
    pages: Callable[[Window, str | None], Iterator[P]]
    ingest: Callable[[P, Cursor], PullCounts]
    counts: PullCounts = dataclasses.field(default_factory=PullCounts)

    def read(self, window: Window, value: datetime | None, resume: str | None = None) -> None:
        """Read `window` from the page token `resume` on; `value` is the cursor until it is done."""
        counts = self.counts
        for page in self.pages(window, resume):
            progress = (
                Cursor(value, window.start, window.end, page.resume) if page.resume else Cursor(window.end)
            )
            took = self.ingest(page, progress)
            counts.changed += took.changed
            counts.pages += 1
            counts.pulled += took.pulled
            counts.quarantined += took.quarantined
            if page.resume and self.stop is not None and self.stop.is_set():
                counts.complete = False
                return


def ingest_page(
    rt: Runtime,
    page: ContactPage,
    now: datetime,
    *,
    force: bool = False,
    cursor: tuple[str, Cursor] | None = None,
) -> Ingested:
    """Upsert one page of contacts (and their activities) into the mirror.

    `cursor` (stream, position) is saved in the same transaction as the page, so the mirror and
    the cursor never disagree. `force` treats every record as changed (the nightly reconcile)."""
    with rt.store.begin() as tx:
        known = tx.mirror.known([record.contact.id for record in page.contacts])
    fresh = [r for r in page.contacts if force or is_news(r, known.get(r.contact.id))]
    news = {r.contact.id for r in fresh}
    echoes = [r for r in page.contacts if r.contact.id not in news and _moved(r, known)]
    activities = pull_activities(rt, fresh, known)
    fresh = with_past(rt, fresh, known)
    problems = [_problem(r) for r in (*page.rejected, *activities.rejected)]
    with rt.store.begin() as tx:
        dirty, refused = tx.mirror.ingest(fresh, activities.by_contact, known, now, force=force)
        if refused:
            gone = {r.contact_id for r in refused}
            problems += [Problem(CONTACTS_STREAM, r.contact_id, r.error, {}) for r in refused]
            fresh = [r for r in fresh if r.contact.id not in gone]
        tx.mirror.echoed(echoes)
        if cursor is not None:
            tx.cursors.save(cursor[0], cursor[1], now)
        _record_crm_moves(tx, fresh, known)
        tx.quarantine.release(CONTACTS_STREAM, [r.contact.id for r in fresh])
        problems += _gone(tx, page.gone, now) + _merged(tx, page.merged, now)
        tx.quarantine.add(problems, now)
    if problems:
        rt.metrics.quarantined.inc(len(problems))
    new = frozenset(r.contact.id for r in fresh if r.contact.id not in known)
    return Ingested(len(page.contacts), fresh, activities.by_contact, dirty, new, len(problems))


def pull_activities(rt: Runtime, fresh: Sequence[CrmContact], known: dict[str, Known]) -> ActivityPull:
    """One pull for the page: everything for a contact seen for the first time, else what changed
    since the oldest of these contacts was last pulled (minus the look-back)."""
    if not fresh:
        return ActivityPull({}, [])
    ids = [r.contact.id for r in fresh]
    since = None
    if all(i in known for i in ids):
        since = min(known[i].pulled_at for i in ids) - timedelta(seconds=rt.settings.lookback_seconds)
    return rt.connector.pull_activities(ids, since=since)


def with_past(rt: Runtime, fresh: Sequence[CrmContact], known: dict[str, Known]) -> list[CrmContact]:
    """Contacts seen for the first time, with their earlier versions from the CRM's history."""
    first = [r.contact.id for r in fresh if r.contact.id not in known]
    past = rt.connector.pull_history(first) if first else {}
    return [dataclasses.replace(r, past=past[r.contact.id]) if past.get(r.contact.id) else r for r in fresh]


def _moved(record: CrmContact, known: Mapping[str, Known]) -> bool:
    """Modified since the mirror last read it (not news, so an echo of handoff's own write)."""
    before = known.get(record.contact.id)
    return before is not None and record.modified_at > before.remote_modified_at


def _record_crm_moves(tx: Tx, fresh: Sequence[CrmContact], known: dict[str, Known]) -> None:
    """Audit stage changes made in the CRM (by a person or a deal), not echoes of handoff's writes."""
    stage = OutputField.STAGE
    moved = [
        r
        for r in fresh
        if r.contact.id in known and r.written.get(stage) != known[r.contact.id].written.get(stage.value)
    ]
    if not moved:
        return
    desired = tx.decisions.desired_stages([r.contact.id for r in moved])
    tx.decisions.record_crm_moves(
        [
            CrmMove(r.contact.id, r.modified_at, known[r.contact.id].written.get(stage.value), new)
            for r in moved
            if (new := r.written.get(stage)) is not None and desired.get(r.contact.id) != new
        ]
    )


def _gone(tx: Tx, ids: Sequence[str], now: datetime) -> list[Problem]:
    """Contacts the CRM no longer has: their waiting writes are dropped, their reps' tasks taken
    back, they are no longer looked at, and `status`/`explain` say what became of them."""
    return _set_aside(tx, dict.fromkeys(ids, GONE), now)


def _merged(tx: Tx, survivors: Mapping[str, str], now: datetime) -> list[Problem]:
    """Contacts merged into another: the same as gone, the reason naming the survivor (pulled
    with the same page, so the lead lives on under its new id)."""
    return _set_aside(
        tx, {merged: MERGED.format(survivor=survivor) for merged, survivor in survivors.items()}, now
    )


def _set_aside(tx: Tx, reasons: Mapping[str, str], now: datetime) -> list[Problem]:
    known = tx.mirror.existing(list(reasons))
    if not known:
        return []
    by_reason: dict[str, list[str]] = {}
    for contact_id in known:
        by_reason.setdefault(reasons[contact_id], []).append(contact_id)
    for reason, ids in by_reason.items():  # one statement for all deleted, one per survivor
        tx.outbox.drop_pending(ids, reason, now)
    tasks = tx.outbox.open_tasks(known)
    tx.outbox.close_tasks([(task, reasons[i]) for i, opened in tasks.items() for task in opened], now)
    tx.mirror.set_aside(known)
    return [Problem(CONTACTS_STREAM, contact_id, reasons[contact_id], {}) for contact_id in known]


GONE = "gone from the CRM (deleted): its waiting writes were dropped"
MERGED = (
    "merged into contact {survivor} in the CRM: its waiting writes were dropped,"
    " the lead goes on as {survivor}"
)


def _problem(rejected: Rejected) -> Problem:
    return Problem(rejected.stream, rejected.record_id, rejected.error, rejected.raw)


def refresh_owners(rt: Runtime, now: datetime, *, force: bool = False) -> int | None:
    """Re-read the CRM's owners, unless they were read less than five minutes ago."""
    if not force:
        with rt.store.begin() as tx:
            last = tx.owners.refreshed_at()
        if last is not None and now - last < OWNERS_EVERY:
            return None
    owners = [
        StoredOwner(o.id, o.email, o.name, o.active, o.is_queue, o.teams) for o in rt.connector.pull_owners()
    ]
    with rt.store.begin() as tx:
        tx.owners.replace(owners, now)
    return len(owners)

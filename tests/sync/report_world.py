"""The hand-computed history of `tests.lifecycle.funnel_world` laid into a store, with a policy
that commits marketing to 4 MQLs a month (5 in November): the report every format is checked on."""

from __future__ import annotations

from pathlib import Path

from handoff.config.loader import DEFAULT_POLICY_PATH, load_policy
from handoff.config.policy import Policy
from handoff.store.database import make_db_engine
from handoff.store.migrate import migrate
from handoff.store.unit_of_work import Store
from handoff.sync.report import Report, build_report
from tests.lifecycle.funnel_world import LEADS, NOW, REPS, SINCE, UNTIL
from tests.store.history_rows import write_history

TARGETS = '\n[targets]\nmql_per_month = 4\nmonths = { "2026-11" = 5 }\n'
DEALS = {lead.contact_id: lead.deals for lead in LEADS if lead.deals}


def policy_with_targets(folder: Path) -> Path:
    path = folder / "policy.toml"
    text = DEFAULT_POLICY_PATH.read_text()
    # The shipped lists are found by name; the policy's own folder holds none of them.
    path.write_text(text + TARGETS)
    return path


def hand_store(database_url: str) -> Store:
    engine = make_db_engine(database_url)
    migrate(engine)
    store = Store(engine, "memory")
    with store.begin() as tx:
        write_history(tx.connection, "memory", LEADS, REPS)
    return store


def hand_report(store: Store, folder: Path, *, by: str | None = "team") -> tuple[Report, Policy]:
    policy = load_policy(policy_with_targets(folder))
    report = build_report(store, policy, now=NOW, since=SINCE, until=UNTIL, by=by, deals=DEALS)  # type: ignore[arg-type]
    return report, policy

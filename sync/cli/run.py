"""`handoff run`, `handoff sync`, `handoff migrate`."""

from __future__ import annotations

import click
from rich.console import Console
from sqlalchemy.engine import make_url

from handoff.config.settings import SettingsError
from handoff.store.lock import AlreadyRunning, InstanceLock
from handoff.store.migrate import migrate
from handoff.sync.backfill import dry_run
from handoff.sync.cli.backfill import print_report
from handoff.sync.cli.context import EX_CONFIG, runtime_or_exit, settings_or_exit
from handoff.sync.cycle import run_cycle
from handoff.sync.pull import CONTACTS_STREAM, next_window
from handoff.sync.runtime import Runtime, open_database


@click.command("run")
def run_command() -> None:
    """Run the daemon: scheduled cycles, SLA ticks, nightly reconcile, HTTP endpoints, until SIGTERM."""
    from handoff.sync.daemon import Daemon  # the scheduler and the HTTP server load only for the daemon

    rt = runtime_or_exit()
    try:
        code = Daemon(rt).run()
    except AlreadyRunning as error:
        click.echo(f"handoff: {error}; refusing to start a second daemon", err=True)
        raise SystemExit(1) from error
    raise SystemExit(code)


@click.command("sync")
@click.option(
    "--dry-run",
    "dry",
    is_flag=True,
    help="Write nothing: print what this cycle would change (moves, owners, tasks), from the cursor on.",
)
def sync_command(dry: bool) -> None:
    """Run one full cycle (pull, evaluate, push), then exit; non-zero if it failed or stopped early."""
    rt = runtime_or_exit()
    if dry:
        _dry_sync(rt)
        return
    lock = InstanceLock(rt.store.engine, rt.crm)
    try:
        lock.acquire()
    except AlreadyRunning as error:
        click.echo(f"handoff: {error}; stop the daemon or wait for the other run", err=True)
        raise SystemExit(1) from error
    try:
        with rt.store.begin() as tx:
            tx.runs.abandon_dead(rt.clock(), lock_held=True)
        report = run_cycle(rt)
    except Exception as error:
        click.echo(f"handoff: cycle failed: {error}", err=True)
        raise SystemExit(1) from error
    finally:
        lock.release()
    click.echo(
        f"pulled {report.pulled}, evaluated {report.evaluated}, stage moves {report.moved}, "
        f"sent {report.sent}, failed {report.failed}, dead {report.dead}, quarantined {report.quarantined}"
    )
    if not report.complete:
        click.echo("handoff: the cycle stopped before it finished; the next run resumes it", err=True)
        raise SystemExit(1)


@click.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema to the latest revision."""
    settings = settings_or_exit()
    try:
        engine = open_database(settings)
    except SettingsError as error:
        click.echo(f"handoff: {error}", err=True)
        raise SystemExit(EX_CONFIG) from error
    migrate(engine)
    click.echo(
        f"database {make_url(settings.database_url).render_as_string(hide_password=True)} is up to date"
    )


def _dry_sync(rt: Runtime) -> None:
    """What the next cycle would do: the contacts changed since the cursor (everything on a fresh
    database), decided by the one decide path, nothing saved or written."""
    with rt.store.begin() as tx:
        window = next_window(rt, tx.cursors.load(CONTACTS_STREAM), rt.clock())
    report = dry_run(rt, window.start, window.end, progress=lambda stage, count: None)
    print_report(Console(), report, dry=True)

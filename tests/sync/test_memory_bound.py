"""Memory is bounded by the batch size, not by the size of the CRM.

A backfill over 200,000 contacts must not need more memory than one over 20,000: it reads, decides
and forgets one page at a time. Both run as real processes; their peak resident memory is read
from the kernel's accounting of that process alone (`os.wait4`), started by a small launcher: Linux
carries a process's peak across `exec` from the memory it was forked from, so a child forked
straight from this test run (hundreds of MB by the end of the suite) would report the test run's
peak, not its own.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from handoff.config.vocabulary import ActivityKind
from handoff.connectors.memory.crm import MemoryCrm
from handoff.lifecycle.records import Activity
from tests.sync import company
from tests.sync.processes import HANDOFF, environment

SEED_BATCH = 10_000


def seed(path: Path, count: int) -> None:
    crm = MemoryCrm(str(path))
    company.reps(crm)
    now = datetime.now(UTC)
    for start in range(0, count, SEED_BATCH):
        ids = [f"c{n:07d}" for n in range(start, min(count, start + SEED_BATCH))]
        crm.put_contacts([(company.demo_requester(i), None) for i in ids])
        crm.put_activities(
            [
                (
                    i,
                    Activity(
                        f"{i}-a",
                        ActivityKind.PAGE_VIEW,
                        now - timedelta(days=1),
                        attributes={"url": "/pricing"},
                    ),
                )
                for i in ids
            ],
            touch=False,
        )
    crm.close()


def peak_rss_mb(folder: Path, count: int) -> float:
    folder.mkdir()
    seed(folder / "crm.db", count)
    env = environment(folder / "crm.db", f"sqlite:///{folder}/handoff.db")
    command = [HANDOFF, "backfill", "--since", "2000-01-01", "--dry-run"]
    with (folder / "out.log").open("wb") as log:
        launched = subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(folder / "rss"), *command],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    output = (folder / "out.log").read_text()
    assert launched.returncode == 0, output
    assert f"pulled {count}," in output
    return int((folder / "rss").read_text()) / 1024


# Runs the command as its child and writes that child's peak RSS (KiB) to the file named first.
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.slow
def test_a_backfill_of_200000_contacts_does_not_hold_them_all(tmp_path: Path) -> None:
    small = peak_rss_mb(tmp_path / "small", 20_000)
    large = peak_rss_mb(tmp_path / "large", 200_000)

    print(f"peak RSS: 20,000 contacts {small:.0f} MB, 200,000 contacts {large:.0f} MB")
    assert large < 300
    # Holding 180,000 more contacts would take hundreds of MB; a bounded backfill takes the same.
    assert large - small < 30

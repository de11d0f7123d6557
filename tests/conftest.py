"""Shared fixtures: the shipped policy and a fixed instant, so no test depends on the clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handoff.config.loader import load_policy
from handoff.config.policy import Policy

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()

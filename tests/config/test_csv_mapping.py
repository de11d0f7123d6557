"""The export mapping: the shipped example loads and fits an export with its columns."""

from __future__ import annotations

import csv
from pathlib import Path

from handoff.config.csv_mapping import load_mapping
from handoff.config.loader import SHIPPED_DIR
from handoff.sync.csv_backtest import check_columns

SAMPLE = SHIPPED_DIR / "samples" / "export_mapping.toml"


def test_the_shipped_example_mapping_loads_and_fits_an_export_with_its_columns(tmp_path: Path) -> None:
    loaded = load_mapping(SAMPLE)
    columns = sorted({column for _, column in loaded.mapping.columns()})
    export = tmp_path / "leads.csv"
    with export.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerow([*columns, "Lead Rating"])
    assert check_columns(export, loaded) == [*columns, "Lead Rating"]
    assert set(loaded.mapping.never_use).isdisjoint(columns)

"""`handoff backtest --csv FILE --mapping MAP.toml`: a policy tried on a CRM export, before
anything is connected.

The export is streamed with pyarrow's CSV reader (only the columns the mapping names, a block
at a time) and its leads decided one at a time, so a million-row export is held one block at a
time. Rows that cannot
be read (the wrong number of columns), rows without an id or an outcome, and repeated ids are
skipped and counted; values a row cannot give are counted by column; neither is ever fatal. A
column the mapping names that the export lacks is refused before anything is read, naming the
mapping's line.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from handoff.config.csv_mapping import LoadedMapping
from handoff.config.loader import PolicyError
from handoff.config.policy import Policy
from handoff.config.suggest import did_you_mean
from handoff.lifecycle.backtest import Comparison, Outcome
from handoff.lifecycle.exported import Note, Placeholders, RowLead, lead_from_row
from handoff.lifecycle.replay import replay
from handoff.lifecycle.roster import RoutingContext
from handoff.sync.backtest import BacktestRun
from handoff.sync.decide import engine_failure

BLOCK_BYTES = 4 << 20
# An export has no dates: its activities all happened at the export's moment, so the engine
# keeps every one of them.
_KEEP_ALL = timedelta(days=36_500)


_WORDS = {"placeholder": "a placeholder (not filled in)"}


class ExportError(ValueError):
    """An export that cannot be read at all (not CSV, not UTF-8, no header)."""


@dataclass
class ExportReading:
    """What reading the export met: rows read, leads made, rows skipped by why, and the values
    rows could not give, by what and column."""

    rows: int = 0
    leads: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[tuple[str, str]] = field(default_factory=Counter)
    categories: Counter[tuple[str, str]] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        """The reading in words, most frequent first."""
        said = [f"{self.rows:,} rows read, {self.leads:,} leads backtested"]
        said += [f"{count:,} rows skipped: {why}" for why, count in self.skipped.most_common()]
        said += [
            f"{count:,} rows: {_WORDS.get(what, what)} in {column!r}"
            for (what, column), count in self.notes.most_common()
        ]
        said += [
            f"{count:,} rows: unknown category {value!r} in {column!r} (add it to the mapping's values)"
            for (column, value), count in self.categories.most_common(10)
        ]
        return said


def check_columns(path: Path, loaded: LoadedMapping) -> list[str]:
    """The export's header, after checking that it has every column the mapping names."""
    encoding = loaded.mapping.encoding
    try:
        with path.open("rb") as source:
            first = source.readline()
        header = next(csv.reader([first.decode(encoding).removeprefix("\ufeff")]), None)
    except OSError as error:
        raise ExportError(f"{path}: cannot read the export: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise ExportError(
            f"{path}: the header is not {encoding} text ({error.reason}); set the mapping's encoding"
        ) from error
    if not header:
        raise ExportError(f"{path}: the export is empty (no header row)")
    named = {column for _, column in loaded.mapping.columns()}
    twice = sorted({column for column in header if header.count(column) > 1 and column in named})
    if twice:
        raise ExportError(
            f"{path}: the header names {', '.join(repr(c) for c in twice)} more than once: "
            "the mapping cannot tell which column it means"
        )
    problems = [
        loaded.problem(key, f"column {column!r} is not in {path.name}{did_you_mean(column, header)}")
        for key, column in loaded.mapping.columns()
        if column not in header
    ]
    if problems:
        raise PolicyError(problems)
    return header


def read_export(path: Path, loaded: LoadedMapping, at: datetime, reading: ExportReading) -> Iterator[RowLead]:
    """The export's leads one at a time (read a block at a time); `reading` counts what was read
    and skipped."""
    header = check_columns(path, loaded)
    mapping = loaded.mapping
    wanted = sorted({column for _, column in mapping.columns()})
    placeholders = Placeholders(mapping.not_filled)
    seen: set[str] = set()

    def bad_row(row: pacsv.InvalidRow) -> str:
        reading.rows += 1
        reading.skipped[
            f"{row.actual_columns} values where the header has {row.expected_columns} columns"
        ] += 1
        return "skip"

    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES, encoding=mapping.encoding),
            parse_options=pacsv.ParseOptions(invalid_row_handler=bad_row, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                # Bytes, decoded below: one value that is not text is noted, not fatal.
                column_types=dict.fromkeys(header, pa.binary()),
                include_columns=wanted,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            columns = batch.to_pydict()
            for values in zip(*(columns[name] for name in wanted), strict=True):
                reading.rows += 1
                row, notes = _decoded(wanted, values)
                lead, lacked = lead_from_row(row, mapping, at, placeholders)
                notes += lacked
                _count(reading, notes)
                if lead is None:
                    reading.skipped[f"{lacked[0].what} ({lacked[0].column!r} is not filled in)"] += 1
                    continue
                if lead.timeline.contact_id in seen:
                    reading.skipped["the id appears again (the first row was kept)"] += 1
                    continue
                seen.add(lead.timeline.contact_id)
                reading.leads += 1
                yield lead
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise ExportError(f"{path}: cannot read the export as CSV: {_arrow_message(error)}") from error


def run_csv_backtest(
    path: Path, loaded: LoadedMapping, new: Policy, current: Policy, at: datetime
) -> tuple[BacktestRun, ExportReading]:
    """Both policies over the export's leads, as they stand at `at`, scored against its outcome."""
    reading = ExportReading()
    comparison = Comparison((current.policy.version, new.policy.version))
    considered = 0
    refused: list[tuple[str, str]] = []
    contexts = [RoutingContext.of([]), RoutingContext.of([])]
    for lead in read_export(path, loaded, at, reading):
        try:
            done = [
                replay(lead.timeline, policy, at, contexts[n], retention=_KEEP_ALL)
                for n, policy in enumerate((current, new))
            ]
        except Exception as error:  # one lead the engine fails on must not stop the backtest
            refused.append((lead.timeline.contact_id, engine_failure(error)))
            continue
        for n, (_, context) in enumerate(done):
            contexts[n] = context
        considered += 1
        comparison.add(done[0][0], done[1][0], Outcome(won_at=at if lead.won else None))
    return BacktestRun(comparison.result(at, at), considered, refused), reading


def _decoded(names: list[str], values: tuple[bytes, ...]) -> tuple[dict[str, str], list[Note]]:
    """A row's values as text; a value that is not UTF-8 is read with its bad bytes replaced."""
    row: dict[str, str] = {}
    notes: list[Note] = []
    for name, value in zip(names, values, strict=True):
        try:
            row[name] = value.decode()
        except UnicodeDecodeError:
            row[name] = value.decode(errors="replace")
            notes.append(Note("text that is not UTF-8", name))
    return row, notes


def _count(reading: ExportReading, notes: list[Note]) -> None:
    for note in notes:
        if note.what == "unknown category" and note.value is not None:
            reading.categories[(note.column, note.value)] += 1
        elif not note.what.startswith("no "):
            reading.notes[(note.what, note.column)] += 1


def _arrow_message(error: BaseException) -> str:
    """pyarrow's reason, without the row's text it may quote."""
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    return first.split(": ", 1)[0] if "Row #" in first else first

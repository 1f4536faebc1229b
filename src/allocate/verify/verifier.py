"""The independent verifier: re-derive every hard rule from the input and the output tables alone.

A planner must be able to trust a roster without trusting the solver, so nothing here imports the
model builder or the solve step: the rules are read from the dataset, the horizon and the policy,
and checked against the roster and coverage tables exactly as they were written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from allocate.domain import Dataset, Horizon
from allocate.policy import Policy, load_policy
from allocate.verify.composition import check_crews
from allocate.verify.coverage import check_coverage
from allocate.verify.eligibility import check_eligibility
from allocate.verify.frames import (
    COVERAGE_COLUMNS,
    ROSTER_COLUMNS,
    Context,
    build_context,
    iso_date,
    require_columns,
)
from allocate.verify.labour import check_labour
from allocate.verify.patterns import check_patterns
from allocate.verify.pins import check_pins
from allocate.verify.report import VerificationReport, Violation
from allocate.verify.rows import check_horizon, check_ids, check_roles

if TYPE_CHECKING:
    from collections.abc import Callable

# The rule families, in the order their violations are listed.
CHECKS: tuple[Callable[[Context], list[Violation]], ...] = (
    check_ids,
    check_horizon,
    check_roles,
    check_crews,
    check_eligibility,
    check_labour,
    check_patterns,
    check_coverage,
    check_pins,
)


def verify_roster(
    dataset: Dataset,
    horizon: Horizon,
    policy: Policy,
    roster: pd.DataFrame,
    coverage: pd.DataFrame | None = None,
) -> VerificationReport:
    """Check a roster (and its coverage table, if given) against every hard rule.

    Raises ValueError when a table lacks a contract column: that is a broken file, not a roster
    that breaks the law.
    """
    ctx = build_context(dataset, horizon, policy, roster, coverage)
    violations = tuple(v for check in CHECKS for v in check(ctx))
    return VerificationReport(violations, checked=checked_counts(ctx))


def checked_counts(ctx: Context) -> dict[str, int]:
    """How much was looked at, so that "no violation" of an empty roster is not mistaken for a pass."""
    counts = {
        "rows": len(ctx.rows),
        "crews": ctx.rows["crew_id"].nunique(),
        "people": ctx.rows["person_id"].nunique(),
        "posts": len(ctx.posts),
        "history_rows": len(ctx.history),
    }
    if ctx.coverage is not None:
        counts["coverage_rows"] = len(ctx.coverage)
    return counts


# --- an output folder --------------------------------------------------------------------------


def read_output_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """A CSV of the output contract, every cell as text, missing contract columns named."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.columns = [str(c).strip().lstrip("\ufeff") for c in table.columns]
    require_columns(table, columns, str(path))
    return table


def load_dataset(data_path: Path) -> Dataset:
    """The dataset through the shared loader (reading tables is shared, checking is not)."""
    from allocate.io.load import load_dataset as load

    return load(data_path)


def horizon_from_summary(summary: dict) -> Horizon | None:
    """`{"horizon": {"start": "YYYY-MM-DD", "days": N}}` as a Horizon, or None if not there."""
    raw = summary.get("horizon")
    if not isinstance(raw, dict) or "start" not in raw or "days" not in raw:
        return None
    start = iso_date(raw["start"])
    if start is None:
        raise ValueError(f"summary.json horizon start {raw['start']!r} is not a date (YYYY-MM-DD)")
    return Horizon(pd.Timestamp(start).date(), int(raw["days"]))


def horizon_from_dates(*tables: pd.DataFrame | None) -> Horizon:
    """The span of the dates in the output tables, when summary.json does not say."""
    dates = sorted({d for t in tables if t is not None for d in map(iso_date, t["date"]) if d is not None})
    if not dates:
        raise ValueError("no horizon: summary.json has none and roster.csv/coverage.csv hold no dates")
    first, last = pd.Timestamp(dates[0]).date(), pd.Timestamp(dates[-1]).date()
    return Horizon(first, (last - first).days + 1)


def verify_output(data_path: str | Path, out_path: str | Path) -> VerificationReport:
    """Verify an output folder (roster.csv, coverage.csv, summary.json) against its dataset.

    The horizon and policy come from summary.json; without it, the horizon spans the dates of the
    tables and the policy is the dataset's. A missing coverage.csv breaks the output contract and
    is reported as a `coverage` violation.
    """
    data_path, out = Path(data_path), Path(out_path)
    roster = read_output_table(out / "roster.csv", ROSTER_COLUMNS)
    coverage_file = out / "coverage.csv"
    coverage = read_output_table(coverage_file, COVERAGE_COLUMNS) if coverage_file.is_file() else None
    summary_file = out / "summary.json"
    summary = json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.is_file() else {}
    horizon = horizon_from_summary(summary) or horizon_from_dates(roster, coverage)
    policy = Policy.model_validate(summary["policy"]) if "policy" in summary else load_policy(data_path)
    report = verify_roster(load_dataset(data_path), horizon, policy, roster, coverage)
    if coverage is None:
        missing = Violation("coverage", f"coverage.csv is missing from {out}")
        report = VerificationReport((*report.violations, missing), report.checked)
    return report

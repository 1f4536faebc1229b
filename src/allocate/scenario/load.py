"""Read a scenario file: TOML -> validated models -> the dataset it names -> a :class:`Scenario`.

Every problem is an :class:`InputError` naming the file, the key (``changes[2].factor``) and its
line. Problems in the dataset itself come from the dataset loader, naming its CSV files.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from allocate.domain import Dataset, Horizon
from allocate.i18n import L_
from allocate.io.errors import InputError, InputIssue
from allocate.io.load import check_horizon, load_dataset
from allocate.policy import Policy, load_policy
from allocate.scenario.core import ALIASES, Origin, Scenario, key_text, translate
from allocate.scenario.lines import key_lines, line_of
from allocate.scenario.schema import ScenarioFile


def _path_of(loc: tuple[Any, ...]) -> tuple[str, ...]:
    """A location as a key path; list items and [[changes]] tables are counted from 1."""
    return tuple(str(p + 1) if isinstance(p, int) else str(p) for p in loc)


def read_scenario_file(path: Path) -> tuple[ScenarioFile, Origin]:
    """Parse and validate the file alone (no dataset read)."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.single(file, None, None, None, L_("a scenario file that exists")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.single(
            file, None, None, None, L_("a readable UTF-8 text file (%(why)s)", why=str(exc))
        ) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError.single(
            file, int(m.group(1)) if m else None, None, None, L_("valid TOML (%(why)s)", why=str(exc))
        ) from None
    lines = key_lines(text)
    try:
        spec = ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        issues = []
        for loc, value, expected in map(translate, exc.errors()):
            key = _path_of(loc)
            issues.append(InputIssue(file, line_of(lines, key, ALIASES), key_text(key), value, expected))
        raise InputError(issues) from None
    return spec, Origin(file, lines, len(spec.changes))


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file and the dataset it names, and apply its changes.

    The dataset path is relative to the scenario file. Its ``policy.toml`` (if any) is the base
    policy; the scenario's ``[policy]`` table overrides it.
    """
    path = Path(path)
    spec, origin = read_scenario_file(path)
    file, lines = origin.file, origin.lines

    def issue(key: tuple[str, ...], value: object, expected: str) -> InputIssue:
        return InputIssue(file, line_of(lines, key), key_text(key), value, expected)

    data = Path(os.path.normpath(path.parent / spec.dataset))
    if not data.exists():
        raise InputError(
            [
                issue(
                    ("dataset",),
                    spec.dataset,
                    L_("a dataset folder or .xlsx workbook (%(path)s does not exist)", path=data),
                )
            ]
        )
    dataset = load_dataset(data)
    horizon = Horizon(spec.horizon.start, spec.horizon.days)
    try:
        check_horizon(dataset, horizon)
    except InputError as exc:
        raise InputError(
            [*exc.issues, issue(("horizon",), None, L_("a horizon that holds the dataset's dated demand"))]
        ) from None
    try:
        policy = load_policy(data).merged(spec.policy)
    except ValidationError as exc:
        raise InputError(
            [
                issue(("policy", *map(str, loc)), v, expected)
                for loc, v, expected in map(translate, exc.errors())
            ]
        ) from None
    if spec.incidents is not None:
        dataset = _derived(
            dataset, data, path.parent / spec.incidents.file, spec.incidents.growth, policy, issue
        )
    return Scenario(
        base=dataset,
        horizon=horizon,
        base_policy=policy,
        changes=tuple(spec.changes),
        solver=spec.solver,
        name=spec.name or path.stem,
        description=spec.description,
        origin=origin,
    )


def _derived(dataset: Dataset, data: Path, log: Path, growth: float, policy: Policy, issue) -> Dataset:
    """The dataset with its demand derived from the scenario's ``[incidents]`` log."""
    from allocate.demand_model import derive_demand
    from allocate.io.incidents import load_incidents

    log = Path(os.path.normpath(log))
    if not log.exists():
        raise InputError([issue(("incidents", "file"), str(log), L_("an incident log that exists"))])
    derived = derive_demand(dataset, load_incidents(dataset, log, data), policy.demand, growth=growth)
    extras = {
        **dataset.extras,
        "incidents": {"file": str(log), "growth": growth, "warnings": derived.warnings},
    }
    return derived.dataset(dataset).replace(extras=extras)

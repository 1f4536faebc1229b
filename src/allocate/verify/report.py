"""What the verifier found: named violations a planner can read, and a small report object.

Rule names are stable (tests, summaries and dashboards key on them); messages are for people.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field

from allocate.i18n import N_, _, language

# Every rule the verifier checks, in the order it checks them, with what it protects.
RULES: dict[str, str] = {
    "unknown_id": N_("every person, task, shift and station id names a row of the dataset"),
    "horizon": N_("every roster date is a real date inside the horizon"),
    "role_mismatch": N_("the roster's role column agrees with the staff table"),
    "crew_consistency": N_("all rows of a crew share date, station, shift, task and lead"),
    "crew_composition": N_("a crew matches one allowed pattern of its task, each member once (rule 2)"),
    "slot_role": N_("slots are S or A, and an S slot is filled by a sworn officer (rule 2)"),
    "lead": N_("a crew is led by one of its sworn members, or commanded by an officer on duty (rules 2-3)"),
    "sworn_only": N_("no auxiliary on a police_only task (rule 1)"),
    "civilian_support_only": N_("civilian auxiliaries fill support posts only (rule 4)"),
    "disqualified": N_("disqualified people are never assigned (rule 5)"),
    "untrained": N_("auxiliaries without pre-job training are never assigned (rule 5)"),
    "training_lapsed": N_("auxiliaries whose training lapsed fill support posts only (rule 5)"),
    "skill": N_("every member holds the skill the task requires (rule 5)"),
    "home_station": N_("people work at their home station; lending only as the policy allows (rule 6)"),
    "absence": N_("nobody works during an absence (rule 7)"),
    "one_shift_per_day": N_("at most one shift, in one crew, per person and date (rule 7)"),
    "rest": N_("enough rest between the end of one shift and the start of the next (rule 7)"),
    "consecutive_days": N_("no more days in a row than max_consecutive_days (rule 7)"),
    "day_off_in_7": N_("a day off in every days_off_window consecutive days (rule 7)"),
    "weekly_hours": N_("hours per 7-day block within contract hours plus overtime (rule 7)"),
    "nights": N_("night shifts per 7-day block within max_nights_per_week (rule 7)"),
    "forbidden_succession": N_("no shift B the day after shift A for a policy pair [A, B]"),
    "min_consecutive_days": N_(
        "runs of working days not touching the horizon's edge last min_consecutive_days"
    ),
    "min_consecutive_days_off": N_(
        "runs of days off not touching the horizon's edge last min_consecutive_days_off"
    ),
    "max_weekends_per_4_weeks": N_(
        "worked weekends within max_weekends_per_4_weeks in any 4 consecutive weekends"
    ),
    "max_weekends": N_("worked weekends over the horizon within max_weekends"),
    "max_shifts_per_type": N_("shifts of one type over the horizon within max_shifts_per_type"),
    "min_total_minutes": N_(
        "minutes worked over the horizon at least min_total_minutes (people fit to serve)"
    ),
    "max_total_minutes": N_("minutes worked over the horizon at most max_total_minutes"),
    "coverage": N_("coverage.csv agrees with demand and roster; no crew beyond demand"),
    "pin": N_("every pin of pins.csv is kept: on, the person works it; off, they do not"),
}


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, located as precisely as the rule allows."""

    rule: str
    message: str
    date: str | None = None
    station_id: str | None = None
    shift_id: str | None = None
    task_id: str | None = None
    crew_id: str | None = None
    person_id: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


@dataclass(frozen=True)
class VerificationReport:
    """The verifier's verdict: every violation found, and how much was checked."""

    violations: tuple[Violation, ...]
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations

    def by_rule(self) -> dict[str, int]:
        """Violations per rule, in the order the rules are checked."""
        counts = Counter(v.rule for v in self.violations)
        order = list(RULES) + sorted(set(counts) - set(RULES))
        return {rule: counts[rule] for rule in order if counts[rule]}

    def rules(self) -> set[str]:
        """The names of the rules broken (empty when the roster is lawful)."""
        return {v.rule for v in self.violations}

    def to_dict(self, limit: int = 100) -> dict[str, object]:
        """JSON-ready: the verdict, counts per rule and the first `limit` violations."""
        return {
            "ok": self.ok,
            "violations": len(self.violations),
            "by_rule": self.by_rule(),
            "checked": dict(self.checked),
            "first_violations": [v.to_dict() for v in self.violations[:limit]],
        }

    def render(self, limit: int = 50) -> str:
        """Plain text for a terminal or a log: the verdict, then one line per violation.

        In another language than English each violation also names its rule in that language (the
        details stay as the verifier wrote them)."""
        checked = _(", ").join(
            _("%(n)s %(what)s") % {"n": n, "what": _(CHECKED_WORDS.get(what, what))}
            for what, n in self.checked.items()
        )
        if self.ok:
            return _("Verification passed: no violation (%(checked)s checked).") % {"checked": checked}
        per_rule = _(", ").join(f"{rule} {n}" for rule, n in self.by_rule().items())
        lines = [
            _("Verification FAILED: %(n)s violation(s) (%(rules)s); %(checked)s checked.")
            % {"n": len(self.violations), "rules": per_rule, "checked": checked}
        ]
        lines += [f"  - [{v.rule}] {explained(v.rule, v.message)}" for v in self.violations[:limit]]
        if len(self.violations) > limit:
            lines.append(_("  ... and %(n)s more") % {"n": len(self.violations) - limit})
        return "\n".join(lines)


# What the verifier counts as checked (allocate.verify.verifier.checked_counts), in words.
CHECKED_WORDS = {
    "rows": N_("rows"), "crews": N_("crews"), "people": N_("people"), "posts": N_("posts"),
    "history_rows": N_("history rows"), "coverage_rows": N_("coverage rows"),
}  # fmt: skip


def explained(rule: str, message: str) -> str:
    """A violation's message, led by what its rule protects when the output is not English (the
    details stay as the verifier wrote them)."""
    if language() == "en" or rule not in RULES:
        return message
    return f"{_(RULES[rule])}: {message}"

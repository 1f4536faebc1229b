"""What the verifier found: named violations a planner can read, and a small report object.

Rule names are stable (tests, summaries and dashboards key on them) and shared with the model's
constraint groups (:mod:`allocate.rules.names`); messages are for people.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field

from allocate.i18n import N_, _, language
from allocate.rules.names import RULES


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

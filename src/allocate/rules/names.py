"""One name per rule: the keys the verifier reports, the model's constraint groups and the tests share.

The numbers in parentheses are the rules of the product brief, listed in docs/RULES.md. A key here
is stable: summaries, dashboards and tests key on it. The model files each group of its
constraints under one or more of these keys (:meth:`allocate.model.builder.RosterModel.rule`), so a
test can say "this roster breaks exactly `rest`" of the model and of the verifier alike.
"""

from __future__ import annotations

from allocate.i18n import N_

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


# The rule families of the brief, in words, with the keys that check each (docs/RULES.md).
FAMILIES: dict[str, tuple[str, ...]] = {
    "sworn-only duties": ("sworn_only",),
    "led enforcement": ("crew_composition", "slot_role", "lead"),
    "under command": ("lead",),
    "two kinds of auxiliaries": ("civilian_support_only",),
    "fitness to serve": ("disqualified", "untrained", "training_lapsed", "skill"),
    "who uses, manages and is responsible": ("home_station",),
    "occupational protection": (
        "absence",
        "one_shift_per_day",
        "rest",
        "consecutive_days",
        "day_off_in_7",
        "weekly_hours",
        "nights",
    ),
    "optional policy rules": (
        "forbidden_succession",
        "min_consecutive_days",
        "min_consecutive_days_off",
        "max_weekends_per_4_weeks",
        "max_weekends",
        "max_shifts_per_type",
        "min_total_minutes",
        "max_total_minutes",
    ),
    "planners' pins": ("pin",),
    "the output contract": ("unknown_id", "horizon", "role_mismatch", "crew_consistency", "coverage"),
}

# Constraint groups of the model that are not hard rules: how the variables hang together and
# how the soft goals are counted. The model files every constraint under a rule or one of these.
STRUCTURE: dict[str, str] = {
    "freeze": "a re-plan keeps what started before the cut as published",
    "lines": "lines of work add up to the people counted at each post (model.lines)",
    "pools": "sizing's recruits add up to the people counted at each post (model.pools)",
    "worked_days": "a day counts as worked when a shift starts on it (model.days)",
    "worked_weekends": "a weekend counts as worked when a shift starts on its Saturday or Sunday",
    "overtime": "overtime hours above contract hours, a soft goal",
    "soft_goals": "the terms of the objective: fairness and the others",
}


def check_names(*names: str) -> tuple[str, ...]:
    """The names, each a rule or a structure group; a typo is a bug, raised at once."""
    unknown = [n for n in names if n not in RULES and n not in STRUCTURE]
    if unknown:
        raise ValueError(f"unknown rule names {unknown}: see allocate.rules.names")
    return names

# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Wednesday's sick calls: re-plan the published week
#
# The week of 7 December 2026 is published. On Wednesday morning two officers of station S05 call in
# sick until Sunday. Everything before Wednesday has happened and stays as published; from Wednesday
# on, `allocate.replan` covers the posts first, then changes as few assignments as it can, then
# minds the usual goals. `Result.changes` lists each assignment added or removed: what to send to
# whom. (The command line does the same: `allocate replan DATA --published OUT --from 2026-12-09 --out NEW`.)

# %%
import datetime as dt
import os
from pathlib import Path

import allocate
from allocate.scenario import load_scenario

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "scenarios").is_dir())
TIME_LIMIT = float(os.environ.get("ALLOCATE_NOTEBOOK_TIME_LIMIT", "30"))
week = load_scenario(ROOT / "scenarios" / "baseline.toml").only("S05")
published = allocate.solve(week.dataset, week.horizon, week.policy, time_limit=TIME_LIMIT)
print(published.status, f"{published.summary()['uncovered_crews']} crews uncovered")

# %% [markdown]
# Two officers who work on Wednesday call in sick from Wednesday to Sunday.

# %%
wednesday = dt.date(2026, 12, 9)
on_wednesday = published.roster[(published.roster["date"] == wednesday.isoformat()) & (published.roster["role"] == "sworn")]
sick = sorted(set(on_wednesday["person_id"]))[:2]
now = week.dataset.replace(
    absences=(*week.dataset.absences, *(allocate.Absence(p, wednesday, dt.date(2026, 12, 13), "sick") for p in sick))
)
new = allocate.replan(now, published, cut=wednesday, time_limit=TIME_LIMIT)
frozen = published.roster[published.roster["date"] < wednesday.isoformat()]
print(
    f"sick: {', '.join(sick)}; {len(frozen)} frozen assignments kept; {len(new.changes)} changes; "
    f"uncovered crews {published.summary()['uncovered_crews']} -> {new.summary()['uncovered_crews']}; "
    f"verifier: {'ok' if new.verification.ok else 'VIOLATIONS'}"
)
new.changes

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
# # What if the festival week meets the training wave?
#
# The district expects a festival in the week of 7 December 2026: more 110 calls, patrols and traffic
# posts on Friday and Saturday evenings and nights (`scenarios/festival.toml`, +30%). The same week,
# 15 sworn officers are due on a three-day course, Wednesday to Friday (`scenarios/training.toml`).
#
# Two questions:
# 1. How many crews go uncovered if both happen in the same week?
# 2. How many service auxiliaries would close the gap, and where?
#
# Each solve gets `ALLOCATE_NOTEBOOK_TIME_LIMIT` seconds (default 30). The test suite runs this
# notebook with a few seconds, so its numbers are rough; give it a minute or two for a decision.

# %%
# %matplotlib inline
import os
from pathlib import Path

import pandas as pd

from allocate.scenario import compare, load_scenario, plots

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "scenarios").is_dir())
TIME_LIMIT = float(os.environ.get("ALLOCATE_NOTEBOOK_TIME_LIMIT", "30"))
pd.set_option("display.max_colwidth", 120)
print(f"scenarios from {ROOT / 'scenarios'}, {TIME_LIMIT:g} s per solve")

# %% [markdown]
# ## The scenarios
#
# A scenario file names the dataset, the week and a list of changes. The festival and the training
# wave are separate files; their combination is one line of code: the festival with the training
# wave's changes added. `describe()` says what each change did to the data.
#
# Both questions are about coverage. Uncovered crews outweigh every other goal of the roster, so
# switching the other goals off (overtime, cost, fairness, requests) does not change how many crews
# can be staffed, and it lets the solver prove that number much sooner. `with_policy` does it for all
# four weeks. (The roster to publish is solved with every goal: `allocate solve scenarios/festival.toml`.)

# %%
COVERAGE_ONLY = {"weights": {"overtime": 0, "cost": 0, "fairness": 0, "requests": 0, "stability": 0}}
baseline = load_scenario(ROOT / "scenarios" / "baseline.toml").with_policy(COVERAGE_ONLY)
festival = load_scenario(ROOT / "scenarios" / "festival.toml").with_policy(COVERAGE_ONLY)
training = load_scenario(ROOT / "scenarios" / "training.toml").with_policy(COVERAGE_ONLY)
both = festival.with_changes(*training.changes).renamed("festival + training")
both.describe()

# %% [markdown]
# ## 1. How many crews go uncovered?
#
# Solve the four weeks and put them side by side (`compare` returns one row per scenario; `.T` turns
# it around). The `uncovered:<task>` rows break the uncovered crews down by task.

# %%
scenarios = {"baseline": baseline, "festival": festival, "training": training, "festival + training": both}
results = {name: sc.solve(time_limit=TIME_LIMIT) for name, sc in scenarios.items()}
table = compare(results)
unsolved = [name for name, r in results.items() if r.status not in ("OPTIMAL", "FEASIBLE")]
if unsolved:
    print(f"No roster within {TIME_LIMIT:g} s for some stations of {unsolved}: raise ALLOCATE_NOTEBOOK_TIME_LIMIT.")
table.T.loc[["status", "crews_required", "crews_staffed", "uncovered_crews", *table.filter(like="uncovered:").columns]]

# %%
plots.uncovered_by_task(results)

# %% [markdown]
# Where are the uncovered crews of the combined week? Stations down, shifts across: the share of crews
# staffed, with the number left uncovered written in.

# %%
plots.coverage_heatmap(results["festival + training"])

# %% [markdown]
# The gap is what the combined week leaves uncovered beyond an ordinary week, station by station.
# `uncovered_reasons` says why each post stays short.

# %%
def uncovered_by_station(result) -> pd.Series:
    return result.coverage.groupby("station_id")["shortfall"].sum()


ordinary = uncovered_by_station(results["baseline"])
combined = uncovered_by_station(results["festival + training"])
gap = pd.DataFrame({"baseline": ordinary, "festival + training": combined}).fillna(0).astype(int)
gap["gap"] = (gap["festival + training"] - gap["baseline"]).clip(lower=0)
gap = gap[gap["gap"] > 0]
print(
    f"{int(table.loc['festival + training', 'uncovered_crews'])} crews uncovered in the combined week, "
    f"{int(table.loc['baseline', 'uncovered_crews'])} in an ordinary one: a gap of {int(gap['gap'].sum())} crews "
    f"at {', '.join(gap.index) or 'no station'}."
)
gap

# %%
reasons = results["festival + training"].uncovered_reasons
reasons[reasons["station_id"].isin(gap.index)]

# %% [markdown]
# Compare the `festival` and `training` columns of the table: the festival drives the gap. Its extra
# traffic posts fall on the core station's Friday and Saturday nights, where traffic-trained people
# are already short in an ordinary week; the course takes some of those people away on the Friday.
#
# ## 2. How many service auxiliaries would close the gap?
#
# Without lending, every station is its own problem, so we re-solve only the stations with a gap
# (`only(...)`): first as they are in an ordinary week and in the combined week (round 0, with the
# same stations and time as the rounds that follow, so the numbers compare). Then, round by round,
# each station still above its ordinary level gets more service auxiliaries with a `headcount`
# change: one per crew still missing (at least 2, at most 12). If its uncovered posts need a skill
# (traffic posts need `traffic`), the new auxiliaries hold it; otherwise they copy the skills of
# colleagues. A station stops when it is back to its ordinary level, or when two rounds in a row
# bring nothing: what is left then is not for auxiliaries to fix.

# %%
MAX_ROUNDS = 5
stations = list(gap.index)
tasks = {t.task_id: t for t in both.dataset.tasks}


def skills_needed(result, station: str) -> list[str] | None:
    short = result.coverage[(result.coverage["station_id"] == station) & (result.coverage["shortfall"] > 0)]
    skills = sorted({tasks[t].skill for t in short["task_id"] if tasks[t].skill})
    return skills or None


def by_station(result, ids) -> dict[str, int]:
    return {s: int(v) for s, v in uncovered_by_station(result).reindex(ids, fill_value=0).items()}


target = by_station(baseline.only(*stations).solve(time_limit=TIME_LIMIT), stations) if stations else {}
current = both.only(*stations)
last = current.solve(time_limit=TIME_LIMIT) if stations else results["festival + training"]
uncovered = by_station(last, stations)
best, stalled, added = dict(uncovered), dict.fromkeys(stations, 0), dict.fromkeys(stations, 0)
rounds = [{"round": 0, "auxiliaries added": 0, **{f"uncovered {s}": uncovered[s] for s in stations}}]
for n in range(1, MAX_ROUNDS + 1):
    growing = [s for s in stations if best[s] > target[s] and stalled[s] < 2]
    if not growing:
        break
    for s in growing:
        step = min(12, max(2, best[s] - target[s]))
        current = current.headcount(station=s, role="aux_service", add=step, skills=skills_needed(last, s))
        added[s] += step
    last = current.only(*growing).solve(time_limit=TIME_LIMIT)  # the other stations are done
    uncovered |= by_station(last, growing)
    for s in growing:
        stalled[s] = 0 if uncovered[s] < best[s] else stalled[s] + 1
        best[s] = min(best[s], uncovered[s])
    rounds.append(
        {"round": n, "auxiliaries added": sum(added.values()), **{f"uncovered {s}": uncovered[s] for s in stations}}
    )
sweep = pd.DataFrame(rounds).set_index("round")
sweep["uncovered"] = sweep.filter(like="uncovered ").sum(axis=1)
print("an ordinary week at these stations:", target)
sweep

# %%
plots.curve(
    sweep["auxiliaries added"],
    sweep["uncovered"],
    "service auxiliaries added",
    "uncovered crews at the gap stations",
    "Closing the gap with service auxiliaries",
    target=sum(target.values()),
)

# %% [markdown]
# What the new auxiliaries can do, and what they cannot: a traffic post's crew is `2S` or `1S+2A`, so
# traffic-trained auxiliaries turn `2S` crews into `1S+2A` crews and free an officer to lead another
# one. They cannot stand in for the officer every crew needs: once the traffic-trained officers are
# all out on posts, more auxiliaries change nothing, and the answer is officers (or fewer posts).

# %%
for s in stations:
    if best[s] <= target[s]:
        verdict = f"gap closed with {added[s]} service auxiliaries"
    elif stalled[s] >= 2:
        verdict = f"{best[s] - target[s]} crews above the ordinary week remain: more auxiliaries did not help"
    else:
        verdict = f"{best[s] - target[s]} crews above the ordinary week remain, still falling: more rounds"
    print(f"{s}: {verdict} (uncovered: ordinary {target[s]}, combined {rounds[0][f'uncovered {s}']}, best {best[s]})")
closed = [s for s in stations if best[s] <= target[s]]
print(
    f"{sum(added[s] for s in closed)} service auxiliaries close the gap at {', '.join(closed) or 'no station'}; "
    f"{sum(added.values())} were added in all."
)

# %% [markdown]
# ## 3. What the incident trend means for next year's quota
#
# The demand above was typed in by planners. `allocate demand` derives it from the incident log
# instead (`data/demo/incidents.csv`, 13 weeks): per station, weekday and hour the arrival rate and
# handling time, then the fewest 110 response crews that reach 90 % of incidents within the target
# (5 minutes urban, 10 rural) with crews busy at most 60 % of the time (Erlang C), and patrol per
# 10,000 residents and per km². The National Day holiday and the festival are kept out of the means
# (`[demand] event_days` in `data/demo/policy.toml`).
#
# If incidents keep growing by 15 % a year, what does next year's week ask for, and what does that
# mean for a station's auxiliary quota? Crews a week, planned against derived now and next year:

# %%
from allocate.demand_model import comparison, derive_demand
from allocate.io.incidents import load_incidents

demo = ROOT / "data" / "demo"
planned = baseline.base
log = load_incidents(planned, demo / "incidents.csv", demo)
now = derive_demand(planned, log, baseline.policy.demand)
next_year = derive_demand(planned, log, baseline.policy.demand, growth=1.15)
trend = comparison(planned, now).rename(columns={"current": "planned", "derived": "derived now"})
trend["next year (+15 %)"] = comparison(planned, next_year)["derived"]
trend = trend.groupby("task_id")[["planned", "derived now", "next year (+15 %)"]].sum()
trend[trend.nunique(axis=1) > 1]

# %% [markdown]
# What does that mean for the quota? A first answer without a solver: the auxiliary workload of each
# station's week in full-time equivalents, the A slot-hours (every crew in its alternative with the
# fewest officers, so auxiliaries fill the A slots) divided by 40 contract hours. It is a guide, not
# the minimum: officers may fill A slots, and rest rules, skills and the officer every led crew needs
# all matter. The minimum is `allocate size data/demo --incidents data/demo/incidents.csv --growth
# 1.15` (minutes for the district).

# %%
from allocate.demand import expand_posts


def aux_fte(dataset) -> pd.Series:
    """Full-time auxiliaries (40 h) the week's A slots would occupy, per station."""
    hours = {}
    for post in expand_posts(dataset, baseline.horizon):
        crew = min(dataset.task_by_id[post.task_id].crews, key=lambda c: (c.sworn, c.size))
        shift_hours = dataset.shift_by_id[post.shift_id].hours
        hours[post.station_id] = hours.get(post.station_id, 0.0) + post.crews_required * crew.aux * shift_hours
    return (pd.Series(hours) / 40).round(1)


quota = pd.DataFrame(
    {
        "aux_quota": {s.station_id: s.aux_quota for s in planned.stations},
        "A-slot FTE, planned": aux_fte(planned),
        "A-slot FTE, derived now": aux_fte(now.dataset(planned)),
        "A-slot FTE, next year": aux_fte(next_year.dataset(planned)),
    }
)
quota.loc["district"] = quota.sum()
quota

"""Coverage: the posts with demand, re-derived here from `dataset.demand`, against roster and file.

Uncovered crews are a soft goal (reported, not forbidden), so a shortfall is no violation; what is
checked is that coverage.csv tells the truth about every post, and that no crew is staffed where
nobody asked for one or beyond what was asked.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from allocate.verify.frames import POST_KEY, Context, records
from allocate.verify.report import Violation
from allocate.verify.words import post_words

COUNTS = ("crews_required", "crews_staffed", "shortfall")


def crew_rows(ctx: Context) -> pd.DataFrame:
    """The roster rows that staff a post: inside the horizon, at a known station, shift and task."""
    r = ctx.rows
    return r[ctx.inside(r) & r["known_station"] & r["known_shift"] & r["known_task"]]


def roster_crews(ctx: Context) -> pd.DataFrame:
    """One row per crew and post it is rostered at."""
    return crew_rows(ctx).drop_duplicates([*POST_KEY, "crew_id"])[[*POST_KEY, "crew_id"]]


def post_truth(ctx: Context) -> pd.DataFrame:
    """Every post with demand or a crew, in key order: crews_required and staffed (distinct crews).

    Counted with plain Python dictionaries, as an outer join of the two would be, for the same reason
    as `summarise_crews`: on a station's roster the counting is cheaper than the frame operations.
    """
    posts = zip(*(ctx.posts[c] for c in POST_KEY), strict=True)
    required = dict(zip(posts, ctx.posts["crews_required"], strict=True))
    rows = crew_rows(ctx)
    crews = set(zip(*(rows[c] for c in (*POST_KEY, "crew_id")), strict=True))  # (post, crew) pairs
    staffed = Counter(crew[:-1] for crew in crews)
    keys = sorted(required.keys() | staffed.keys())
    truth = pd.DataFrame.from_records(keys, columns=POST_KEY).astype(object)
    truth["crews_required"] = pd.Series([required.get(k, 0) for k in keys], dtype=int)
    truth["staffed"] = pd.Series([staffed.get(k, 0) for k in keys], dtype=int)
    return truth


def check_coverage(ctx: Context) -> list[Violation]:
    """coverage: crews only where there is demand, never beyond it, and a truthful coverage.csv."""
    truth = post_truth(ctx)
    out = [*crews_beyond_demand(ctx, truth)]
    if ctx.coverage is not None:
        out += coverage_table(ctx.coverage, truth)
    return out


def post_violation(message: str, post: Any) -> Violation:
    return Violation(
        "coverage",
        message,
        date=post.date,
        station_id=post.station_id,
        shift_id=post.shift_id,
        task_id=post.task_id,
    )


def post_text(post: Any) -> str:
    where = post_words(post.station_id, post.date, post.shift_id)
    return f"{post.task_id} {where}"


def crews_beyond_demand(ctx: Context, truth: pd.DataFrame) -> list[Violation]:
    """A crew where nobody asked for one, or more crews than asked, is labour taken from elsewhere."""
    over = truth[truth["staffed"] > truth["crews_required"]]
    if over.empty:
        return []
    crews = roster_crews(ctx).merge(over[POST_KEY], on=POST_KEY)
    crew_ids = crews.sort_values("crew_id").groupby(POST_KEY)["crew_id"].agg(", ".join)
    out = []
    for post in records(over):
        ids = crew_ids[(post.station_id, post.date, post.shift_id, post.task_id)]
        if post.crews_required == 0:
            message = f"{post.staffed} crew(s) on {post_text(post)} ({ids}), which has no demand"
        else:
            message = (
                f"{post_text(post)} is staffed with {post.staffed} crews ({ids}); "
                f"only {post.crews_required} required"
            )
        out.append(post_violation(message, post))
    return out


def coverage_table(table: pd.DataFrame, truth: pd.DataFrame) -> list[Violation]:
    """coverage.csv has one row per post with demand, and its three numbers are the true ones."""
    return [] if tells_the_truth(table, truth) else coverage_differences(table, truth)


def coverage_differences(table: pd.DataFrame, truth: pd.DataFrame) -> list[Violation]:
    """Each way coverage.csv differs from the truth, worded, from a join of the two."""
    out = []
    repeated = table[table.duplicated(POST_KEY, keep="first")].drop_duplicates(POST_KEY)
    for post in records(repeated):
        out.append(post_violation(f"coverage.csv lists {post_text(post)} more than once", post))
    posts = truth[truth["crews_required"] > 0]
    joined = posts.merge(
        table.drop_duplicates(POST_KEY), on=POST_KEY, how="outer", indicator=True, suffixes=("_true", "")
    )
    for post in records(joined[joined["_merge"] == "left_only"]):
        message = (
            f"coverage.csv has no row for {post_text(post)} "
            f"({int(post.crews_required_true)} crew(s) required)"
        )
        out.append(post_violation(message, post))
    extra = joined[joined["_merge"] == "right_only"]
    # A listed post with nothing required and nothing staffed is not a violation (tools list them).
    zero = pd.Series(True, index=extra.index)
    for column in COUNTS:
        zero &= pd.to_numeric(extra[column], errors="coerce").eq(0)
    for post in records(extra[~zero]):
        date = (
            post.date if isinstance(post.date, str) else post.raw_date
        )  # the merge makes a missing date NaN
        where = post_words(post.station_id, date, post.shift_id)
        message = f"coverage.csv has a row for {post.task_id} {where}, which has no demand"
        out.append(post_violation(message, post._replace(date=date)))
    both = joined[joined["_merge"] == "both"].copy()
    both["crews_required_expected"] = both["crews_required_true"].astype(int)
    both["crews_staffed_expected"] = both["staffed"].astype(int)
    both["shortfall_expected"] = both["crews_required_expected"] - both["crews_staffed_expected"]
    wrong = pd.Series(False, index=both.index)
    for column in COUNTS:
        wrong |= both[column].isna() | both[column].ne(both[f"{column}_expected"])
    for post in records(both[wrong]):
        message = f"coverage.csv is wrong for {post_text(post)}: {'; '.join(wrong_counts(post))}"
        out.append(post_violation(message, post))
    return out


def tells_the_truth(table: pd.DataFrame, truth: pd.DataFrame) -> bool:
    """Whether coverage.csv is exactly right: each post with demand listed once with its true
    numbers, and any other row all zeros: exactly when :func:`coverage_differences` finds nothing.
    The usual case, decided with plain dictionaries; only a table that is not is joined to the
    truth to find and word the differences (on a station's table the join cost more than the rest
    of the coverage check).
    A row whose date is not a date is left to the join, which words it.
    """
    keys = list(zip(*(table[c] for c in POST_KEY), strict=True))
    counts = list(zip(*(table[c] for c in COUNTS), strict=True))
    if len(set(keys)) < len(keys) or any(key[1] is None for key in keys):
        return False
    posts = truth[truth["crews_required"] > 0]
    required = zip(*(posts[c] for c in POST_KEY), posts["crews_required"], posts["staffed"], strict=True)
    expected = {(*key,): (need, staffed, need - staffed) for *key, need, staffed in required}
    listed = dict(zip(keys, counts, strict=True))
    if not expected.keys() <= listed.keys():
        return False
    return all(numbers == expected.get(key, (0, 0, 0)) for key, numbers in listed.items())


def wrong_counts(post: Any) -> list[str]:
    """Which of the three numbers of a coverage row differ from demand and roster, in words."""
    wrong = []
    for column in COUNTS:
        text, value = getattr(post, f"{column}_text"), getattr(post, column)
        expected = getattr(post, f"{column}_expected")
        if pd.isna(value) or value != expected:
            wrong.append(f"{column} is {text!r}, should be {expected}")
    return wrong

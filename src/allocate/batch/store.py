"""The batch store: a real database through SQLAlchemy Core (SQLite file or PostgreSQL).

Tables (all prefixed ``batch_`` so a bureau's shared server can hold them beside other things):

- ``batch_runs``: one row per batch run (week, who, when, engine, settings, final counts).
- ``batch_station_weeks``: one row per station and week, unique on (week, station_id): solved or
  failed, solver status, objective, bound, gap, timings, verifier verdict, error, JSON summary.
- ``batch_roster`` / ``batch_coverage``: the output contract's rows, keyed to their station-week.
- ``batch_locks``: at most one row per week: the batch that holds the week (see :mod:`.lock`).
- ``batch_replans`` / ``batch_roster_versions``: a re-plan's audit trail (when, why, from when, how
  many changes) and the roster each re-plan replaced, by version (see :mod:`.replan`). Added
  later: a store without them is still read, and :meth:`Store.create` adds them.

A station-week is written in one transaction with its rows, so a batch killed at any moment leaves
each station either fully stored or absent. The unique key makes a second copy impossible.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pandas as pd
import sqlalchemy as sa

from allocate.batch.storeurl import display, parse_store_url, redact, sqlite_file
from allocate.contract import COVERAGE_COLUMNS, ROSTER_COLUMNS
from allocate.domain import Assignment

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sqlalchemy.engine import Connection, Engine

    from allocate.batch.outcome import StationOutcome

SCHEMA_VERSION = "1"
DEFAULT_URL = "sqlite:///allocate.db"
CONNECT_TIMEOUT = 15  # seconds to reach a PostgreSQL server
# An id in a unique key or an index must fit a PostgreSQL b-tree entry (2,704 bytes): 500 characters
# of up to 4 bytes each, plus the week, always do.
INDEXED_ID_MAX = 500

metadata = sa.MetaData()


def _required(kind: Any, *names: str) -> list[sa.Column]:
    """Columns of one type that every row fills."""
    return [sa.Column(name, kind, nullable=False) for name in names]


def _week_column(*, index: bool) -> sa.Column:
    return sa.Column("week", sa.String(10), nullable=False, **({"index": True} if index else {}))


def _station_week(*, week_index: bool = False) -> list[sa.Column]:
    """The columns a row about one station's week starts with: its id, the week, the station."""
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _week_column(index=week_index),
        sa.Column("station_id", sa.Text, nullable=False),
    ]


def _post_row(*, week_index: bool = False) -> list[sa.Column]:
    """The columns a stored row of a station-week's post starts with: its id, its station-week, its post."""
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "station_week_id", sa.Integer, sa.ForeignKey("batch_station_weeks.id"), nullable=False, index=True
        ),
        _week_column(index=week_index),
        sa.Column("date", sa.Date, nullable=False),
        *_required(sa.Text, "station_id", "shift_id", "task_id"),
    ]


meta_table = sa.Table(
    "batch_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(256), nullable=False),
)

runs = sa.Table(
    "batch_runs",
    metadata,
    sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("week", sa.String(10), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),  # running, done, interrupted, abandoned, error
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("engine", sa.String(32), nullable=False),
    sa.Column("dataset", sa.Text, nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("stations_selected", sa.Integer),
    sa.Column("stations_skipped", sa.Integer),
    sa.Column("stations_solved", sa.Integer),
    sa.Column("stations_failed", sa.Integer),
)

station_weeks = sa.Table(
    "batch_station_weeks",
    metadata,
    *_station_week(),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("batch_runs.run_id"), nullable=False),
    sa.Column("state", sa.String(8), nullable=False),  # solved | failed
    sa.Column("failure", sa.String(16)),
    sa.Column("error", sa.Text),
    sa.Column("solver_status", sa.String(16)),
    sa.Column("objective", sa.Float),
    sa.Column("best_bound", sa.Float),
    sa.Column("gap", sa.Float),
    *_required(sa.Float, "build_seconds", "solve_seconds", "wall_seconds"),
    *_required(sa.Integer, "people", "variables", "crews_required", "crews_staffed", "uncovered_crews"),
    sa.Column("verified", sa.Boolean),
    sa.Column("violations", sa.Integer, nullable=False),
    sa.Column("history_source", sa.String(64), nullable=False),
    sa.Column("worker", sa.String(255), nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
    sa.Column("stored_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("week", "station_id", name="uq_batch_station_week"),
)

roster_rows = sa.Table(
    "batch_roster",
    metadata,
    *_post_row(),
    *_required(sa.Text, "crew_id", "person_id"),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("slot", sa.String(1), nullable=False),
    sa.Column("lead_id", sa.Text),
    sa.Index("ix_batch_roster_week_person", "week", "person_id"),
)

coverage_rows = sa.Table(
    "batch_coverage",
    metadata,
    *_post_row(week_index=True),
    *_required(sa.Integer, "crews_required", "crews_staffed", "shortfall"),
)

locks = sa.Table(
    "batch_locks",
    metadata,
    sa.Column("week", sa.String(10), primary_key=True),  # the lock: one row per week, ever at once
    sa.Column("owner", sa.String(64), nullable=False),
    sa.Column("run_id", sa.Integer),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("acquired_at", sa.Float, nullable=False),  # epoch seconds: portable across backends
    sa.Column("heartbeat_at", sa.Float, nullable=False),
)

replans = sa.Table(
    "batch_replans",
    metadata,
    *_station_week(week_index=True),
    sa.Column("version", sa.Integer, nullable=False),  # the version replaced (1 = the batch's own)
    sa.Column("replanned_at", sa.DateTime, nullable=False),
    sa.Column("cut", sa.String(16), nullable=False),  # YYYY-MM-DDTHH:MM: earlier shifts frozen
    sa.Column("reason", sa.Text, nullable=False),
    *_required(sa.Integer, "changes", "added", "removed", "uncovered_before", "uncovered_after"),
    sa.Column("host", sa.String(255), nullable=False),
)

roster_versions = sa.Table(
    "batch_roster_versions",
    metadata,
    *_station_week(),
    sa.Column("version", sa.Integer, nullable=False),
    *(
        sa.Column(c, sa.Date if c == "date" else sa.Text, nullable=c == "lead_id")
        for c in ROSTER_COLUMNS
        if c != "station_id"
    ),
    sa.Index("ix_batch_roster_versions_week", "week", "station_id", "version"),
)

# Tables added after the first stores were made: their absence does not make a store foreign.
LATER_TABLES = ("batch_replans", "batch_roster_versions")

STATION_WEEK_COLUMNS = [
    "week",
    "station_id",
    "state",
    "failure",
    "error",
    "solver_status",
    "objective",
    "best_bound",
    "gap",
    "build_seconds",
    "solve_seconds",
    "wall_seconds",
    "people",
    "variables",
    "crews_required",
    "crews_staffed",
    "uncovered_crews",
    "verified",
    "violations",
    "history_source",
    "worker",
    "run_id",
    "stored_at",
]


def now() -> dt.datetime:
    """Naive UTC: stored the same way by SQLite and PostgreSQL."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def make_engine(url: sa.URL, *, read_only: bool = False) -> Engine:
    """An engine for a parsed store URL; a read-only SQLite engine never creates or changes the file."""
    if url.drivername.startswith("sqlite"):
        path = Path(url.database or "")
        if read_only:
            uri = f"file:{quote(str(path.resolve()))}?mode=ro"
            engine = sa.create_engine(
                "sqlite://",
                creator=lambda: sqlite3.connect(uri, uri=True, timeout=60, check_same_thread=False),
                poolclass=sa.pool.NullPool,
            )
        else:
            engine = sa.create_engine(url, connect_args={"timeout": 60})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if not read_only:
                cur.execute("PRAGMA journal_mode=WAL")  # readers never block the one writer
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        return engine
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT  # an unreachable host fails, it does not hang
    if read_only:
        connect_args["options"] = "-c default_transaction_read_only=on"
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)


class StoreError(RuntimeError):
    """The store cannot be used as asked; the message says why and never holds a password."""


class StoreMissing(StoreError):
    """A store to read from does not exist, or is not a batch store (a usage error: exit 2)."""


class StoreLimit(StoreError):
    """A value this store cannot hold: an id longer than its column (a usage error: exit 2)."""


class SchemaMismatch(StoreError):
    """The database holds batch tables of another schema version."""


class Store:
    """The repository of batch results. Construct with a URL; :meth:`create` makes the schema.

    `read_only` is for readers such as ``batch-export``: a SQLite file must exist and is opened
    read-only, so a mistyped path never leaves an empty database behind.
    """

    def __init__(self, url: str | sa.URL = DEFAULT_URL, *, read_only: bool = False) -> None:
        parsed = parse_store_url(url) if isinstance(url, str) else url
        self.url = display(parsed)
        self.read_only = read_only
        self.file = file = sqlite_file(parsed)  # the database file of a SQLite store, else None
        if file is not None and file.is_dir():
            raise StoreMissing(f"the store {redact(str(file))} is a folder, not a database file")
        if file is not None and read_only and not file.is_file():
            raise StoreMissing(f"no store at {redact(str(file))}: the file does not exist")
        if file is not None and not read_only and not file.parent.is_dir():
            raise StoreMissing(f"cannot create the store {redact(str(file))}: its folder does not exist")
        self.engine = make_engine(parsed, read_only=read_only)
        self._limits: dict[tuple[str, str], int] = {}

    # -- schema -------------------------------------------------------------------------------

    def create(self) -> Store:
        """Create the tables if they are missing (idempotent, safe under concurrent batches)."""
        try:
            metadata.create_all(self.engine, checkfirst=True)
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
            # Two processes creating the schema at the same time: PostgreSQL lets one of them win.
            metadata.create_all(self.engine, checkfirst=True)
        except sa.exc.DatabaseError as exc:
            self._not_a_database(exc)
            raise
        with self.engine.begin() as conn:
            version = conn.scalar(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version"))
            if version is None:
                try:
                    with conn.begin_nested():
                        conn.execute(meta_table.insert().values(key="schema_version", value=SCHEMA_VERSION))
                except sa.exc.IntegrityError:
                    pass
        return self.check()

    def check(self) -> Store:
        """Check that this is a batch store of our schema version, and learn its column limits."""
        try:
            inspector = sa.inspect(self.engine)
            missing = [
                t.name
                for t in metadata.sorted_tables
                if t.name not in LATER_TABLES and not inspector.has_table(t.name)
            ]
        except sa.exc.DatabaseError as exc:
            self._not_a_database(exc)
            raise
        if missing:
            raise StoreMissing(f"{self.url} is not an allocate batch store (no table {missing[0]})")
        with self.engine.connect() as conn:
            version = conn.scalar(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version"))
        if version is not None and version != SCHEMA_VERSION:
            raise SchemaMismatch(
                f"the store {self.url} holds batch schema version {version}; this allocate "
                f"writes version {SCHEMA_VERSION}"
            )
        self._limits = _limits(inspector, self.engine.dialect.name)
        return self

    def _not_a_database(self, exc: sa.exc.DatabaseError) -> None:
        """Raise :class:`StoreMissing` if `exc` says the SQLite file is something else (a CSV...)."""
        if isinstance(exc.orig, sqlite3.DatabaseError) and "not a database" in str(exc.orig):
            raise StoreMissing(f"{self.url} is not a SQLite database") from None

    def check_ids(self, ids: dict[str, Iterable[str]]) -> None:
        """Raise :class:`StoreLimit` if an id (by column name: station_id, person_id...) cannot be stored.

        Stores created since allocate stores ids as text keep any id up to :data:`INDEXED_ID_MAX`
        characters; an older PostgreSQL store has varchar(64) id columns.
        """
        problems = []
        for column, values in ids.items():
            limit = min((n for (_, col), n in self._limits.items() if col == column), default=None)
            for value in values:
                problem = _id_problem(column, value, limit)
                if problem:
                    problems.append(problem)
        if problems:
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise StoreLimit(f"the store {self.url} cannot hold " + "; ".join(problems[:5]) + more)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs ---------------------------------------------------------------------------------

    def start_run(
        self, week: str, *, host: str, pid: int, engine: str, dataset: str, settings: dict[str, Any]
    ) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                runs.insert().values(
                    week=week,
                    status="running",
                    started_at=now(),
                    host=host,
                    pid=pid,
                    engine=engine,
                    dataset=dataset,
                    settings=settings,
                )
            )
            return int(result.inserted_primary_key[0])

    def finish_run(self, run_id: int, status: str, **counts: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                runs.update()
                .where(runs.c.run_id == run_id)
                .values(status=status, finished_at=now(), **counts)
            )

    def abandon_run(self, run_id: int) -> None:
        """Mark a run whose process died (its lock was taken over) as abandoned."""
        with self.engine.begin() as conn:
            conn.execute(
                runs.update()
                .where(runs.c.run_id == run_id, runs.c.status == "running")
                .values(status="abandoned", finished_at=now())
            )

    def list_runs(self, week: str | None = None) -> pd.DataFrame:
        query = sa.select(runs).order_by(runs.c.run_id)
        if week is not None:
            query = query.where(runs.c.week == week)
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(query).mappings().all(), columns=[c.name for c in runs.c])

    # -- station-weeks ------------------------------------------------------------------------

    def states(self, week: str) -> dict[str, str]:
        """station_id -> "solved" or "failed" for the stations stored for `week`."""
        query = sa.select(station_weeks.c.station_id, station_weeks.c.state).where(
            station_weeks.c.week == week
        )
        with self.engine.connect() as conn:
            return {sid: state for sid, state in conn.execute(query)}

    def save_station(self, run_id: int, outcome: StationOutcome) -> bool:
        """Store one station-week and its rows in ONE transaction.

        A solved station already stored is never stored again (returns False). A failed one is
        replaced, in the same transaction, by the new outcome.
        """
        return self.save_stations(run_id, [outcome])[0]

    def save_stations(self, run_id: int, outcomes: Sequence[StationOutcome]) -> list[bool]:
        """Store several station-weeks (a lending district's, which share one roster) in ONE
        transaction, each as :meth:`save_station` does; whether each was stored."""
        if any(n < INDEXED_ID_MAX for n in self._limits.values()):  # an older store's varchar ids
            column = dict(zip(ROSTER_COLUMNS, range(len(ROSTER_COLUMNS)), strict=True))
            self.check_ids({name: {row[column[name]] for o in outcomes for row in o.roster if row[column[name]]}
                            for name in ("crew_id", "lead_id")})  # fmt: skip
        try:
            with self.engine.begin() as conn:
                return [self._save(conn, run_id, o) for o in outcomes]
        except sa.exc.IntegrityError:  # another writer stored one between our check and our insert:
            return [False] * len(outcomes)  # none of them (a district's roster is all or nothing)

    def _save(self, conn: Connection, run_id: int, o: StationOutcome) -> bool:
        existing = conn.execute(
            sa.select(station_weeks.c.id, station_weeks.c.state).where(
                station_weeks.c.week == o.week, station_weeks.c.station_id == o.station_id
            )
        ).first()
        if existing is not None:
            if existing.state == "solved":
                return False
            for table in (roster_rows, coverage_rows):
                conn.execute(table.delete().where(table.c.station_week_id == existing.id))
            conn.execute(station_weeks.delete().where(station_weeks.c.id == existing.id))
        sw_id = conn.execute(
            station_weeks.insert().values(
                week=o.week,
                station_id=o.station_id,
                run_id=run_id,
                state=o.state,
                failure=o.failure,
                error=None if o.error is None else o.error.replace("\x00", "\\x00"),  # PostgreSQL text
                solver_status=o.solver_status,
                objective=o.objective,
                best_bound=o.bound,
                gap=o.gap,
                build_seconds=o.build_seconds,
                solve_seconds=o.solve_seconds,
                wall_seconds=o.wall_seconds,
                people=o.people,
                variables=o.variables,
                crews_required=o.crews_required,
                crews_staffed=o.crews_staffed,
                uncovered_crews=o.uncovered_crews,
                verified=o.verified,
                violations=o.violations,
                history_source=o.history_source,
                worker=o.worker,
                summary=o.summary,
                stored_at=now(),
            )
        ).inserted_primary_key[0]
        _insert_rows(conn, sw_id, o.week, o.roster, o.coverage)
        return True

    def station_weeks(self, week: str, stations: Iterable[str] | None = None) -> pd.DataFrame:
        """One row per stored station of `week` (no summaries), sorted by station."""
        cols = [station_weeks.c[c] for c in STATION_WEEK_COLUMNS]
        query = sa.select(*cols).where(station_weeks.c.week == week).order_by(station_weeks.c.station_id)
        if stations is not None:
            query = query.where(station_weeks.c.station_id.in_(list(stations)))
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(query).all(), columns=STATION_WEEK_COLUMNS)

    def proofs(self, week: str, stations: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Station -> what its solve proved: the `proof` counts and `soft_gap` of its summary."""
        query = sa.select(station_weeks.c.station_id, station_weeks.c.summary).where(
            station_weeks.c.week == week, station_weeks.c.station_id.in_(list(stations))
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return {sid: _proof(s or {}) for sid, s in rows}

    def summary(self, week: str, station_id: str) -> dict[str, Any] | None:
        query = sa.select(station_weeks.c.summary).where(
            station_weeks.c.week == week, station_weeks.c.station_id == station_id
        )
        with self.engine.connect() as conn:
            return conn.scalar(query)

    # -- rows ---------------------------------------------------------------------------------

    def roster(self, week: str, stations: Iterable[str] | None = None) -> pd.DataFrame:
        """The stored roster of `week` in the output contract's columns (dates as ISO text)."""
        return self._rows(roster_rows, ROSTER_COLUMNS, week, stations, ("date", "crew_id", "person_id"))

    def coverage(self, week: str, stations: Iterable[str] | None = None) -> pd.DataFrame:
        order = ("date", "station_id", "shift_id", "task_id")
        return self._rows(coverage_rows, COVERAGE_COLUMNS, week, stations, order)

    def _rows(
        self,
        table: sa.Table,
        columns: list[str],
        week: str,
        stations: Iterable[str] | None,
        order: tuple[str, ...],
    ) -> pd.DataFrame:
        query = sa.select(*[table.c[c] for c in columns]).where(table.c.week == week)
        if stations is not None:
            query = query.where(table.c.station_id.in_(list(stations)))
        query = query.order_by(*[table.c[c] for c in order])
        with self.engine.connect() as conn:
            frame = pd.DataFrame(conn.execute(query).all(), columns=columns)
        frame["date"] = frame["date"].map(lambda d: d.isoformat())
        return frame

    # -- re-plans -----------------------------------------------------------------------------

    def save_replan(
        self, week: str, station_id: str, roster: Iterable[tuple], coverage: Iterable[tuple],
        counts: dict[str, Any], audit: dict[str, Any],
    ) -> int:  # fmt: skip
        """Replace a solved station-week's rows by a re-plan's, in ONE transaction, keeping the
        replaced roster as a numbered version and an audit row. Returns the version replaced."""
        return self.save_replans(week, [(station_id, roster, coverage, counts, audit)])[0]

    def save_replans(
        self,
        week: str,
        items: Sequence[tuple[str, Iterable[tuple], Iterable[tuple], dict[str, Any], dict[str, Any]]],
    ) -> list[int]:
        """:meth:`save_replan` for several stations (a lending district's, which share one roster)
        in ONE transaction: all of them or none. Returns the versions replaced."""
        with self.engine.begin() as conn:
            return [self._save_replan(conn, week, *item) for item in items]

    def _save_replan(
        self, conn: Connection, week: str, station_id: str, roster: Iterable[tuple],
        coverage: Iterable[tuple], counts: dict[str, Any], audit: dict[str, Any],
    ) -> int:  # fmt: skip
        sw = conn.execute(
            sa.select(station_weeks.c.id, station_weeks.c.state).where(
                station_weeks.c.week == week, station_weeks.c.station_id == station_id
            )
        ).first()
        if sw is None or sw.state != "solved":
            raise StoreError(f"no solved roster of station {station_id} in week {week} to re-plan")
        last = conn.scalar(
            sa.select(sa.func.max(replans.c.version)).where(
                replans.c.week == week, replans.c.station_id == station_id
            )
        )
        version = (last or 0) + 1
        old = conn.execute(
            sa.select(*[roster_rows.c[c] for c in ROSTER_COLUMNS]).where(
                roster_rows.c.station_week_id == sw.id
            )
        ).all()
        if old:
            conn.execute(
                roster_versions.insert(),
                [
                    {"week": week, "version": version, **dict(zip(ROSTER_COLUMNS, r, strict=True))}
                    for r in old
                ],
            )
        conn.execute(
            replans.insert().values(
                week=week, station_id=station_id, version=version, replanned_at=now(), **audit
            )
        )
        for table in (roster_rows, coverage_rows):
            conn.execute(table.delete().where(table.c.station_week_id == sw.id))
        _insert_rows(conn, sw.id, week, roster, coverage)
        conn.execute(
            station_weeks.update().where(station_weeks.c.id == sw.id).values(stored_at=now(), **counts)
        )
        return version

    def replans(self, week: str | None = None) -> pd.DataFrame:
        """The audit trail of re-plans, oldest first (empty for a store from before re-plans)."""
        if not sa.inspect(self.engine).has_table(replans.name):
            return pd.DataFrame(columns=[c.name for c in replans.columns])
        query = sa.select(replans).order_by(replans.c.id)
        if week is not None:
            query = query.where(replans.c.week == week)
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(query).all(), columns=[c.name for c in replans.columns])

    def roster_version(self, week: str, station_id: str, version: int) -> pd.DataFrame:
        """A roster a re-plan replaced, in the output contract's columns."""
        cols = [
            roster_versions.c[c] if c != "station_id" else roster_versions.c.station_id
            for c in ROSTER_COLUMNS
        ]
        query = (
            sa.select(*cols)
            .where(
                roster_versions.c.week == week,
                roster_versions.c.station_id == station_id,
                roster_versions.c.version == version,
            )
            .order_by(roster_versions.c.id)
        )
        with self.engine.connect() as conn:
            frame = pd.DataFrame(conn.execute(query).all(), columns=list(ROSTER_COLUMNS))
        frame["date"] = frame["date"].map(lambda d: d.isoformat())
        return frame

    def history(self, week: str) -> tuple[dict[str, str], dict[str, list[Assignment]]]:
        """What `week` left behind: station states and every stored roster row, by person."""
        states = self.states(week)
        by_person: dict[str, list[Assignment]] = defaultdict(list)
        query = sa.select(*[roster_rows.c[c] for c in ROSTER_COLUMNS]).where(roster_rows.c.week == week)
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                by_person[row.person_id].append(Assignment(*row))
        return states, dict(by_person)


def _proof(summary: dict[str, Any]) -> dict[str, Any]:
    """A stored summary's proof: its counts, soft gap, and which unit it was solved in (a lending
    district's stations share one: its name and stations, e.g. "district D1: S01,S02")."""
    units = summary.get("units") or []
    unit = "; ".join(f"{u.get('name')}: {','.join(u.get('stations') or [])}" for u in units) or None
    return {"proof": summary.get("proof") or {}, "soft_gap": summary.get("soft_gap"), "unit": unit}


def _insert_rows(
    conn: Connection, sw_id: int, week: str, roster: Iterable[tuple], coverage: Iterable[tuple]
) -> None:
    """A station-week's roster and coverage rows (contract order), keyed to its row."""
    for table, columns, rows in (
        (roster_rows, ROSTER_COLUMNS, roster),
        (coverage_rows, COVERAGE_COLUMNS, coverage),
    ):
        values = [
            {"station_week_id": sw_id, "week": week, **dict(zip(columns, r, strict=True))}
            | {"date": _date(r[0])}
            for r in rows
        ]
        if values:
            conn.execute(table.insert(), values)


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


ID_COLUMNS = ("station_id", "shift_id", "task_id", "crew_id", "person_id", "lead_id")
INDEXED_IDS = (("batch_station_weeks", "station_id"), ("batch_roster", "person_id"))


def _limits(inspector: sa.Inspector, dialect: str) -> dict[tuple[str, str], int]:
    """(table, column) -> the longest id it takes: the index bound, or an older store's varchar(n)."""
    limits = dict.fromkeys(INDEXED_IDS, INDEXED_ID_MAX)
    if dialect == "sqlite":  # SQLite never enforces a declared length
        return limits
    for table in (station_weeks, roster_rows, coverage_rows):
        for column in inspector.get_columns(table.name):
            length = getattr(column["type"], "length", None)
            if column["name"] in ID_COLUMNS and length:
                key = (table.name, column["name"])
                limits[key] = min(length, limits.get(key, length))
    return limits


def _id_problem(column: str, value: str, limit: int | None) -> str | None:
    shown = repr(value if len(value) <= 40 else value[:40] + "...")
    if "\x00" in value:
        return f"{column} {shown}: it holds a NUL character"
    if limit is not None and len(value) > limit:
        problem = f"{column} {shown} ({len(value)} characters; at most {limit})"
        if limit < INDEXED_ID_MAX:
            problem += (
                f". This store was made by an earlier allocate with varchar({limit}) id columns: use "
                "a new store, or widen them (ALTER TABLE batch_roster ALTER COLUMN "
                f"{column} TYPE text, and the same in batch_station_weeks and batch_coverage)"
            )
        return problem
    return None

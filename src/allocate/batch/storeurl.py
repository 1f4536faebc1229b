"""The store URL: parsed strictly, shown masked, and its password kept out of every message.

A store URL is one of the forms in :data:`SUPPORTED`. Anything else (a bare file name, another
database, an empty value) is a :class:`StoreURLError` whose message never repeats a password.

Every password met while parsing is remembered for the life of the process, so that
:func:`redact` can scrub it from text that did not come from us: a driver's error, a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote

import sqlalchemy as sa

SUPPORTED = (
    "sqlite:///path/to/file.db (a SQLite file; four slashes for an absolute path) or "
    "postgresql://user@host[:port]/database (PostgreSQL; give the password by ALLOCATE_STORE, "
    "PGPASSWORD or ~/.pgpass rather than on the command line)"
)
SQLITE_DRIVERS = ("sqlite", "sqlite+pysqlite")
POSTGRES_DRIVERS = ("postgresql", "postgres", "postgresql+psycopg")
MASK = "***"
_QUERY_SECRETS = ("password", "passfile", "sslpassword")  # libpq options that hold or point to secrets

_secrets: set[str] = set()


class StoreURLError(ValueError):
    """The store URL is not one this project can use (a usage error: exit 2)."""


def remember_secret(secret: str | None) -> None:
    """Scrub `secret` (and its URL-encoded forms) from everything :func:`redact` sees from now on."""
    if secret:
        _secrets.update({secret, quote(secret, safe=""), quote_plus(secret), unquote(secret)} - {""})


def redact(text: str) -> str:
    """`text` without any password met so far (longest first, so that no fragment is left)."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def _remember_raw(raw: str) -> None:
    """Remember what looks like a password in `raw` before any parsing that might fail on it."""
    _, sep, rest = raw.partition("://")
    if sep and "@" in rest:
        userinfo = rest.rsplit("@", 1)[0]
        _, colon, password = userinfo.partition(":")
        if colon:
            remember_secret(password)
    for key in _QUERY_SECRETS:
        for match in re.finditer(rf"[?&]{key}=([^&]*)", raw, flags=re.IGNORECASE):
            remember_secret(match.group(1))


def _shown(raw: str) -> str:
    """`raw` as it may be printed: masked if it might hold credentials."""
    return redact(raw) if "@" not in raw else "(the value given, not shown: it may hold a password)"


def parse_store_url(raw: str) -> sa.URL:
    """The SQLAlchemy URL of a store, PostgreSQL through psycopg 3; :class:`StoreURLError` otherwise."""
    _remember_raw(raw)
    if not raw.strip():
        raise StoreURLError(f"the store URL is empty. Use {SUPPORTED}")
    if "://" not in raw:
        hint = ""
        if "@" not in raw and Path(raw).suffix.lower() in (".db", ".sqlite", ".sqlite3"):
            hint = f" For a SQLite file write sqlite:///{raw}."
        raise StoreURLError(f"{_shown(raw)!s} is not a database URL.{hint} Use {SUPPORTED}")
    try:
        url = sa.make_url(raw)
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise StoreURLError(f"cannot read the store URL ({redact(str(exc))}). Use {SUPPORTED}") from None
    if url.host and "@" in url.host:  # user:p@ss@host read as password "p", host "ss@host"
        raise StoreURLError(
            "the store URL has more than one '@': write an '@' inside the user name or password "
            "as %40, or give the password by PGPASSWORD or ~/.pgpass"
        )
    remember_secret(url.password if isinstance(url.password, str) else None)
    for key in _QUERY_SECRETS:
        value = url.query.get(key)
        remember_secret(value if isinstance(value, str) else None)
    driver = url.drivername.lower()
    if driver in SQLITE_DRIVERS:
        if not url.database or url.database == ":memory:":
            raise StoreURLError(
                f"the store URL names no SQLite file (an in-memory store keeps nothing). Use {SUPPORTED}"
            )
        return url.set(drivername="sqlite")
    if driver in POSTGRES_DRIVERS:
        return url.set(drivername="postgresql+psycopg")
    raise StoreURLError(
        f"{display(url)} is not a supported store ({url.drivername!r} databases are not). Use {SUPPORTED}"
    )


def display(url: sa.URL) -> str:
    """`url` with its password, and any secret in its query, replaced by ***."""
    text = url.render_as_string(hide_password=True)
    keys = "|".join(_QUERY_SECRETS)
    return redact(re.sub(rf"([?&](?:{keys})=)[^&]*", rf"\g<1>{MASK}", text, flags=re.IGNORECASE))


def sqlite_file(url: sa.URL) -> Path | None:
    """The file of a SQLite store, None for a server store."""
    return Path(url.database) if url.drivername.startswith("sqlite") and url.database else None

"""Line numbers of keys in a TOML text: tomllib gives none, so scan the text.

Good enough for error messages: table headers (``[solver]``, ``[policy.auxiliary]``), arrays of
tables (``[[changes]]``, numbered from 1) and ``key = value`` lines, including dotted keys. A key
inside an inline table or a multi-line value resolves to the line of the key that holds it.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)

Path = tuple[str, ...]


def _parts(dotted: str) -> Path:
    return tuple(
        p.strip().strip("\"'") for p in re.split(r"\.(?=(?:[^\"']*[\"'][^\"']*[\"'])*[^\"']*$)", dotted)
    )


def key_lines(text: str) -> dict[Path, int]:
    """The first line of every table and key, by path; arrays of tables add their 1-based index."""
    out: dict[Path, int] = {}
    table: Path = ()
    counts: dict[Path, int] = {}
    depth = 0  # open brackets/braces of a multi-line value
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count('"""') % 2 or line.count("'''") % 2:
            in_string = not in_string
            if not in_string:
                continue
        elif in_string:
            continue
        if depth == 0:
            header = _HEADER.match(line)
            if header:
                parts = _parts(header.group(2))
                if header.group(1) == "[[":
                    counts[parts] = counts.get(parts, 0) + 1
                    table = (*parts, str(counts[parts]))
                else:
                    table = _with_indexes(parts, counts)
                out.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                out.setdefault((*table, *_parts(key.group(1))), number)
        value = line.split("=", 1)[1] if depth == 0 and "=" in line else line
        value = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|#.*$', "", value)
        depth = max(0, depth + value.count("[") + value.count("{") - value.count("]") - value.count("}"))
    return out


def _with_indexes(parts: Path, counts: dict[Path, int]) -> Path:
    """``[changes.extra]`` under the 2nd ``[[changes]]`` is ``changes/2/extra``."""
    out: list[str] = []
    for part in parts:
        out.append(part)
        if tuple(out) in counts:
            out.append(str(counts[tuple(out)]))
    return tuple(out)


def line_of(lines: dict[Path, int], path: Path, aliases: dict[str, str] | None = None) -> int | None:
    """The line of `path`, else of its nearest enclosing key or table (None: not in the file)."""
    path = tuple(str(p) for p in path)
    while path:
        found = lines.get(path)
        if found is None and aliases and path[-1] in aliases:
            found = lines.get((*path[:-1], aliases[path[-1]]))
        if found is not None:
            return found
        path = path[:-1]
    return None

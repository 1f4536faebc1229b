"""Old name of :mod:`allocate.crew_patterns` (parsing ``1S+2A|2S``), kept for code not yet moved."""

from allocate.crew_patterns import parse_crews

__all__ = ["parse_crews"]

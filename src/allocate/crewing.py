"""Old name of :mod:`allocate.crew_forming` (cutting posts into led crews), kept for code not yet moved."""

from allocate.crew_forming import Crew, form_crews

__all__ = ["Crew", "form_crews"]

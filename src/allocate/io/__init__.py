"""Reading the data contract: tables in, validated domain objects out."""

from allocate.io.errors import InputError, InputIssue

__all__ = ["InputError", "InputIssue"]

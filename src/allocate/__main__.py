"""``python -m allocate``: the same as the `allocate` command."""

from allocate.cli import main

main()

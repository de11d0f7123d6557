"""`python -m handoff`: the same command line as the `handoff` script."""

from handoff.sync.cli import main

main()

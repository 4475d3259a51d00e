"""`python -m starters` is the `valuechain` command."""

from starters.cli import main

main()

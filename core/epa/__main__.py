"""python -m epa: the same as the epa command."""

from epa.cli import main

main()

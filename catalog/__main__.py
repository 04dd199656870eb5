"""`python -m catalog` is the `catalog` command."""

from .cli import main

main()

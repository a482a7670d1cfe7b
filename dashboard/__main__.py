"""`python -m dashboard …` is the same as `malbild …`."""

from dashboard.cli import main

main()

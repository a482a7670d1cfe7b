"""`python -m etl …` is the same as `malbild …`."""

from etl.cli import main

main()

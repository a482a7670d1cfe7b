"""`python -m dashboard …` is the same as `malbild …`."""

from dashboard.launch import main

main()

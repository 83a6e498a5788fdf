"""`python -m cohort` runs the command line."""

from cohort.cli import main

main()

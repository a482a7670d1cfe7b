"""Component ids used by callbacks, in one place (ids that are only markup live in their page)."""

GOAL3_UNITS = "goal3-units"
GOAL3_FORVALTNING = "goal3-forvaltning"
MAIN = "innehall"

"""Command-line starters: one per workflow, plus `people` and the `run` demo."""

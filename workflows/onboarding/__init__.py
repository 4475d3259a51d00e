"""Employee onboarding, all in one place: the process (`process.py`), its four step
workflows, one module each (`background.py`, `equipment.py`, `access.py`,
`training.py`), on the base in `step.py`. Imports nothing: the sandbox imports the package
again before a step's module at every run."""

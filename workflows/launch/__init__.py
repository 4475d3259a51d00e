"""New product launch: the process (`process.py`) and its branch workflow (`branch.py`),
one module each. Imports nothing: the sandbox imports the package again before either
module at every run."""

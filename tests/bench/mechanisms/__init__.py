"""The benchmark's workflows written with the project's mechanisms (A), one workflow a
module as the project's own are: the sandbox imports a run's module afresh for every run,
so a module holding three workflows would make each run pay for defining all three.
Imports nothing, since the sandbox imports this package before each of its modules."""

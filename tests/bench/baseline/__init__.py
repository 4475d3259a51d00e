"""The benchmark's baseline (B): minimal hand-written temporalio workflows doing the same
Temporal work as A's, with none of the project's workflow code; one workflow a module, as
A's (`tests.bench.mechanisms`). Imports nothing, since the sandbox imports this package
before each of its modules."""

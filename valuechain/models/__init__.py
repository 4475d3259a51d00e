"""Typed inputs and outputs of every workflow, activity and update."""

"""Process insight: where time and effort go, from Temporal's own records. `engine` folds
runs' histories into per-step and per-process figures, `reader` pages through
visibility into it, `chart` draws the figures as an HTML page."""

from valuechain.insight.engine import Insight
from valuechain.insight.reader import Reader, gather

__all__ = ["Insight", "Reader", "gather"]

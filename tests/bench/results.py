"""A benchmark's figures: a round's sample, the medians over rounds, the throughput
ratios between variants, and the table printed at the end."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from tests.bench.target import CODEC


@dataclass
class Sample:
    workflows: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float
    peak_memory_mb: float
    history_events: int
    history_bytes: int  # the history's events as stored (payloads encoded: C's encrypted)
    server_cpu_seconds: float | None = None  # per workflow, where the server is measured
    database_cpu_seconds: float | None = None
    replay_cpu_ms: float | None = None  # its first workflow replayed (`tests.bench.replay`)

    @property
    def per_second(self) -> float:
        return self.workflows / self.seconds


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p * len(values)))]


def summarise(samples: list[Sample]) -> dict[str, float | None]:
    med = statistics.median
    server = [s.server_cpu_seconds for s in samples if s.server_cpu_seconds is not None]
    database = [s.database_cpu_seconds for s in samples if s.database_cpu_seconds is not None]
    replays = [s.replay_cpu_ms for s in samples if s.replay_cpu_ms is not None]
    return {
        "workflows_per_second": med(s.per_second for s in samples),
        "p50_seconds": med(pct(s.latencies, 0.50) for s in samples),
        "p95_seconds": med(pct(s.latencies, 0.95) for s in samples),
        "worker_cpu_seconds_per_workflow": med(s.cpu_seconds for s in samples),
        "server_cpu_seconds_per_workflow": med(server) if server else None,
        "database_cpu_seconds_per_workflow": med(database) if database else None,
        "history_events_per_workflow": med(s.history_events for s in samples),
        "history_bytes_per_workflow": med(s.history_bytes for s in samples),
        "peak_worker_memory_mb": med(s.peak_memory_mb for s in samples),
        "replay_cpu_ms_per_workflow": med(replays) if replays else None,
    }


def ratios(summaries: dict[str, dict[str, float | None]]) -> dict[str, float]:
    """Throughput ratios: A/B and C/A (what encryption costs), or each of A's feature
    variants over B."""

    def rate(v: str) -> float:
        return summaries[v]["workflows_per_second"] or 0.0

    if CODEC in summaries:
        return {"A": rate("A") / (rate("B") or 1), CODEC: rate(CODEC) / (rate("A") or 1)}
    return {v: rate(v) / (rate("B") or 1) for v in summaries if v != "B"}


def table(report: dict[str, Any]) -> str:
    """One row per scenario, topology, worker processes and variant. cpu is the workers'
    CPU per workflow; rpl the workflow side of it, milliseconds per run, by replaying the
    first round's first history; srv and pg the server's and PostgreSQL's, where measured;
    the ratio is A/B on A's row, C/A (the codec's cost) on C's, and a feature variant's
    throughput over B's on its row."""
    rows = [f"{'scenario':40} {'on':7} {'w':>1} {'':4} {'wf/s':>6} {'p50 s':>6} {'p95 s':>6}"
            f" {'cpu s/wf':>8} {'rpl ms':>6} {'srv s/wf':>8} {'pg s/wf':>7} {'events':>6} {'KB':>5}"
            f" {'mem MB':>6}"
            f" {'ratio':>5}"]  # fmt: skip

    def opt(value: float | None, width: int, decimals: int = 4) -> str:
        return f"{value:{width}.{decimals}f}" if value is not None else f"{'-':>{width}}"

    for s in report["scenarios"]:
        on = "cluster" if s.get("topology") == "cluster" else "dev"
        for v in s["variants"]:
            m = s[v]
            ratio_text = f"{s['ratios'][v]:5.2f}" if v in s["ratios"] else ""
            rows.append(
                f"{s['scenario'][:40]:40} {on:7} {s.get('worker_processes', 1):1} {v:4}"
                f" {m['workflows_per_second']:6.1f}"
                f" {m['p50_seconds']:6.3f} {m['p95_seconds']:6.3f}"
                f" {m['worker_cpu_seconds_per_workflow']:8.4f}"
                f" {opt(m.get('replay_cpu_ms_per_workflow'), 6, 2)}"
                f" {opt(m.get('server_cpu_seconds_per_workflow'), 8)}"
                f" {opt(m.get('database_cpu_seconds_per_workflow'), 7)}"
                f" {m['history_events_per_workflow']:6.0f}"
                f" {m.get('history_bytes_per_workflow', 0) / 1024:5.1f}"
                f" {m['peak_worker_memory_mb']:6.0f} {ratio_text}"
            )
    return "\n".join(rows)

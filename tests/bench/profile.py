"""Where a bench worker's busy time goes (`python -m tests.bench --profile DIR`): py-spy
samples each worker process of a measured round (raw stacks into DIR, one file a
scenario, variant and round), and each sample is put under a part of the work. A part
that names what a whole call is for (the sandbox's per-run import, its per-payload entry,
payload conversion, an activity) takes every sample in which it stands, the first of
them in `WHOLE` order; any other sample goes to the innermost frame's owner (the
project's workflow code, the SDK) or to the interpreter. Shares are of the samples in
which a thread was busy; py-spy runs beside the worker without pausing it
(`--nonblocking`).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

# A part that takes every sample it stands in, wherever in the stack, the first listed.
WHOLE: list[tuple[str, tuple[str, ...]]] = [
    ("sandbox: a run's modules imported", (
        "SandboxedWorkflowRunner.create_instance", "_Instance._create_instance",
    )),
    ("sandbox: entered per payload", (
        "_Instance.get_serialization_context", "_Instance.get_external_store_context",
    )),
    ("payloads converted (pydantic, JSON)", (
        "_payload_converter.py", "pydantic", "_data_converter.py", "json/",
    )),
    ("notices (outbox insert)", ("activities/notifier.py",)),
    ("bookings and order steps", ("activities/", "valuechain/records/")),
]  # fmt: skip
# Otherwise the innermost frame that one of these owns.
OWNERS: list[tuple[str, tuple[str, ...]]] = [
    ("the project's workflow code", ("workflows/", "tests/bench/mechanisms/")),
    ("the baseline's workflow code", ("tests/bench/baseline/",)),
    ("SDK and core bridge", ("temporalio/",)),
]
PARTS = [*WHOLE, *OWNERS]
OTHER = "interpreter, event loop and threads"
NATIVE = "native threads (no Python frame)"
# A thread waiting for work (innermost, the wait is in C): py-spy, not pausing the
# process, cannot always tell.
IDLE = ("_worker (concurrent/futures/thread.py:", "EpollSelector.select (selectors.py:")
PY_SPY = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?)(?::\d+)?\)$")

NAMES = [*(part for part, _ in PARTS), OTHER, NATIVE]
SHORT = dict(zip(NAMES, ["import", "payload", "convert", "notices", "bookings", "project",
                         "baseline", "SDK", "interp", "native"], strict=True))  # fmt: skip


def part_of(stack: list[str]) -> str | None:
    """The part a sample's stack is in; None for a thread that was waiting."""
    if stack[-1].startswith(IDLE):
        return None
    if not any(stack):
        return NATIVE
    frames = [_text(frame) for frame in stack]
    for part, marks in WHOLE:
        if any(mark in text for text in frames for mark in marks):
            return part
    for text in reversed(frames):
        for part, marks in OWNERS:
            if any(mark in text for mark in marks):
                return part
    return OTHER


def _text(frame: str) -> str:
    found = FRAME.match(frame)
    return f"{found['function']} {found['file']}" if found else frame


def read(raw: Path) -> Counter[str]:
    """Samples per part, from py-spy's raw output (`frame;frame;... count` a line)."""
    parts: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        part = part_of(stack.split(";")) if count.isdigit() else None
        if part is not None:
            parts[part] += int(count)
    return parts


class Spy:
    """py-spy recording one process until it exits."""

    def __init__(self, pid: int, out: Path, rate: int = 250) -> None:
        self.pid, self.out, self.rate = pid, out, rate
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.proc = await asyncio.create_subprocess_exec(
            PY_SPY, "record", "--pid", str(self.pid), "--rate", str(self.rate),
            "--format", "raw", "--nonblocking", "--output", str(self.out),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip

    async def wait(self) -> None:
        """py-spy writes its file once the process it records has exited."""
        if self.proc is None:
            return
        _, err = await asyncio.wait_for(self.proc.communicate(), timeout=60)
        if not self.out.exists():
            raise RuntimeError(f"py-spy recorded nothing for {self.pid}: {err.decode()[-500:]}")


def shares(files: Iterable[Path]) -> dict[str, float]:
    total: Counter[str] = Counter()
    for raw in files:
        total.update(read(raw))
    busy = sum(total.values()) or 1
    return {part: total[part] / busy for part in NAMES}


def table(folder: Path, rows: list[tuple[str, str, float]], where: str) -> str:
    """One row a scenario and variant (with its worker CPU per workflow), one column a
    part: its share of the busy samples. `where`: the topology and worker count, as
    `dev1` or `cluster4`."""
    heads = [SHORT[part] for part in NAMES]
    lines = [f"{'scenario':38} {'':4} {'cpu ms':>6}" + "".join(f" {h:>8}" for h in heads)]
    for scenario, variant, cpu in rows:
        found = shares(sorted(folder.glob(f"{slug(scenario)}-{variant}-{where}-*.txt")))
        cells = "".join(f" {found[part]:8.0%}" for part in NAMES)
        lines.append(f"{scenario[:38]:38} {variant:4} {cpu * 1000:6.1f}{cells}")
    lines.append("")
    lines.extend(f"{SHORT[part]:>8}: {part}" for part in NAMES)
    return "\n".join(lines)


def slug(scenario: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", scenario.lower()).strip("-")[:24]

"""Find or build the Temporal CLI (dev server) that runs, tests and CI all use.

Order: the explicit `VALUECHAIN_TEMPORAL_CLI` path, then `temporal` on PATH (if it is the
pinned version), then a cached build outside the repo, then `go install` into that cache;
when none of these works, `None` tells the caller to let the SDK download the dev server.

Standard library only: `make` runs it before the virtual environment matters.
Run `python -m valuechain.devserver` to print the path (building it if needed).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI_VERSION = "1.5.1"
SERVER_VERSION = "1.29.1"  # what CLI v1.5.1 embeds
CLI_MODULE = "github.com/temporalio/cli/cmd/temporal"


class DevServerError(RuntimeError):
    pass


def _say(message: str) -> None:
    print(f"[temporal-cli] {message}", file=sys.stderr, flush=True)


def cache_dir() -> Path:
    explicit = os.environ.get("VALUECHAIN_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "valuechain"


def cached_binary() -> Path:
    return cache_dir() / "temporal-cli" / f"v{CLI_VERSION}" / "temporal"


def binary_version(path: Path) -> str | None:
    """The `temporal --version` line, or None when the binary does not run."""
    try:
        out = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out.strip() or None


def is_pinned(version: str | None) -> bool:
    """Release builds say `version 1.5.1`; `go install` builds say `0.0.0-DEV` but still
    name the embedded server, which identifies the CLI release."""
    if not version:
        return False
    match = re.search(r"version\s+v?(\S+)", version)
    return (match is not None and match.group(1) == CLI_VERSION) or (
        f"Server {SERVER_VERSION}" in version
    )


def find_temporal_cli(build: bool = True) -> Path | None:
    explicit = os.environ.get("VALUECHAIN_TEMPORAL_CLI")
    if explicit:
        path = Path(explicit).expanduser()
        version = binary_version(path)
        if version is None:
            raise DevServerError(
                f"VALUECHAIN_TEMPORAL_CLI={explicit} is not a working temporal binary"
            )
        _say(f"using {path} ({version}, from VALUECHAIN_TEMPORAL_CLI)")
        return path

    on_path = shutil.which("temporal")
    if on_path:
        version = binary_version(Path(on_path))
        if is_pinned(version):
            _say(f"using {on_path} from PATH ({version})")
            return Path(on_path)
        _say(f"ignoring {on_path} on PATH: {version}; need CLI {CLI_VERSION}")

    cached = cached_binary()
    if is_pinned(binary_version(cached)):
        _say(f"using cached build {cached}")
        return cached

    if build and shutil.which("go"):
        return _go_install(cached)

    _say("no temporal binary and no Go toolchain: the SDK will download the dev server")
    return None


def _go_install(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / ".build.lock"
    with open(lock_path, "w") as lock:
        # Tests and `make run` may ask at once: one builds, the other waits for it.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_pinned(binary_version(target)):
            _say(f"using cached build {target} (built by another process)")
            return target
        with tempfile.TemporaryDirectory(dir=target.parent) as gobin:
            _say(
                f"building {CLI_MODULE}@v{CLI_VERSION} with `go install` into {target.parent}"
                " (a few minutes on two cores; later runs use the cache)"
            )
            env = {**os.environ, "GOBIN": gobin}
            started = time.monotonic()
            proc = subprocess.Popen(
                ["go", "install", "-v", f"{CLI_MODULE}@v{CLI_VERSION}"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            assert proc.stdout is not None
            downloaded = compiled = 0
            tail: list[str] = []
            for line in proc.stdout:
                line = line.rstrip()
                tail = [*tail[-19:], line]
                if line.startswith("go: downloading"):
                    downloaded += 1
                else:
                    compiled += 1
                if (downloaded + compiled) % 100 == 0:
                    _say(
                        f"  ... {downloaded} modules downloaded, {compiled} packages built"
                        f" ({time.monotonic() - started:.0f}s)"
                    )
            if proc.wait() != 0:
                raise DevServerError("go install failed:\n" + "\n".join(tail))
            os.replace(Path(gobin) / "temporal", target)
        _say(f"built {target} in {time.monotonic() - started:.0f}s")
        return target


def main() -> int:
    try:
        path = find_temporal_cli()
    except DevServerError as err:
        _say(str(err))
        return 1
    print(path if path else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Find or build the Go binaries the project runs: the Temporal CLI (dev server) for
`make run` and the tests, and for `make cluster` the Temporal server, its SQL schema tool
and the Web UI server.

For each, in this order: an explicit path setting (`VALUECHAIN_TEMPORAL_CLI`, ...), then
the command on PATH if it is the pinned version, then a build cached outside the repo
(`$VALUECHAIN_CACHE_DIR/<name>/<version>/`), else `go install` of the pinned module into
that cache, with progress lines. Versions are exact: the module proxy here is filtered
and a newer version may not resolve.

Standard library only: `make` runs it before the virtual environment matters.
`python -m valuechain.cluster.binaries [NAME ...]` prints each path, building what is missing
(`cli` by default; `cluster` for the three cluster binaries).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class BinaryError(RuntimeError):
    """A binary cannot be found or built; the message says which and why."""


@dataclass(frozen=True)
class GoBinary:
    name: str  # the file name in the cache, and the command on PATH
    module: str  # what `go install` builds
    version: str  # the pinned module version
    setting: str  # environment variable with an explicit path
    version_marks: tuple[str, ...]  # any of these in its `--version` identifies the pin
    build_tags: tuple[str, ...] = ()
    cgo: bool = True
    cache_name: str = ""  # the cache folder, when not the binary's name

    @property
    def cached(self) -> Path:
        return cache_dir() / (self.cache_name or self.name) / self.version / self.name

    def identifies(self, version_output: str | None) -> bool:
        return bool(version_output) and any(m in version_output for m in self.version_marks)  # type: ignore[operator]


CLI_VERSION = "1.5.1"
SERVER_VERSION = "1.29.2"
UI_SERVER_VERSION = "2.42.1"

# `go install` builds of the CLI say `0.0.0-DEV` but name the server they embed (1.29.1),
# which identifies the CLI release.
CLI = GoBinary(
    name="temporal",
    module="github.com/temporalio/cli/cmd/temporal",
    version=f"v{CLI_VERSION}",
    setting="VALUECHAIN_TEMPORAL_CLI",
    version_marks=(f"version {CLI_VERSION}", "Server 1.29.1"),
    cache_name="temporal-cli",
)


def _server_tool(name: str, command: str, setting: str) -> GoBinary:
    """A command of the Temporal server's module, at the server's version."""
    return GoBinary(
        name=name,
        module=f"go.temporal.io/server/cmd/{command}",
        version=f"v{SERVER_VERSION}",
        setting=setting,
        version_marks=(f"version {SERVER_VERSION}",),
        build_tags=("disable_grpc_modules",),
        cgo=False,
    )


SERVER = _server_tool("temporal-server", "server", "VALUECHAIN_TEMPORAL_SERVER")
SQL_TOOL = _server_tool("temporal-sql-tool", "tools/sql", "VALUECHAIN_TEMPORAL_SQL_TOOL")
UI_SERVER = GoBinary(
    name="temporal-ui-server",
    module="github.com/temporalio/ui-server/v2/cmd/server",
    version=f"v{UI_SERVER_VERSION}",
    setting="VALUECHAIN_TEMPORAL_UI_SERVER",
    version_marks=(UI_SERVER_VERSION,),
    cgo=False,
)
CLUSTER = (SERVER, SQL_TOOL, UI_SERVER)
BY_NAME = {"cli": (CLI,), "cluster": CLUSTER, **{b.name: (b,) for b in (CLI, *CLUSTER)}}


def _say(binary: GoBinary, message: str) -> None:
    print(f"[{binary.name}] {message}", file=sys.stderr, flush=True)


def cache_dir() -> Path:
    explicit = os.environ.get("VALUECHAIN_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "valuechain"


def version_of(binary: GoBinary, path: Path) -> str | None:
    """What the binary says of its version, or None when it does not run."""
    try:
        done = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    out = (done.stdout + done.stderr).strip()
    return out or None


def find(binary: GoBinary, build: bool = True) -> Path | None:
    """The path of a working pinned binary; None when there is none and no Go to build
    it (or `build` is False)."""
    explicit = os.environ.get(binary.setting)
    if explicit:
        path = Path(explicit).expanduser()
        version = version_of(binary, path)
        if version is None:
            raise BinaryError(f"{binary.setting}={explicit} is not a working {binary.name}")
        _say(binary, f"using {path} (from {binary.setting})")
        return path

    on_path = shutil.which(binary.name)
    if on_path:
        version = version_of(binary, Path(on_path))
        if binary.identifies(version):
            _say(binary, f"using {on_path} from PATH")
            return Path(on_path)
        _say(binary, f"ignoring {on_path} on PATH: not {binary.version}")

    if binary.identifies(version_of(binary, binary.cached)):
        _say(binary, f"using cached build {binary.cached}")
        return binary.cached

    if build and shutil.which("go"):
        return _go_install(binary)
    return None


def require(binary: GoBinary) -> Path:
    path = find(binary)
    if path is None:
        raise BinaryError(
            f"no {binary.name} {binary.version} and no Go toolchain to build it: install Go,"
            f" or set {binary.setting} to the binary"
        )
    return path


def find_temporal_cli(build: bool = True) -> Path | None:
    """The dev server binary; None where there is none and no Go (or `build` is False):
    the SDK then downloads the dev server itself."""
    path = find(CLI, build)
    if path is None:
        _say(CLI, "no temporal binary and no Go toolchain: the SDK will download the dev server")
    return path


def module_dir(binary: GoBinary) -> Path:
    """The binary's module source in Go's module cache (the UI server reads its config
    from there), downloaded when the cache no longer has it."""
    require(binary)
    root = binary.module.split("/cmd/")[0]
    if shutil.which("go") is None:
        raise BinaryError(f"{binary.name} reads its config from its Go module: install Go")
    done = subprocess.run(
        ["go", "mod", "download", "-json", f"{root}@{binary.version}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        path = Path(json.loads(done.stdout)["Dir"])
    except (ValueError, KeyError):
        raise BinaryError(f"{binary.name}: module source not found: {done.stderr}") from None
    return path


def _go_install(binary: GoBinary) -> Path:
    target = binary.cached
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".build.lock", "w") as lock:
        # Several commands may ask at once: one builds, the others wait for it.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if binary.identifies(version_of(binary, target)):
            _say(binary, f"using cached build {target} (built by another process)")
            return target
        with tempfile.TemporaryDirectory(dir=target.parent) as gobin:
            _say(
                binary,
                f"building {binary.module}@{binary.version} with `go install` into"
                f" {target.parent} (minutes on two cores; later runs use the cache)",
            )
            env = {**os.environ, "GOBIN": gobin, "CGO_ENABLED": "1" if binary.cgo else "0"}
            cmd = ["go", "install", "-v"]
            if binary.build_tags:
                cmd += ["-tags", ",".join(binary.build_tags)]
            started = time.monotonic()
            proc = subprocess.Popen(
                [*cmd, f"{binary.module}@{binary.version}"],
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
                        binary,
                        f"  ... {downloaded} modules downloaded, {compiled} packages built"
                        f" ({time.monotonic() - started:.0f}s)",
                    )
            if proc.wait() != 0:
                raise BinaryError(f"go install {binary.module} failed:\n" + "\n".join(tail))
            built = next(Path(gobin).iterdir())  # the module's command name (`server`...)
            os.replace(built, target)
        _say(binary, f"built {target} in {time.monotonic() - started:.0f}s")
        return target


def main(argv: list[str]) -> int:
    names = argv or ["cli"]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        print(f"unknown binary {unknown[0]!r}; one of {', '.join(BY_NAME)}", file=sys.stderr)
        return 2
    try:
        for name in names:
            for binary in BY_NAME[name]:
                path = find(binary)
                print(path if path else "")
    except BinaryError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

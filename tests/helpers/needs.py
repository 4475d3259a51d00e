"""Tools from Debian's packages that some tests need: where one is missing, those tests
are skipped with a message saying how to get it, except in CI, which must run them all."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from valuechain.cluster.postgres import find_bin_dir

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def need(found: object, what: str, package: str) -> None:
    if found:
        return
    if os.environ.get("CI"):
        raise RuntimeError(f"CI must run the {what} tests: install Debian's {package} package")
    pytest.skip(f"no {what}: `apt-get install {package}` (CI installs it)", allow_module_level=True)


def need_chromium() -> str:
    need(CHROMIUM, "browser", "chromium")
    assert CHROMIUM is not None
    return CHROMIUM


def need_postgres() -> Path:
    found = find_bin_dir()
    need(found, "PostgreSQL", "postgresql")
    assert found is not None
    return found

"""Files that hold a credential (`valuechain/private.py`): owner-only, whole, and one
secret for every process that asks for it first at the same moment."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from valuechain.private import secret_made_once, write_private


def test_processes_started_together_get_one_secret(tmp_path: Path) -> None:
    """`make run` starts the task list and the codec server at once, and both read the
    task list's session secret: two secrets would refuse every sign-in at one of them,
    and two writers of one temporary file crashed one of them."""
    path = tmp_path / "tasklist.secret"
    askers = 16
    barrier = threading.Barrier(askers)
    got: list[str] = []
    failed: list[BaseException] = []

    def ask() -> None:
        barrier.wait()
        try:
            got.append(secret_made_once(path))
        except BaseException as err:  # a thread's error would otherwise go unseen
            failed.append(err)

    threads = [threading.Thread(target=ask) for _ in range(askers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failed == []
    assert len(got) == askers
    assert set(got) == {path.read_text().strip()}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["tasklist.secret"]  # nothing left over


def test_a_file_not_to_be_replaced_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "key.toml"
    write_private(path, b"first\n", replace=False)
    with pytest.raises(FileExistsError):
        write_private(path, b"second\n", replace=False)
    write_private(tmp_path / "settings.toml", b"a\n")
    write_private(tmp_path / "settings.toml", b"b\n")  # replaced whole
    assert (path.read_bytes(), (tmp_path / "settings.toml").read_bytes()) == (b"first\n", b"b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.toml", "settings.toml"]

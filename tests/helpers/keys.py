"""The test session's keys (the task list's, an administrator's, the partners'), every
test run's trust in them, and the same keys as files for the processes tests run."""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from starters.simulation.people import Signers
from valuechain.identity.keys import SigningKey, new_key, trust_key, write_key
from valuechain.models.common import Trust
from valuechain.models.human import DecisionInput

# The test session's keys: the task list's (people's decisions), an administrator's,
# and the partners' (carrier and bank events). Every test run trusts them.
TASKLIST_KEY = new_key("test-tasklist", "tasklist", "tasklist")
ADMIN_KEY = new_key("test-admin", "ops", "admin")
PARTNER_KEY = new_key("test-partners", "carrier-and-bank", "partner")
TRUST = Trust(keys=[k.trusted() for k in (TASKLIST_KEY, ADMIN_KEY, PARTNER_KEY)])
SIGNERS = Signers(tasklist=TASKLIST_KEY, partners=PARTNER_KEY)  # the demo's people and partners


@dataclass(frozen=True)
class KeyFiles:
    trust: Path
    tasklist: Path
    admin: Path
    partners: Path


@functools.cache
def key_files() -> KeyFiles:
    """The session's keys as files, for the processes tests run (written once)."""
    folder = Path(tempfile.mkdtemp(prefix="valuechain-keys-"))
    files = KeyFiles(
        folder / "trust.toml",
        folder / "tasklist.key",
        folder / "admin.key",
        folder / "partners.key",
    )
    written = {files.tasklist: TASKLIST_KEY, files.admin: ADMIN_KEY, files.partners: PARTNER_KEY}
    for path, key in written.items():
        write_key(path, key)
        trust_key(files.trust, key.trusted())
    return files


def signed(
    workflow_id: str, decision: DecisionInput, key: SigningKey = TASKLIST_KEY
) -> DecisionInput:
    """The decision as the task list sends it: signed for this run and task, now."""
    return key.signed(workflow_id, decision.task_id, decision)

"""Settings from the environment, the roster file, and finding the `temporal` binary."""

from __future__ import annotations

import stat
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from valuechain.cluster import binaries
from valuechain.costs import load_costs
from valuechain.runcontext import build_context, load_roster
from valuechain.settings import Settings, SettingsError, env_var


def test_defaults_and_overrides() -> None:
    default = Settings.from_env({})
    assert default.temporal_address == "localhost:7233"
    assert default.effective_database_url.endswith(".valuechain/records.db")
    custom = Settings.from_env(
        {
            "TEMPORAL_ADDRESS": "temporal:7233",
            "VALUECHAIN_HUMAN_DUE_SECONDS": "90",
            "VALUECHAIN_RETRY_MAX_ATTEMPTS": "3",
            "VALUECHAIN_DATABASE_URL": "postgresql://records/valuechain",
        }
    )
    assert custom.temporal_address == "temporal:7233"
    assert custom.human_due == timedelta(seconds=90)
    assert custom.effective_database_url == "postgresql://records/valuechain"
    ctx = build_context(custom)
    assert ctx.clocks.due_after == timedelta(seconds=90)
    assert ctx.activities.maximum_attempts == 3
    assert ctx.people.holds("maria", "manager")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VALUECHAIN_HUMAN_DUE_SECONDS": "soon"},
         "VALUECHAIN_HUMAN_DUE_SECONDS='soon': Input should be a valid number"),
        ({"VALUECHAIN_HUMAN_REMIND_SECONDS": "0"},
         "VALUECHAIN_HUMAN_REMIND_SECONDS='0': Input should be greater than 0"),
        ({"VALUECHAIN_RETRY_MAX_ATTEMPTS": "1.5"},
         "VALUECHAIN_RETRY_MAX_ATTEMPTS='1.5': Input should be a valid integer"),
        ({"VALUECHAIN_LOG_FORMAT": "xml"},
         "VALUECHAIN_LOG_FORMAT='xml': Input should be 'console' or 'json'"),
        ({"VALUECHAIN_RETRY_BACKOFF": "0.5"},
         "VALUECHAIN_RETRY_BACKOFF='0.5': Input should be greater than or equal to 1"),
        ({"VALUECHAIN_METRICS_PORT": "70000"},
         "VALUECHAIN_METRICS_PORT='70000': Input should be less than or equal to 65535"),
        ({"VALUECHAIN_APPROVALS_QUEUE": "x" * 201},
         "VALUECHAIN_APPROVALS_QUEUE='x+': String should have at most 200 characters"),
    ],
)  # fmt: skip
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_every_bad_setting_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"VALUECHAIN_LOG_LEVEL": "loud", "VALUECHAIN_UI_PORT": "-1"})
    assert "VALUECHAIN_LOG_LEVEL='loud'" in str(err.value)
    assert "VALUECHAIN_UI_PORT='-1'" in str(err.value)


def test_settings_read_only_their_own_variables() -> None:
    """An empty variable is an unset one; `Settings()` reads no environment at all."""
    assert Settings.from_env({"VALUECHAIN_METRICS_PORT": ""}).metrics_port == 9464
    assert Settings.from_env({"VALUECHAIN_LOG_LEVEL": "debug"}).log_level == "DEBUG"
    assert Settings.from_env({"VALUECHAIN_STATE_DIR": "~/v"}).state_dir == Path.home() / "v"
    assert Settings(metrics_port=1).metrics_port == 1


def test_the_readme_documents_every_setting() -> None:
    """Each VALUECHAIN_ variable of the settings model has its row in the README's table,
    with the model's default, and a description in the model."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    rows = {
        line.split("`")[1]: line.split("|")[2].strip()
        for line in readme.splitlines()
        if line.startswith("| `VALUECHAIN_")
    }
    settings = {env_var(name): name for name in Settings.env_fields()}
    assert set(settings) <= set(rows), f"not in the README: {sorted(set(settings) - set(rows))}"
    for var, name in settings.items():
        field = Settings.model_fields[name]
        assert field.description, f"{name} has no description"
        default = field.default
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            shown = rows[var].split()[0].strip("`")
            assert float(shown) == float(default), f"{var}: README says {shown}, code {default}"


def test_shipped_costs_load_and_bad_costs_name_the_field(tmp_path: Path) -> None:
    shipped = load_costs(Settings())
    assert shipped.of("Collection", "payment") == Decimal("0.35")  # the type's own price
    assert shipped.of("OrderToCash", "payment") == Decimal("0.25")  # every type's
    assert shipped.of("OrderToCash", "not_priced") == 0
    bad = tmp_path / "costs.toml"
    bad.write_text('currency = "euro"\n[steps]\nreview = "ten"\n')
    with pytest.raises(SettingsError) as err:
        load_costs(Settings(costs_file=str(bad)))
    assert "currency: String should match pattern" in str(err.value)
    assert "steps.review: Input should be a valid decimal" in str(err.value)


def test_roster_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "roster.toml"
    bad.write_text('[people]\nmaria = "manager"\n')
    with pytest.raises(
        SettingsError, match=f"(?s)roster file {bad}:.*people.maria: Input should be a valid list"
    ):
        load_roster(str(bad))
    with pytest.raises(SettingsError, match="No such file"):
        load_roster(str(tmp_path / "missing.toml"))
    good = tmp_path / "good.toml"
    good.write_text('[people]\nzoe = ["manager"]\n')
    assert load_roster(str(good)).holders("manager") == ["zoe"]


def fake_temporal(folder: Path, version_line: str, name: str = "temporal") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\necho '{version_line}'\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


GO_BUILD = "temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1)"
RELEASE = "temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)"
OTHER = "temporal version 1.4.0 (Server 1.28.0, UI 2.39.0)"


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No temporal, no go: an empty PATH and a cache of our own."""
    for b in (binaries.CLI, *binaries.CLUSTER):
        monkeypatch.delenv(b.setting, raising=False)
    monkeypatch.setenv("VALUECHAIN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    (tmp_path / "bin").mkdir()
    return tmp_path


def test_finder_prefers_the_explicit_path(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = fake_temporal(isolated / "mine", OTHER)
    fake_temporal(isolated / "bin", RELEASE)
    monkeypatch.setenv("VALUECHAIN_TEMPORAL_CLI", str(explicit))
    assert binaries.find_temporal_cli() == explicit
    monkeypatch.setenv("VALUECHAIN_TEMPORAL_CLI", str(isolated / "nothing-here"))
    with pytest.raises(binaries.BinaryError, match="VALUECHAIN_TEMPORAL_CLI="):
        binaries.find_temporal_cli()


def test_finder_takes_path_only_at_the_pinned_version(isolated: Path) -> None:
    on_path = fake_temporal(isolated / "bin", RELEASE)
    assert binaries.find_temporal_cli() == on_path
    fake_temporal(isolated / "bin", OTHER)
    assert binaries.find_temporal_cli() is None  # no cache, no go: the SDK downloads
    cached = fake_temporal(binaries.CLI.cached.parent, GO_BUILD)
    assert binaries.find_temporal_cli() == cached


@pytest.mark.parametrize("binary", binaries.CLUSTER, ids=lambda b: b.name)
def test_the_cluster_binaries_are_found_at_their_pinned_versions(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, binary: binaries.GoBinary
) -> None:
    pinned = binary.version.lstrip("v")
    right = f"{binary.name} version {pinned}" if "ui" not in binary.name else f"UI {pinned}"
    fake_temporal(isolated / "bin", f"{binary.name} version 0.9.0", binary.name)
    assert binaries.find(binary, build=False) is None  # another version on PATH: not used
    cached = fake_temporal(binary.cached.parent, right, binary.name)
    assert binaries.find(binary, build=False) == cached
    on_path = fake_temporal(isolated / "bin", right, binary.name)
    assert binaries.find(binary, build=False) == on_path
    monkeypatch.setenv(binary.setting, str(isolated / "missing"))
    with pytest.raises(binaries.BinaryError, match=f"{binary.setting}="):
        binaries.find(binary)
    monkeypatch.delenv(binary.setting)
    (isolated / "bin" / binary.name).unlink()
    cached.unlink()
    with pytest.raises(binaries.BinaryError, match=f"set {binary.setting}"):
        binaries.require(binary)  # no Go on this PATH: says what to do


def test_connection_settings_are_temporals_own(tmp_path: Path) -> None:
    profiles = tmp_path / "temporal.toml"
    profiles.write_text(
        '[profile.prod]\naddress = "prod.example:7233"\nnamespace = "orders"\n'
        '[profile.prod.tls]\nserver_name = "temporal-frontend"\n'
    )
    by_profile = Settings.from_env(
        {"TEMPORAL_CONFIG_FILE": str(profiles), "TEMPORAL_PROFILE": "prod"}
    )
    assert (by_profile.temporal_address, by_profile.namespace) == ("prod.example:7233", "orders")
    assert by_profile.temporal.secure
    overridden = Settings.from_env(
        {"TEMPORAL_CONFIG_FILE": str(profiles), "TEMPORAL_PROFILE": "prod",
         "TEMPORAL_ADDRESS": "other:7233"}
    )  # fmt: skip
    assert overridden.temporal_address == "other:7233"
    cloud = Settings.from_env(
        {"TEMPORAL_ADDRESS": "ns.acct.tmprl.cloud:7233", "TEMPORAL_NAMESPACE": "ns.acct",
         "TEMPORAL_API_KEY": "key"}
    )  # fmt: skip
    assert cloud.temporal.tls is True  # an API key means TLS
    assert cloud.temporal.connect_args()["api_key"] == "key"
    plain = Settings.from_env({})
    assert plain.temporal.tls is False
    assert plain.temporal_address == "localhost:7233"


NO_CERT = {"TEMPORAL_TLS_CLIENT_CERT_PATH": "/no.pem", "TEMPORAL_TLS_CLIENT_KEY_PATH": "/no.key"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VALUECHAIN_TEMPORAL_ADDRESS": "x:1"}, "ADDRESS is no longer read: set TEMPORAL_ADDRESS"),
        ({"VALUECHAIN_NAMESPACE": "n"}, "NAMESPACE is no longer read: set TEMPORAL_NAMESPACE"),
        (NO_CERT, "TEMPORAL_TLS_CLIENT_CERT_PATH=/no.pem: No such file"),
        ({"TEMPORAL_PROFILE": "missing"}, "Profile 'missing' not found"),
    ],
)
def test_bad_connection_settings_name_the_setting(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)

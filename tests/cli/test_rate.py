"""`talos rate FILM SHOT 1-5 [note]` stores a rating in Ichor (one sentence and exit 2 for a film, shot
or rating that does not exist), and `talos lab ui` serves MLflow on a loopback interface only."""

from __future__ import annotations

import subprocess

import pytest
from typer.testing import CliRunner

from talos_assets.cli import app
from talos_assets.stores.ichor import IchorVault

SHOTS = [dict(slot=f"s00{i + 1}", shot_id=n, position=i, description=f"A {n}", emotion="joy", frames=4, plan_json="{}")
         for i, n in enumerate(("wave", "worry"))]


@pytest.fixture
def studio(tmp_path, monkeypatch):
    monkeypatch.setenv("TALOS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TALOS_ICHOR_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


def _film(home) -> IchorVault:
    home.mkdir(parents=True, exist_ok=True)
    vault = IchorVault(f"sqlite:///{home / 'ichor.db'}")
    vault.register_film("demo", "Demo", "s.yaml", "", 12, 160, 90, "sea-glass", SHOTS)
    return vault


def test_rate_stores_a_rating(studio):
    vault = _film(studio)
    out = CliRunner().invoke(app, ["rate", "demo", "worry", "4", "the frown reads well"])
    assert out.exit_code == 0, out.output
    assert "rated demo/worry (s002) 4/5: the frown reads well" in out.output
    assert CliRunner().invoke(app, ["rate", "demo", "s001", "2"]).exit_code == 0
    assert [(r.shot_id, r.rating, r.note) for r in vault.ratings("demo")] == [
        ("worry", 4, "the frown reads well"), ("wave", 2, "")]


@pytest.mark.parametrize("args, sentence", [
    (["rate", "nofilm", "wave", "3"], "film 'nofilm' is not in Ichor"),
    (["rate", "demo", "jump", "3"], "film 'demo' has no shot 'jump'; its shots are: wave, worry."),
    (["rate", "demo", "wave", "6"], "rating 6 for shot 'wave' is outside 1-5"),
])
def test_rate_refuses_what_does_not_exist(studio, args, sentence):
    vault = _film(studio)
    out = CliRunner().invoke(app, args)
    text = " ".join(out.output.split())  # rich wraps long lines at the terminal width
    assert out.exit_code == 2 and text.startswith("error: ") and sentence in text and "Traceback" not in text
    assert vault.ratings() == []


def test_rate_without_a_studio_writes_nothing(studio):
    out = CliRunner().invoke(app, ["rate", "demo", "wave", "3"])
    assert out.exit_code == 2 and "no studio database" in " ".join(out.output.split())
    assert not (studio / "ichor.db").exists()


_REAL_POPEN = subprocess.Popen


class _FakeMlflow:
    """Stands in for the `mlflow ui` process; other commands (imports shell out to `file`) run for real."""

    calls: list[list[str]] = []

    def __new__(cls, cmd, *args, **kwargs):
        if "mlflow" not in cmd:
            return _REAL_POPEN(cmd, *args, **kwargs)
        cls.calls.append(list(cmd))
        return super().__new__(cls)

    def __init__(self, cmd, *args, **kwargs):
        self.pid = 0

    def wait(self, timeout=None):
        return 0


def test_lab_ui_binds_loopback_only(studio, monkeypatch):
    monkeypatch.setattr(subprocess, "Popen", _FakeMlflow)
    _FakeMlflow.calls.clear()
    for host in ("0.0.0.0", "192.168.1.5", "example.com", "::"):
        out = CliRunner().invoke(app, ["lab", "ui", "--host", host])
        assert out.exit_code == 2 and "is not a loopback address" in " ".join(out.output.split()), (host, out.output)
    assert _FakeMlflow.calls == [] and not studio.exists()  # refused before anything was written or started

    out = CliRunner().invoke(app, ["lab", "ui", "--port", "5055"])
    assert out.exit_code == 0, out.output
    [cmd] = _FakeMlflow.calls
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and cmd[cmd.index("--port") + 1] == "5055"
    assert cmd[cmd.index("--backend-store-uri") + 1] == f"sqlite:///{studio.resolve() / 'mlflow' / 'mlflow.db'}"
    assert CliRunner().invoke(app, ["lab", "ui", "--host", "::1"]).exit_code == 0

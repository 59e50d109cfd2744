"""Fixtures for the operations tests: tiny stories, a separate studio home each, `talos` in a subprocess.

The stories are the smallest a forge renders (160x90, 12 fps, 0.5 s shots) so a whole `talos forge`
in a fresh interpreter takes seconds of CPU. Subprocess runs are how a user meets these failures:
the exit code and stderr are what we assert (exit 2, one sentence, never a traceback).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent

SHOT = """\
  - id: {shot_id}
    description: {description}
    emotion: {emotion}
    duration: 0.5
    characters: [{character}]
"""
SHOTS = [("wave", "Talos waves at the calm sea.", "joy", "talos"),
         ("tremble", "Mira trembles in the dark.", "fear", "mira")]


def story_text(film_id: str, shots: int = 1, music: str | None = None) -> str:
    head = f"title: Ops {film_id}\nid: {film_id}\npalette: sea-glass\nfps: 12\nresolution: [160, 90]\n"
    if music:
        head += f"music:\n  file: {music}\n"
    body = "".join(SHOT.format(shot_id=s, description=d, emotion=e, character=c) for s, d, e, c in SHOTS[:shots])
    return head + "shots:\n" + body


@dataclass
class Studio:
    """One studio (home + renders) and the environment a `talos` subprocess runs in."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def renders(self) -> Path:
        return self.root / "renders"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TALOS_", "DAGSTER_"))}
        env.update(TALOS_HOME=str(self.home), TALOS_RENDERS=str(self.renders), MLFLOW_DISABLE_TELEMETRY="true",
                   DAGSTER_DISABLE_TELEMETRY="1", COLUMNS="200")
        return env

    def story(self, film_id: str, shots: int = 1, music: str | None = None) -> Path:
        path = self.root / f"{film_id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(story_text(film_id, shots, music))
        return path

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "talos_assets.cli", *args]

    def talos(self, *args: str, timeout: float = 600, env: dict | None = None, prefix: list[str] | None = None
              ) -> subprocess.CompletedProcess:
        return subprocess.run((prefix or []) + self.argv(*args), cwd=self.root, env=env or self.env(),
                              capture_output=True, text=True, timeout=timeout)

    def popen(self, *args: str, log: Path) -> subprocess.Popen:
        with open(log, "w") as fh:
            return subprocess.Popen(self.argv(*args), cwd=self.root, env=self.env(), stdout=fh, stderr=subprocess.STDOUT)

    @staticmethod
    def film_frames(path: Path) -> list:
        """The decoded picture of a film, frame by frame (rgb24)."""
        import av

        with av.open(str(path)) as container:
            return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]

    @staticmethod
    def assert_one_sentence(done: subprocess.CompletedProcess, *fragments: str) -> str:
        """Exit 2, no traceback, an `error:` line holding every fragment; returns the message."""
        assert done.returncode == 2, (done.returncode, done.stdout[-2000:], done.stderr[-4000:])
        assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr[-4000:]
        message = " ".join(done.stderr.split())  # Rich wraps long lines
        assert message.startswith("error: "), done.stderr
        for fragment in fragments:
            assert fragment in message, (fragment, message)
        return message

    def instance(self):
        """The studio's Dagster instance, opened the way the forge opens it (after the forge made it)."""
        import dagster as dg

        return dg.DagsterInstance.from_config(str(self.home / "dagster"))


@pytest.fixture
def studio(tmp_path) -> Studio:
    return Studio(tmp_path / "studio")


@pytest.fixture(scope="session")
def make_studio():
    """Studio itself, for fixtures wider than one test (a studio under a module's temp folder)."""
    return Studio

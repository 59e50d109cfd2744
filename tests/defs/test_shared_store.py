"""Two machines, one shared store: a film's shots forged in one studio home (machine A) are edited into
the film in another (machine B, an empty home), which sees A's working frames only through the shared
fsspec store (`TALOS_SHARED_STORE`); B's film is A's, frame for frame."""

from __future__ import annotations

import hashlib

import dagster as dg

STORY = """\
title: Shared Film
id: shared
palette: sea-glass
fps: 12
resolution: [160, 90]
shots:
  - {id: hello, description: Talos smiles at the calm sea., emotion: joy, duration: 1.0, characters: [talos]}
  - {id: wave, description: Mira waves at the boats., emotion: joy, duration: 1.0, characters: [mira]}
"""


def _machine(monkeypatch, root, name: str, shared_url: str, ichor: str):
    for var, value in {"TALOS_HOME": root / name / "home", "TALOS_RENDERS": root / name / "renders",
                       "DAGSTER_HOME": root / "dagster", "TALOS_ICHOR_URL": ichor, "TALOS_SHARED_STORE": shared_url}.items():
        monkeypatch.setenv(var, str(value))


def _film_frames(path) -> list[str]:
    from talos_assets.agents.evaluation import film_frames

    return [hashlib.sha256(f.tobytes()).hexdigest() for f in film_frames.decoded_film_frames(path)]


def test_a_film_rendered_on_one_machine_is_edited_on_another(tmp_path, monkeypatch):
    from talos_assets.definitions import FILM_ASSETS, PUBLISH_ASSETS, build_resources, defs
    from talos_assets.forge import check_story, forge_film
    from talos_assets.settings import studio_settings

    shared = tmp_path / "shared"
    shared.mkdir()
    (tmp_path / "dagster").mkdir()
    ichor = f"sqlite:///{tmp_path / 'ichor.db'}"  # Ichor and the Dagster instance are shared services on a farm
    (tmp_path / "shared.yaml").write_text(STORY)
    instance = dg.DagsterInstance.ephemeral()

    _machine(monkeypatch, tmp_path, "a", shared.as_uri(), ichor)
    outcome = forge_film(check_story(tmp_path / "shared.yaml", studio_settings()), instance=instance)
    assert outcome.published
    a_shots = tmp_path / "a" / "home" / "films" / "shared" / "shots"
    assert (shared / "films" / "shared" / "shots" / "s002" / "render").is_dir()

    _machine(monkeypatch, tmp_path, "b", shared.as_uri(), ichor)
    resources = build_resources()
    b_home = tmp_path / "b" / "home"
    assert not (b_home / "films").exists()  # machine B has nothing of the film but what the store gives it
    edit = [a.key for a in FILM_ASSETS[1:] + PUBLISH_ASSETS]
    result = dg.materialize(list(defs.assets), selection=edit, partition_key="shared", instance=instance,
                            resources=resources, raise_on_error=False)
    assert result.success
    for frame in sorted((a_shots / "s001" / "render").iterdir()):
        twin = b_home / "films" / "shared" / "shots" / "s001" / "render" / frame.name
        assert twin.read_bytes() == frame.read_bytes()
    a_film = outcome.delivery.film
    b_film = tmp_path / "b" / "renders" / "shared" / a_film.name
    assert b_film.exists() and _film_frames(b_film) == _film_frames(a_film)


def test_without_a_shared_store_nothing_is_synced(tmp_path):
    from resources.studio import StudioHome

    studio = StudioHome(root=str(tmp_path / "home"), renders=str(tmp_path / "renders"))
    assert studio.pull_film("any") == 0 and studio.push_film("any") == 0
    assert not (tmp_path / "home").exists()

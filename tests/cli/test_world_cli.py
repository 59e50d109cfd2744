"""`talos sets`, `talos props` and what `talos validate` shows of a story's world."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from talos_assets.cli import app

REPO = Path(__file__).resolve().parents[2]


def _run(args: list[str], monkeypatch, tmp_path, **env: str):
    monkeypatch.setenv("TALOS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TALOS_RENDERS", str(tmp_path / "renders"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return CliRunner().invoke(app, args, terminal_width=200)


def test_sets_lists_the_library_and_a_users_set(monkeypatch, tmp_path):
    mine = tmp_path / "my_sets"
    mine.mkdir()
    (mine / "moonbase.yaml").write_text((REPO / "talos_assets/data/sets/space.yaml").read_text()
                                        .replace("id: space", "id: moonbase"))
    out = _run(["sets"], monkeypatch, tmp_path, TALOS_SETS=str(mine))
    assert out.exit_code == 0, out.output
    ids = [line.split()[0] for line in out.output.splitlines() if line.strip()]
    assert ids[0] == "moonbase"  # the user's first
    assert {"shore", "forest", "workshop", "space", "kitchen"} <= set(ids)
    assert len(set(ids)) >= 33


def test_props_lists_40_with_their_words(monkeypatch, tmp_path):
    out = _run(["props"], monkeypatch, tmp_path)
    assert out.exit_code == 0, out.output
    rows = {line.split()[0]: line for line in out.output.splitlines() if line.strip()}
    assert len(rows) >= 40
    assert "held" in rows["lantern"] and "stands" in rows["table"]


def test_a_broken_prop_file_is_one_sentence_and_exit_2(monkeypatch, tmp_path):
    mine = tmp_path / "my_props"
    mine.mkdir()
    (mine / "teapot.yaml").write_text("id: teapot\nheight: 0.2\nparts:\n  - {name: pot, shape: ellipse, region: plaid}\n")
    out = _run(["props"], monkeypatch, tmp_path, TALOS_PROPS=str(mine))
    assert out.exit_code == 2
    assert "teapot.yaml" in out.output.replace("\n", "") and "region" in out.output
    assert "Traceback" not in out.output


def test_a_broken_set_file_is_one_sentence_and_exit_2(monkeypatch, tmp_path):
    mine = tmp_path / "my_sets"
    mine.mkdir()
    (mine / "swamp.yaml").write_text("id: swamp\nhorizon: 2.5\nlayers: []\n")
    out = _run(["sets"], monkeypatch, tmp_path, TALOS_SETS=str(mine))
    assert out.exit_code == 2
    assert "swamp.yaml" in out.output.replace("\n", "") and "Traceback" not in out.output


def test_validate_shows_the_world_prism_read(monkeypatch, tmp_path):
    story = tmp_path / "beach.yaml"
    story.write_text("title: Beach\nscript: Talos sits alone on the beach at midnight under the stars. "
                     "Mira raises a lantern. Smoke rises from the sea.\n")
    out = _run(["validate", str(story)], monkeypatch, tmp_path)
    assert out.exit_code == 0, out.output
    assert "shore, night" in out.output
    assert "lantern in mira's hand" in out.output
    assert "smoke from horizon" in out.output
    assert "acting: talos sit" in out.output and "mira hold lantern" in out.output


def test_validate_shows_who_rides_what(monkeypatch, tmp_path):
    story = tmp_path / "ride.yaml"
    story.write_text("title: Ride\nshots:\n  - {id: lane, description: 'Pip rides his bike down the lane and waves at Mira.',"
                     " characters: [pip, mira]}\n")
    out = _run(["validate", str(story)], monkeypatch, tmp_path)
    assert out.exit_code == 0, out.output
    assert "props: bicycle" in out.output and "in pip's hand" not in out.output  # ridden, not held
    assert "acting: pip ride bicycle, pip wave at mira" in out.output


def test_validate_shows_whom_an_animal_goes_with_and_what_runs_on_its_own(monkeypatch, tmp_path):
    story = tmp_path / "pets.yaml"
    story.write_text("title: Pets\nshots:\n  - {id: walk, description: 'Mira walks her dog along the beach.', characters: [mira]}\n"
                     "  - {id: field, description: 'A horse gallops across the meadow as Talos waves.', characters: [talos]}\n")
    out = _run(["validate", str(story)], monkeypatch, tmp_path)
    assert out.exit_code == 0, out.output
    assert "props: dog with mira" in out.output and "acting: mira walk\n" in out.output  # no walk to the dog
    assert "props: horse (running)" in out.output


def test_a_speaker_with_an_unknown_voice_is_one_sentence_and_exit_2(monkeypatch, tmp_path):
    rigs = tmp_path / "rigs"
    rigs.mkdir()
    mira = (REPO / "talos_assets/data/characters/mira.yaml").read_text()
    lines = [("voice: {voice: klingon, pitch: 68}" if line.startswith("voice:") else line) for line in mira.splitlines()]
    (rigs / "mira.yaml").write_text("\n".join(lines) + "\n")
    story = tmp_path / "talk.yaml"
    story.write_text("title: Talk\nshots:\n  - {id: hello, description: 'MIRA: \"Hello.\"', characters: [mira], speaker: mira}\n")
    out = _run(["validate", str(story)], monkeypatch, tmp_path, TALOS_CHARACTERS=str(rigs))
    assert out.exit_code == 2, out.output
    flat = out.output.replace("\n", " ")
    assert "mira.yaml" in flat and "voice.voice" in flat and "klingon" in flat and "Traceback" not in flat

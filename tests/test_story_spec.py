"""The story format: good stories validate; each kind of bad story gets one sentence, exit 2, nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from talos_assets.spec import Palette, StorySpec
from talos_assets.story import StoryError, load_story, parse_story, resolve_music, resolve_palette
from resources.ichor import BUILTIN_PALETTES

REPO = Path(__file__).resolve().parent.parent
KNOWN = {n: Palette(name=n, swatches=sw) for n, sw in BUILTIN_PALETTES.items()}


def test_examples_validate():
    from talos_assets.agents import direction
    from talos_assets.agents.fountain import resolve_screenplay

    for path in sorted((REPO / "examples").glob("*.yaml")):
        story, _ = load_story(path)
        assert story.shots or story.screenplay, path
        palette = resolve_palette(story, KNOWN)
        assert resolve_music(story, path) is None  # every example generates its score
        if story.screenplay:
            assert resolve_screenplay(story, path).suffix == ".fountain"
        plan = direction.direct_film(story, palette, story_path=path, use_llm=False)
        assert plan.shots and all(s.lens_mm for s in plan.shots), path


def test_screenplay_and_director_fields():
    story = parse_story("title: t\nscreenplay: play.fountain\ncast: {OLD MAN: talos}\n"
                        "director: {llm_url: 'http://127.0.0.1:8080/v1', model: m}")
    assert str(story.screenplay) == "play.fountain" and story.cast == {"OLD MAN": "talos"}
    assert story.director.tries == 3 and story.director.model == "m"
    with pytest.raises(StoryError, match="'director.tries'"):
        parse_story("title: t\nlogline: x.\ndirector: {tries: 0}")
    with pytest.raises(StoryError, match="'shots.0.lens_mm'"):
        parse_story("title: t\nshots: [{id: a, description: d, lens_mm: 2}]")
    with pytest.raises(StoryError, match="speaker 'mira' must also be one of the shot's characters"):
        parse_story("title: t\nshots: [{id: a, description: hi, speaker: mira, characters: [talos]}]")


def test_screenplay_story_errors_are_one_sentence(tmp_path):
    from talos_assets.agents import direction

    palette = KNOWN["bronze-dusk"]
    (tmp_path / "play.fountain").write_text("EXT. SHORE - DUSK\n\nOLD MAN\nHello.\n")
    story = parse_story("title: t\nscreenplay: play.fountain\ncast: {OLD MAN: godzilla}")
    with pytest.raises(ValueError, match="cast: 'godzilla' is not a character") as info:
        direction.direct_film(story, palette, story_path=tmp_path / "s.yaml", use_llm=False)
    assert "\n" not in str(info.value)
    story = parse_story("title: t\nscreenplay: gone.fountain")
    with pytest.raises(ValueError, match="screenplay file 'gone.fountain' was not found"):
        direction.direct_film(story, palette, story_path=tmp_path / "s.yaml", use_llm=False)
    story = parse_story("title: t\nscreenplay: play.fountain")
    plan = direction.direct_film(story, palette, story_path=tmp_path / "s.yaml", use_llm=False)
    assert plan.shots[0].speaker in ("talos", "mira", "pip") and plan.warnings  # the guessed rig is noted


@pytest.mark.parametrize(
    "text, needle",
    [
        ("title: [unclosed", "not valid YAML"),
        ("- just\n- a list", "YAML mapping"),
        ("logline: no title here.", "'title' is required"),
        ("title: t\nlogline: x.\nfps: 500", "'fps'"),
        ("title: t\nlogline: x.\nresolution: [1281, 720]", "'resolution'"),
        ("title: t\nlogline: x.\npalette: ['#zzzzzz']", "'palette'"),
        ("title: t\nlogline: x.\ncolour: red", "'colour' is not part of the story format"),
        ("title: t", "needs a logline, a script, a screenplay or a list of shots"),
        ("title: t\nshots: [{id: 'Bad Id', description: d}]", "'shots.0.id'"),
        ("title: t\nshots: [{id: a, description: d, duration: -1}]", "'shots.0.duration'"),
        ("title: t\nshots: [{id: a, description: d, emotion: bored}]", "'shots.0.emotion'"),
        ("title: t\nshots: [{id: a, description: d}, {id: a, description: e}]", "shot ids repeat"),
    ],
)
def test_bad_story_names_the_field(text, needle):
    with pytest.raises(StoryError) as info:
        parse_story(text, source="s.yaml")
    message = str(info.value)
    assert needle in message
    assert "\n" not in message and "Traceback" not in message


def test_unknown_palette_and_missing_music(tmp_path):
    story = parse_story("title: t\nlogline: hello there.\npalette: neon-void")
    with pytest.raises(StoryError, match="palette 'neon-void' is unknown"):
        resolve_palette(story, KNOWN)
    story = parse_story("title: t\nlogline: hello there.\nmusic: {file: missing.wav}")
    with pytest.raises(StoryError, match="music file 'missing.wav' was not found"):
        resolve_music(story, tmp_path / "story.yaml")
    (tmp_path / "notes.txt").write_text("not audio")
    story = parse_story("title: t\nlogline: hello there.\nmusic: {file: notes.txt}")
    with pytest.raises(StoryError, match="not an audio file"):
        resolve_music(story, tmp_path / "story.yaml")


def test_hex_list_palette_fills_every_role():
    story = parse_story("title: t\nlogline: hi there.\npalette: ['#112233', '#445566']")
    palette = resolve_palette(story, KNOWN)
    assert palette.swatches["line"] == "#112233" and palette.swatches["skin"] == "#445566"
    assert palette.swatches["hair"] == "#112233"


@pytest.mark.parametrize(
    "content, needle",
    [
        ("title: t\nlogline: hi.\nfps: 0\n", "field 'fps'"),
        ("title: t\nlogline: calm sea.\npalette: neon-void\n", "palette 'neon-void' is unknown"),
        ("title: t\nlogline: calm sea.\nmusic: {file: gone.wav}\n", "music file 'gone.wav'"),
        ("title: t\nshots: [{id: a, description: d, characters: [godzilla]}]\n", "'godzilla' is not a character"),
        (b"\xff\xfe\x00garbage", "cannot be read as UTF-8"),
    ],
)
def test_cli_rejects_bad_story_without_writing(tmp_path, content, needle):
    story = tmp_path / "bad.yaml"
    story.write_bytes(content if isinstance(content, bytes) else content.encode())
    home, renders = tmp_path / "home", tmp_path / "renders"
    env = {"TALOS_HOME": str(home), "TALOS_RENDERS": str(renders), "PATH": "/usr/bin:/bin", "COLUMNS": "400"}
    proc = subprocess.run([sys.executable, "-m", "talos_assets.cli", "forge", str(story)], capture_output=True,
                          text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not home.exists() and not renders.exists()


def test_cli_rejects_corrupt_music_before_rendering(tmp_path):
    (tmp_path / "theme.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk" * 10)
    story = tmp_path / "s.yaml"
    story.write_text("title: t\nlogline: calm sea.\nmusic: {file: theme.wav}\n")
    env = {"TALOS_HOME": str(tmp_path / "home"), "TALOS_RENDERS": str(tmp_path / "r"), "PATH": "/usr/bin:/bin", "COLUMNS": "400"}
    proc = subprocess.run([sys.executable, "-m", "talos_assets.cli", "forge", str(story)], capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and "theme.wav" in proc.stderr and "cannot be decoded" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "home").exists()


def test_cli_missing_story_file(tmp_path):
    env = {"TALOS_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin", "COLUMNS": "400"}
    proc = subprocess.run([sys.executable, "-m", "talos_assets.cli", "forge", str(tmp_path / "nope.yaml")],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    assert not (tmp_path / "home").exists()


def test_published_schema_is_current():
    published = json.loads((REPO / "docs" / "story.schema.json").read_text())
    assert published == StorySpec.model_json_schema()

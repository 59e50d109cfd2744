"""The story format: good stories validate; each kind of bad story gets one sentence, exit 2, nothing written.

A story file is untrusted: paths stay inside its folder (no absolute paths, no '..', no symbolic link
leading out), sizes are checked before the work they bound (file bytes, nesting depth, text length,
shot count, screenplay bytes), and duplicate keys are refused.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from talos_assets.spec import MAX_SHOTS, Palette, StorySpec
from talos_assets.story import (
    MAX_STORY_BYTES,
    StoryError,
    load_story,
    parse_story,
    resolve_music,
    resolve_palette,
    resolve_screenplay,
)
from talos_assets.stores.ichor import BUILTIN_PALETTES

REPO = Path(__file__).resolve().parent.parent
KNOWN = {n: Palette(name=n, swatches=sw) for n, sw in BUILTIN_PALETTES.items()}
CAST = ["mira", "pip", "talos"]  # the studio's rigs, as its caller passes them to Prism


def test_examples_validate():
    from talos_assets.agents import direction

    for path in sorted((REPO / "examples").glob("*.yaml")):
        story, _ = load_story(path)
        assert story.shots or story.screenplay, path
        palette = resolve_palette(story, KNOWN)
        assert resolve_music(story, path) is None  # every example generates its score
        if story.screenplay:
            assert resolve_screenplay(story, path).suffix == ".fountain"
        plan = direction.direct_film(story, palette, story_path=path, cast=CAST)
        assert plan.shots and all(s.lens_mm for s in plan.shots), path


def test_screenplay_and_director_fields():
    story = parse_story("title: t\nscreenplay: play.fountain\ncast: {OLD MAN: talos}\n"
                        "director: {endpoint: local}")
    assert str(story.screenplay) == "play.fountain" and story.cast == {"OLD MAN": "talos"}
    assert story.director.tries == 3 and story.director.endpoint == "local"
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
        direction.direct_film(story, palette, story_path=tmp_path / "s.yaml", cast=CAST)
    assert "\n" not in str(info.value)
    story = parse_story("title: t\nscreenplay: gone.fountain")
    with pytest.raises(ValueError, match="screenplay file 'gone.fountain' was not found"):
        direction.direct_film(story, palette, story_path=tmp_path / "s.yaml", cast=CAST)
    story = parse_story("title: t\nscreenplay: play.fountain")
    plan = direction.direct_film(story, palette, story_path=tmp_path / "s.yaml", cast=CAST)
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
        ("title: t\nlogline: x.\ndirector: {api_key_env: HOME}\n", "'api_key_env' is no longer read from a story"),
        ("title: t\nscreenplay: /etc/passwd\n", "is an absolute path"),
        ("title: t\ntitle: u\nlogline: x.\n", "key 'title' appears twice"),
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


# ---- trust: a story file is untrusted input -----------------------------------------------------


@pytest.mark.parametrize("field, story", [
    ("screenplay", "title: t\nscreenplay: '{path}'\n"),
    ("music.file", "title: t\nlogline: x.\nmusic: {{file: '{path}'}}\n"),
])
def test_absolute_and_dotdot_paths_are_refused(tmp_path, field, story):
    (tmp_path / "secret.txt").write_text("the studio's secrets")
    folder = tmp_path / "stories"
    folder.mkdir()
    for path, needle in [("/etc/passwd", "is an absolute path"), (str(tmp_path / "secret.txt"), "is an absolute path"),
                         ("../secret.txt", "climbs out of the story's folder with '..'"),
                         ("sub/../../secret.txt", "climbs out of the story's folder with '..'")]:
        (folder / "s.yaml").write_text(story.format(path=path))
        with pytest.raises(StoryError) as info:
            load_story(folder / "s.yaml")
        message = str(info.value)
        assert f"field '{field}'" in message and needle in message and "\n" not in message


def test_resolving_refuses_paths_outside_the_folder_even_without_validation(tmp_path):
    """Defence in depth: a StorySpec built without validation still cannot reach outside its folder."""
    story = StorySpec.model_construct(screenplay=Path("../secret.txt"))
    with pytest.raises(StoryError, match="screenplay '../secret.txt' climbs out"):
        resolve_screenplay(story, tmp_path / "s.yaml")
    story = StorySpec.model_construct(screenplay=Path("/etc/passwd"))
    with pytest.raises(StoryError, match="is an absolute path"):
        resolve_screenplay(story, tmp_path / "s.yaml")


def test_symlinks_leading_out_of_the_folder_are_refused(tmp_path):
    from talos_assets.agents import direction

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.fountain").write_text("EXT. VAULT - NIGHT\n\nThe secret.\n")
    (outside / "theme.wav").write_bytes(b"RIFF")
    folder = tmp_path / "stories"
    (folder / "sub").mkdir(parents=True)
    (folder / "play.fountain").symlink_to(outside / "secret.fountain")
    (folder / "sub" / "theme.wav").symlink_to(outside / "theme.wav")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    story = parse_story("title: t\nscreenplay: play.fountain\n")
    with pytest.raises(StoryError, match="screenplay 'play.fountain' leads outside the story's folder"):
        resolve_screenplay(story, folder / "s.yaml")
    story = parse_story("title: t\nscreenplay: linked/secret.fountain\n")
    with pytest.raises(StoryError, match="leads outside the story's folder"):
        resolve_screenplay(story, folder / "s.yaml")
    story = parse_story("title: t\nlogline: x.\nmusic: {file: sub/theme.wav}\n")
    with pytest.raises(StoryError, match="music.file 'sub/theme.wav' leads outside"):
        resolve_music(story, folder / "s.yaml")
    # Prism reads nothing from outside either: the error comes before the file is read
    story = parse_story("title: t\nscreenplay: play.fountain\n")
    with pytest.raises(ValueError, match="leads outside"):
        direction.direct_film(story, KNOWN["bronze-dusk"], story_path=folder / "s.yaml", cast=CAST)


def test_a_symlink_inside_the_folder_is_fine(tmp_path):
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "v2.fountain").write_text("EXT. SHORE - DUSK\n\nTalos waits.\n")
    (tmp_path / "play.fountain").symlink_to(tmp_path / "drafts" / "v2.fountain")
    story = parse_story("title: t\nscreenplay: play.fountain\n")
    assert resolve_screenplay(story, tmp_path / "s.yaml") == (tmp_path / "drafts" / "v2.fountain").resolve()


@pytest.mark.parametrize("text, key, line", [
    ("title: t\nlogline: x.\ntitle: u\n", "title", 3),
    ("title: t\nshots:\n  - id: a\n    description: d\n    id: b\n", "id", 5),
    ("title: t\nlogline: x.\nmusic: {generate: true, generate: false}\n", "generate", 3),
])
def test_duplicate_keys_are_refused(text, key, line):
    with pytest.raises(StoryError) as info:
        parse_story(text, source="s.yaml")
    message = str(info.value)
    assert f"key '{key}' appears twice" in message and f"line {line}" in message and "\n" not in message


def test_merge_keys_may_be_overridden():
    story = parse_story("title: t\nshots:\n  - &a {id: a, description: d, duration: 2}\n  - <<: *a\n    id: b\n")
    assert [s.id for s in story.shots] == ["a", "b"] and story.shots[1].duration == 2


@pytest.mark.parametrize("text", [
    "title: t\nlogline: x.\ncast: " + "[" * 500 + "]" * 500 + "\n",
    "title: t\nlogline: x.\ncast: " + "{a: " * 500 + "b" + "}" * 500 + "\n",
    "title: t\nlogline: x.\ncast:\n" + "".join("  " * i + "-\n" for i in range(1, 40)),
])
def test_deep_nesting_is_a_story_error_not_a_recursion_error(text):
    with pytest.raises(StoryError) as info:
        parse_story(text, source="s.yaml")
    assert "nests deeper than 32 levels" in str(info.value) and "\n" not in str(info.value)


def test_an_oversize_story_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("title: t\nlogline: x.\n# " + "x" * (5 * MAX_STORY_BYTES) + "\n")
    t0 = time.perf_counter()
    with pytest.raises(StoryError) as info:
        load_story(big)
    assert time.perf_counter() - t0 < 0.5
    assert "big.yaml' is 5.0 MB and the limit is 1 MB" in str(info.value)
    with pytest.raises(StoryError, match="is 2.0 MB and the limit is 1 MB"):
        parse_story("title: t\nlogline: x.\n# " + "é" * MAX_STORY_BYTES, source="s.yaml")  # bytes, not characters


def test_a_story_at_the_limits_validates_quickly():
    """200 shots with unique ids: the duplicate-id check is linear, and nothing quadratic hides in parsing."""
    shots = "".join(f"  - {{id: shot-{i:03d}, description: Talos waits on the shore number {i}.}}\n" for i in range(MAX_SHOTS))
    t0 = time.perf_counter()
    story = parse_story("title: t\nshots:\n" + shots)
    assert len(story.shots) == MAX_SHOTS and time.perf_counter() - t0 < 5.0


@pytest.mark.parametrize("text, needle", [
    ("title: t\nlogline: " + "x" * 2001 + "\n", "field 'logline'"),
    ("title: t\nscript: " + "x" * 200_001 + "\n", "field 'script'"),
    ("title: t\nshots: [{id: a, description: " + "x" * 2001 + "}]\n", "field 'shots.0.description'"),
    ("title: t\nshots: [{id: a, description: d, characters: [" + ", ".join(["talos"] * 17) + "]}]\n",
     "field 'shots.0.characters'"),
    ("title: t\nshots:\n" + "".join(f"  - {{id: s{i}, description: d}}\n" for i in range(MAX_SHOTS + 1)), "field 'shots'"),
    ("title: t\nlogline: x.\nfps: " + "9" * 5000 + "\n", "cannot read"),
])
def test_text_and_count_limits_are_checked_on_the_input(text, needle):
    with pytest.raises(StoryError) as info:
        parse_story(text, source="s.yaml")
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_too_many_beats_fail_before_directing(tmp_path):
    from talos_assets.agents import direction

    palette = KNOWN["bronze-dusk"]
    prose = parse_story("title: t\nscript: |\n" + "".join(f"  Talos waits {i}.\n" for i in range(MAX_SHOTS + 1)))
    with pytest.raises(ValueError, match=f"makes {MAX_SHOTS + 1} shots and a film holds at most {MAX_SHOTS}"):
        direction.direct_film(prose, palette, cast=CAST)
    (tmp_path / "long.fountain").write_text("EXT. SHORE - DUSK\n\n" + "".join(f"Talos waits {i}.\n\n" for i in range(300)))
    story = parse_story("title: t\nscreenplay: long.fountain\n")
    with pytest.raises(ValueError, match="the screenplay makes 300 shots"):
        direction.direct_film(story, palette, story_path=tmp_path / "s.yaml", cast=CAST)


def test_an_oversize_screenplay_is_refused_before_it_is_read(tmp_path):
    from talos_assets.agents import direction

    (tmp_path / "huge.fountain").write_text("EXT. SHORE - DUSK\n\n" + "Talos waits.\n" * 200_000)
    story = parse_story("title: t\nscreenplay: huge.fountain\n")
    with pytest.raises(ValueError, match="screenplay file 'huge.fountain' is 2.6 MB and the limit is 1 MB"):
        direction.direct_film(story, KNOWN["bronze-dusk"], story_path=tmp_path / "s.yaml", cast=CAST)


def test_a_bare_fountain_screenplay_is_a_story(tmp_path, studio_env):
    """`talos forge short.fountain`: the title page names the film, characters are cast by name."""
    from talos_assets.checking import check_story
    from talos_assets.settings import studio_settings

    play = tmp_path / "night_watch.fountain"
    play.write_text("Title: The Night Watch\nAuthor: A. Writer\n\nEXT. HARBOR - NIGHT\n\n"
                    "MIRA waits by the lamp.\n\nMIRA\nIs anyone out there?\n")
    story, text = load_story(play)
    assert (story.title, story.film_id, str(story.screenplay)) == ("The Night Watch", "the-night-watch", play.name)
    plan = check_story(play, studio_settings()).plan
    spoken = [s for s in plan.shots if s.beat == "dialogue"]
    assert [(s.speaker, s.characters) for s in spoken] == [("mira", ["mira"])]
    assert plan.shots[0].setting.place == "harbor" and plan.shots[0].setting.time_of_day.value == "night"
    untitled = tmp_path / "dock-scene.fountain"
    untitled.write_text("EXT. DOCK - DAY\n\nPIP runs.\n")
    assert load_story(untitled)[0].title == "Dock Scene"

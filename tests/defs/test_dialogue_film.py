"""A tiny screenplay with dialogue forged end to end: each line voiced per shot, the stereo mix at
-14 LUFS / -1 dBTP with the music ducked under speech, the .srt beside the film and the soft
subtitle track in the MP4."""

from __future__ import annotations

import json

import dagster as dg
import numpy as np
import pytest

from talos_assets.agents import editing, music

STORY = """\
title: Tiny Dialogue
id: tiny-talk
screenplay: talk.fountain
cast: {TALOS: talos, MIRA: mira}
palette: bronze-dusk
fps: 12
resolution: [160, 90]
"""
SCREENPLAY = """\
EXT. HILLS - DUSK

MIRA
(softly)
Is the light still burning?

TALOS
It is. I will not let it die.
"""


@pytest.fixture(scope="module")
def forged(tmp_path_factory, own_studio):
    with own_studio(tmp_path_factory, "talk") as root:
        (root / "talk.fountain").write_text(SCREENPLAY)
        story = root / "talk.yaml"
        story.write_text(STORY)
        from talos_assets.forge import check_story, forge_film
        from talos_assets.settings import studio_settings

        checked = check_story(story, studio_settings())
        outcome = forge_film(checked, instance=dg.DagsterInstance.ephemeral())
        yield dict(root=root, plan=checked.plan, outcome=outcome)


def test_dialogue_is_voiced_mixed_and_subtitled(forged):
    import pysubs2
    import pyloudnorm

    plan, root, outcome = forged["plan"], forged["root"], forged["outcome"]
    talk = [s for s in plan.shots if s.beat == "dialogue"]
    assert [s.speaker for s in talk] == ["mira", "talos"]
    film_dir = root / "home" / "films" / plan.film_id
    for shot in talk:
        (line,) = json.loads((film_dir / "shots" / shot.slot / "voice" / "voices.json").read_text())["lines"]
        assert line["speaker"] == shot.speaker and line["phonemes"] and len(line["mouth"]) == shot.total_frames
        assert "softly" not in line["text"]
    mix = music.load_audio(film_dir / "mix.wav", __import__("imageio_ffmpeg").get_ffmpeg_exe(), 44100, channels=2)
    assert music.integrated_loudness(mix, 44100, method="bs1770") == pytest.approx(-14.0, abs=1.0)
    assert pyloudnorm.Meter(44100).integrated_loudness(mix.astype(np.float64)) == pytest.approx(-14.0, abs=1.0)
    assert music.true_peak_dbtp(mix, 44100) <= -1.0
    srt = outcome.delivery.film.with_suffix(".srt")
    subs = pysubs2.load(str(srt))
    assert [e.plaintext.replace("\n", " ") for e in subs] == ["Is the light still burning?", "It is. I will not let it die."]
    cuts = json.loads((film_dir / "cuts.json").read_text())
    starts = {c["slot"]: c["record_start"] / plan.fps for c in cuts}
    for event, shot in zip(subs, talk):
        (line,) = json.loads((film_dir / "shots" / shot.slot / "voice" / "voices.json").read_text())["lines"]
        onset = starts[shot.slot] + line["start_s"] + line["onset_s"]
        assert abs(event.start / 1000 - onset) <= 1 / plan.fps
    facts = editing.probe_media(outcome.delivery.film)
    assert facts.subtitle_codecs == ["mov_text"] and facts.audio_channels == 2 and facts.audio_codec == "aac"
    # the delivered film's own (AAC) sound still meets the targets
    heard = music.load_audio(outcome.delivery.film, __import__("imageio_ffmpeg").get_ffmpeg_exe(), 44100, channels=2)
    assert music.integrated_loudness(heard, 44100) == pytest.approx(-14.0, abs=1.0)
    assert music.true_peak_dbtp(heard, 44100) <= -1.0

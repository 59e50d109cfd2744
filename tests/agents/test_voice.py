"""The studio's voices: espeak-ng lines with phoneme timings and visemes, recorded lines from the
story's folder, and the film's dialogue mix (stereo, ducked music, -14 LUFS / -1 dBTP) and subtitles."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents import editing, music, voice
from talos_assets.spec import EMOTION_VA, ClipCut, Emotion, Palette, ShotPlan, VoiceSpec
from talos_assets.story import StoryError

SR = 44100
LINE = "Is it true you have kept this light alone for a hundred years?"
GIRL = VoiceSpec(voice="en-us+f3", pitch=70, speed=175, range=60)
GIANT = VoiceSpec(voice="en-us+m3", pitch=25, speed=145, range=40)
PALETTE = Palette.from_hex_list("test", ["#1b1b1b", "#e0b08a", "#3a2a1a", "#8c5a2b", "#d4a017", "#2a6f97", "#f2c6a0", "#4a5d23"])


def pitch_hz(samples: np.ndarray, sr: int) -> float:
    """Median f0 of the voiced 40 ms frames, by autocorrelation (60-500 Hz)."""
    n = int(0.04 * sr)
    f0 = []
    for i in range(0, samples.size - n, n // 2):
        x = samples[i : i + n] - samples[i : i + n].mean()
        if np.sqrt(np.mean(x**2)) < 0.02:
            continue
        ac = np.correlate(x, x, "full")[n - 1 :]
        lo, hi = int(sr / 500), int(sr / 60)
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.3 * ac[0]:
            f0.append(sr / lag)
    return float(np.median(f0))


def dialogue_shot(index: int, description: str, speaker: str, side: str = "left", frames: int = 96, fps: int = 24) -> ShotPlan:
    valence, arousal = EMOTION_VA[Emotion("calm")]
    return ShotPlan(
        film_id="film", shot_id=f"line-{index}", slot=f"s{index:03d}", index=index, description=description,
        emotion="calm", valence=valence, arousal=arousal, shot_size="medium", camera="static", duration=frames / fps,
        frames=frames, handle_frames=12, fps=fps, width=160, height=90, characters=[speaker], effects=[],
        palette=PALETTE, beat="dialogue", speaker=speaker, screen_side={speaker: side},
    )  # fmt: skip


def test_spoken_text_drops_parentheticals_and_knows_voice_over():
    assert voice.spoken_line('MIRA (softly): "Is it (beat) true?"').text == "Is it true?"
    said = voice.spoken_line('TALOS (V.O.): "Alone."')
    assert said.text == "Alone." and said.off_screen
    assert voice.spoken_line('MIRA (O.S.): "Hi."').off_screen and not voice.spoken_line('MIRA (angry): "Hi."').off_screen
    assert voice.spoken_line('PIP: "(sighs)"') is None


def test_tts_line_is_speech_of_the_expected_length_with_timings_inside_it():
    line = voice.voice_line(LINE, GIRL, speaker="mira")
    assert line.sample_rate == 22050 and line.samples.dtype == np.float32
    words = len(LINE.split())
    # 12 words at 175 wpm is ~4.1 s of text rate; espeak speaks faster than the nominal rate on short words
    assert 0.5 * words / GIRL.speed * 60 < line.duration_s < 1.5 * words / GIRL.speed * 60
    rms = np.sqrt(np.mean(line.samples**2))
    assert 20 * np.log10(rms) > -35  # clearly audible, not silence
    assert 0.0 <= line.onset_s < 0.1 and line.duration_s - 0.1 < line.offset_s <= line.duration_s
    ends = [p.end_ms for p in line.phonemes]
    assert len(line.phonemes) > 25 and all(0 <= p.start_ms < p.end_ms <= line.duration_s * 1000 + 1e-6 for p in line.phonemes)
    assert ends == sorted(ends)
    said = [w.strip("?") for w in LINE.split()]
    heard = [w.word for w in line.words]  # espeak-ng folds "a" into "hundred": a subsequence of the text
    assert len(heard) >= len(said) - 1 and all(w in said for w in heard) and heard == sorted(heard, key=said.index)
    assert all(a.start_ms <= b.start_ms for a, b in zip(line.words, line.words[1:]))
    assert {k.viseme for k in line.visemes} == {"closed", "open", "wide", "round"}
    # "hundred": the mouth closes on nothing there, but "kept" (p) closes the lips at its phoneme time
    p = next(ph for ph in line.phonemes if ph.symbol == "p")
    key = next(k for k in line.visemes if k.start_s <= (p.start_ms + 1) / 1000 < k.end_s)
    assert key.viseme == "closed"


def test_line_duration_is_the_voiced_length_and_fast():
    import time

    # espeak-ng's variant voices jitter a few samples from run to run
    assert voice.line_duration(LINE, GIRL) == pytest.approx(voice.voice_line(LINE, GIRL).duration_s, abs=0.02)
    t = time.perf_counter()
    voice.line_duration("A different line to time, not cached yet.", GIANT)
    assert time.perf_counter() - t < 0.5
    assert voice.dialogue_shot_seconds(LINE, GIRL) == pytest.approx(voice.LEAD_IN_S + voice.line_duration(LINE, GIRL) + voice.TAIL_S)
    assert voice.line_duration(LINE, VoiceSpec(speed=120)) > voice.line_duration(LINE, VoiceSpec(speed=240)) * 1.5


def test_different_voices_differ_in_pitch():
    girl = pitch_hz(voice.voice_line(LINE, GIRL).samples, 22050)
    giant = pitch_hz(voice.voice_line(LINE, GIANT).samples, 22050)
    assert girl > 1.5 * giant, (girl, giant)
    assert 60 < giant < 160 and 160 < girl < 400


def test_unknown_voice_is_one_sentence():
    with pytest.raises(voice.VoiceError, match=r"^voice 'en-xx' is not an espeak-ng voice; use .*en-us\+f3") as err:
        voice.voice_line("Hello.", VoiceSpec(voice="en-xx"))
    assert str(err.value).count(". ") == 0


def test_mouth_follows_the_voice_and_closes_in_silence():
    shot = dialogue_shot(1, 'MIRA (softly): "' + LINE + '"', "mira")
    (line,) = voice.lines_for_shot(shot, {"mira": GIRL})
    assert line.start_s == voice.LEAD_IN_S and len(line.mouth) == shot.total_frames
    score = voice.lip_sync([m.open for m in line.mouth], line.samples, line.sample_rate, line.start_s, shot.fps)
    assert score.correlation >= 0.6 and score.closed_in_silence == 1.0 and score.frames == shot.total_frames
    # a mouth flapping at random does not pass
    noise = np.random.default_rng(0).uniform(0, 1, shot.total_frames)
    assert voice.lip_sync(noise, line.samples, line.sample_rate, line.start_s, shot.fps).correlation < 0.4
    before = int(line.start_s * shot.fps)
    after = int(np.ceil((line.start_s + line.offset_s) * shot.fps)) + 1
    assert all(m.viseme == "closed" and m.open == 0.0 for m in line.mouth[:before] + line.mouth[after:])
    assert voice.lines_for_shot(dialogue_shot(2, "The sea is calm.", "mira").model_copy(update={"beat": "action"})) == []
    (vo,) = voice.lines_for_shot(dialogue_shot(3, 'TALOS (V.O.): "Alone."', "talos"), {"talos": GIANT})
    assert vo.off_screen and vo.mouth == []


def test_recorded_line_replaces_the_voice_and_missing_file_is_one_sentence(tmp_path):
    story = tmp_path / "story.yaml"
    story.write_text("title: x\n")
    rec = voice.voice_line("We made it.", GIANT)
    music.write_wav(tmp_path / "take1.wav", rec.samples, 22050)
    path = voice.resolve_dialogue_audio("take1.wav", story, "home")
    assert path == (tmp_path / "take1.wav").resolve()
    assert voice.recorded_line_seconds(path) == pytest.approx(rec.duration_s, abs=0.01)
    (line,) = voice.lines_for_shot(dialogue_shot(1, 'TALOS: "We made it."', "talos"), {"talos": GIRL}, recorded=path)
    assert line.source == "recorded:take1.wav" and line.phonemes == [] and line.visemes
    assert np.allclose(line.samples[:1000], rec.samples[:1000], atol=1e-3)
    with pytest.raises(StoryError) as err:
        voice.resolve_dialogue_audio("missing.wav", story, "home")
    message = str(err.value)
    assert message.startswith("shots.home.dialogue_audio: recorded line 'missing.wav' was not found next to the story;")
    assert message.count(". ") == 0 and message.endswith(".")
    (tmp_path / "broken.wav").write_bytes(b"RIFF0000WAVEjunk")
    with pytest.raises(StoryError, match=r"^shots\.home\.dialogue_audio: recorded line 'broken\.wav' is unusable"):
        voice.resolve_dialogue_audio("broken.wav", story, "home")
    with pytest.raises(StoryError, match="climbs out of the story's folder"):
        voice.resolve_dialogue_audio("../elsewhere.wav", story, "home")
    with pytest.raises(voice.VoiceError, match="is missing"):
        voice.recorded_line(tmp_path / "gone.wav", "We made it.")


@pytest.fixture(scope="module")
def film():
    """Three 4-second shots: Mira speaks (left), a silent shot, Talos in voice-over; a generated score."""
    seconds = 12.0
    score = music.compose_score([(0.0, 0.4, 0.3)], seconds, SR, seed=4)
    shots = [dialogue_shot(1, 'MIRA: "' + LINE + '"', "mira", "left"), dialogue_shot(2, "The sea glows.", "talos"),
             dialogue_shot(3, 'TALOS (V.O.): "Not tonight. I will not let it die."', "talos", "right")]
    shots[1] = shots[1].model_copy(update={"beat": "action"})
    cuts = [ClipCut(shot_id=s.shot_id, slot=s.slot, source_start=0, source_frames=s.frames, record_start=i * 96)
            for i, s in enumerate(shots)]
    lines = {s.slot: voice.lines_for_shot(s, {"mira": GIRL, "talos": GIANT}) for s in shots}
    placed = editing.place_lines(cuts, shots, lines, 24)
    return score, placed, editing.mix_film(score.stereo, placed, SR, sum(c.source_frames for c in cuts) / 24)


def test_film_mix_is_stereo_at_minus_14_lufs_under_minus_1_dbtp(film, tmp_path):
    import pyloudnorm

    score, placed, mix = film
    assert mix.audio.shape == (12 * SR, 2) and mix.audio.dtype == np.float32
    assert [p.start_s for p in placed] == pytest.approx([voice.LEAD_IN_S, 8.0 + voice.LEAD_IN_S])
    own = music.integrated_loudness(mix.audio, SR, method="bs1770")
    reference = pyloudnorm.Meter(SR).integrated_loudness(mix.audio.astype(np.float64))
    assert own == pytest.approx(-14.0, abs=1.0) and reference == pytest.approx(-14.0, abs=1.0)
    assert abs(own - reference) < 0.5
    assert music.true_peak_dbtp(mix.audio, SR) <= -1.0
    assert mix.true_peak_dbtp <= -1.0 and mix.loudness_lufs == pytest.approx(own)
    # 16-bit delivery keeps it: the WAV read back measures the same
    import wave

    path = music.write_wav(tmp_path / "mix.wav", mix.audio, SR)
    with wave.open(str(path)) as w:
        assert w.getnchannels() == 2
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2) / 32768.0
    assert music.true_peak_dbtp(pcm, SR) <= -1.0
    # the same meter on the float mix and on the 16-bit file (two meters differ by up to 0.1 LU by themselves)
    assert music.integrated_loudness(pcm, SR, method="bs1770") == pytest.approx(own, abs=0.05)
    assert music.integrated_loudness(pcm, SR) == pytest.approx(reference, abs=0.05)
    # the speech is panned to its speaker's side: Mira (left) louder on the left, the V.O. centred
    first = mix.speech[int(0.5 * SR) : int(3.0 * SR)]
    assert np.sqrt(np.mean(first[:, 0] ** 2)) > 1.3 * np.sqrt(np.mean(first[:, 1] ** 2))
    third = mix.speech[int(8.5 * SR) : int(10.0 * SR)]
    assert np.sqrt(np.mean(third[:, 0] ** 2)) == pytest.approx(np.sqrt(np.mean(third[:, 1] ** 2)), rel=0.01)


def test_music_is_ducked_under_speech_and_not_elsewhere(film):
    score, placed, mix = film
    bed = music.normalize_mix(score.stereo, SR)  # what the bed is before ducking, up to a constant gain
    speaking = np.abs(mix.speech).max(axis=1) > 1e-3
    # gain reduction = ducked bed / undecked bed, in dB, on the music itself
    ratio = lambda sel: 10 * np.log10(np.mean(mix.music[sel] ** 2) / np.mean(bed[: mix.music.shape[0]][sel] ** 2))  # noqa: E731
    away = np.zeros_like(speaking)
    away[int(5.2 * SR) : int(7.6 * SR)] = True  # the silent shot, after the release (0.5 s) of Mira's line
    assert ratio(speaking) - ratio(away) < -8.0
    assert np.median(mix.duck_db[speaking]) == pytest.approx(-10.0, abs=1.0)
    assert np.all(mix.duck_db[away] > -1.0)


def test_subtitles_match_the_dialogue_and_start_at_the_speech(tmp_path, film):
    import pysubs2

    _, placed, mix = film
    cues = editing.subtitle_cues(placed, 12.0)
    path = editing.write_srt(cues, tmp_path / "film.srt")
    subs = pysubs2.load(str(path))
    assert [e.plaintext.replace("\n", " ") for e in subs] == [LINE, "Not tonight. I will not let it die."]
    assert "<i>" in path.read_text() and path.read_text().count("<i>") == 1  # the V.O. is in italics
    frame = 1000 / 24
    for event, p in zip(subs, placed):
        speech = np.flatnonzero(np.abs(mix.speech[:, 0] + mix.speech[:, 1]) > 1e-3)
        onset_ms = 1000 * speech[speech >= int(p.start_s * SR)][0] / SR
        assert abs(event.start - onset_ms) <= frame
        assert event.end >= 1000 * p.offset_s and event.end - event.start >= 1000
    assert subs[0].end < subs[1].start


def test_line_seconds_for_prism_uses_each_rigs_voice(tmp_path):
    seconds = voice.line_seconds_for()
    slow = seconds("talos", 'TALOS (softly): "' + LINE + '"')  # 145 wpm
    quick = seconds("pip", LINE)  # 195 wpm
    assert slow > quick > 1.0
    assert slow == pytest.approx(voice.dialogue_shot_seconds(LINE, VoiceSpec(voice="en-us+m3", pitch=28, speed=145, range=35)), abs=0.03)
    assert seconds(None, LINE) == pytest.approx(voice.dialogue_shot_seconds(LINE, VoiceSpec()), abs=0.03)
    assert seconds("mira", 'MIRA: "(sighs)"') == 0.0
    take = music.write_wav(tmp_path / "take.wav", np.sin(np.arange(22050 * 2) * 0.05).astype(np.float32) * 0.5, 22050)
    assert seconds("mira", "ignored", recorded=take) == pytest.approx(voice.LEAD_IN_S + 2.0 + voice.TAIL_S, abs=0.02)


def test_dual_dialogue_speaks_both_lines_at_once_in_one_cue():
    shot = dialogue_shot(1, 'MIRA: "We did it!"\nPIP (V.O.): "We really did!"', "mira").model_copy(
        update={"speakers": ["mira", "pip"], "characters": ["mira", "pip"], "screen_side": {"mira": "left", "pip": "right"}})
    assert voice.dialogue_parts(shot) == [("mira", 'MIRA: "We did it!"'), ("pip", 'PIP (V.O.): "We really did!"')]
    voices = voice.speaker_voices(["mira", "pip", "nobody"])
    assert set(voices) == {"mira", "pip"} and voices["pip"].pitch > voices["mira"].pitch
    mira, pip = voice.lines_for_shot(shot, voices)
    assert (mira.speaker, pip.speaker) == ("mira", "pip") and mira.mouth and pip.off_screen and not pip.mouth
    cut = ClipCut(shot_id=shot.shot_id, slot=shot.slot, source_start=0, source_frames=shot.frames, record_start=24)
    placed = editing.place_lines([cut], [shot], {shot.slot: [mira, pip]}, 24)
    assert [p.start_s for p in placed] == pytest.approx([1.0 + voice.LEAD_IN_S] * 2)
    assert [p.pan for p in placed] == [-0.3, 0.0]  # the V.O. from the centre, Mira from her side
    (cue,) = editing.subtitle_cues(placed, 10.0)
    assert cue.text == "- We did it!\n- We really did!" and not cue.italic


def test_a_line_sounds_the_same_whatever_was_spoken_before_it():
    from talos_assets.agents.voice.espeak import synthesize

    first = synthesize("The lantern flickers in the dark.", "en-us", 40, 150, 60)
    synthesize("Where are you going, Mira?", "en", 70, 190, 30)
    again = synthesize("The lantern flickers in the dark.", "en-us", 40, 150, 60)
    assert first.samples.size > 0.5 * first.sample_rate and np.array_equal(first.samples, again.samples)
    assert first.events == again.events and any(e.kind == "phoneme" for e in first.events)

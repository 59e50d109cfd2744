"""The film's mix written in fixed-size blocks (`editing.mix_file`, issue #12) against the whole-array
mix (`editing.mix_film`): the same 16-bit file, the same measurements, with dialogue and without,
music shorter or longer than the film."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents import editing, music
from talos_assets.agents.editing.mix import PlacedLine
from talos_assets.agents.editing.mix_file import write_film_mix
from talos_assets.agents.voice import VoicedLine

SR = 44100


@pytest.fixture(scope="module")
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _line(seconds: float, seed: int) -> VoicedLine:
    """A 22.05 kHz 'voice': noise bursts at syllable rate (resampled to the film's rate by the mix)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 22050)) / 22050
    samples = (0.3 * rng.standard_normal(t.size) * (np.sin(2 * np.pi * 4.0 * t) > 0.2)).astype(np.float32)
    return VoicedLine(text=f"line {seed}", source="recorded:test", sample_rate=22050, duration_s=seconds, onset_s=0.05,
                      offset_s=seconds - 0.05, samples=samples)


def _placed() -> list[PlacedLine]:
    return [PlacedLine(slot="s001", line=_line(1.5, 1), start_s=0.7, pan=-0.3),
            PlacedLine(slot="s002", line=_line(2.0, 2), start_s=2.9, pan=0.3),
            PlacedLine(slot="s002", line=_line(1.2, 3), start_s=3.5, pan=0.0),  # over the one before
            PlacedLine(slot="s003", line=_line(1.0, 4), start_s=7.6, pan=0.0)]  # cut off at the film's end


@pytest.mark.parametrize("music_seconds, with_lines", [(9.0, True), (6.0, True), (9.0, False)])
def test_streamed_mix_equals_the_whole_mix(tmp_path, ffmpeg_exe, music_seconds, with_lines):
    seconds = 8.0
    score = music.compose_score([(0.0, 0.4, 0.3)], music_seconds, SR, seed=4)
    wav = music.write_wav(tmp_path / "soundtrack.wav", score.stereo, SR)
    placed = _placed() if with_lines else []
    whole = editing.mix_film(music.load_audio(wav, ffmpeg_exe, SR, channels=2), placed, SR, seconds)
    ref = music.write_wav(tmp_path / "whole.wav", whole.audio, SR)
    marks = [p.onset_s for p in placed]
    facts, preview = write_film_mix(tmp_path / "mix.wav", wav, placed, SR, seconds, marks, block=9001)
    assert facts.path.read_bytes() == ref.read_bytes()  # sample for sample
    assert facts.frames == whole.audio.shape[0] == int(seconds * SR)
    assert facts.loudness_lufs == pytest.approx(whole.loudness_lufs, abs=1e-9)
    assert facts.loudness_lufs == pytest.approx(-14.0, abs=0.1)
    assert facts.loudness_pyloudnorm_lufs == pytest.approx(music.integrated_loudness(whole.audio, SR), abs=1e-9)
    assert facts.true_peak_dbtp == pytest.approx(whole.true_peak_dbtp, abs=1e-6) and facts.true_peak_dbtp <= -1.0
    under = whole.duck_db[np.abs(whole.speech).max(axis=1) > 1e-3]
    assert facts.median_ducking_under_speech_db == pytest.approx(float(np.median(under)) if under.size else 0.0, abs=0.002)
    if with_lines:
        assert facts.median_ducking_under_speech_db < -5.0  # the music really is ducked under the lines
    assert np.array_equal(preview, music.waveform_image(whole.audio.mean(axis=1), marks, SR))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix.wav", "soundtrack.wav", "whole.wav"]


def test_duck_gain_slices_equal_the_whole():
    from talos_assets.agents.editing.mix import duck_gain_db, duck_hop_gains, duck_samples
    from talos_assets.agents.voice import speech_envelope

    speech = np.zeros((5 * SR, 2))
    speech[SR : 2 * SR] = 0.2
    env, hop = speech_envelope(speech.mean(axis=1), SR)
    gain = duck_hop_gains(env, hop)
    whole = duck_gain_db(speech, SR)
    parts = np.concatenate([duck_samples(gain, hop, SR, a, min(whole.size, a + 7001)) for a in range(0, whole.size, 7001)])
    assert np.array_equal(parts, whole)
    assert whole[int(1.5 * SR)] == pytest.approx(-10.0, abs=0.1) and whole[int(4.5 * SR)] > -0.5


def test_a_missing_soundtrack_is_one_sentence(tmp_path):
    with pytest.raises(ValueError, match="Could not read the WAV file"):
        write_film_mix(tmp_path / "mix.wav", tmp_path / "gone.wav", [], SR, 2.0, [])
    assert not (tmp_path / "mix.wav").exists()

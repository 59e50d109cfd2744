"""Cuttura's audio: beat tracking on click tracks, meter/downbeats/sections, the synthesized score,
loudness (pyloudnorm and our own BS.1770-4 cross-check), audio I/O."""

from __future__ import annotations

import numpy as np
import pytest

from talos_assets.agents import music
from talos_assets.agents.music import click_track

SR = 44100


@pytest.fixture(scope="module")
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@pytest.mark.parametrize("bpm", [60, 90, 120, 150, 180])
def test_click_tracks_are_tracked(bpm):
    audio, reference = click_track(bpm, seed=bpm)
    grid = music.track_beats(audio, SR)
    f = music.beat_f_measure(grid.beat_times, reference, window=0.07)
    assert f >= 0.9, f"F-measure {f:.3f} at {bpm} BPM"
    assert grid.tempo_bpm == pytest.approx(bpm, rel=0.02)


def test_silence_has_no_beats():
    grid = music.track_beats(np.zeros(3 * SR, np.float32), SR)
    assert grid.beat_times == []


def test_beat_f_measure_counts_one_to_one_matches():
    ref = np.arange(0.5, 10.0, 0.5)
    assert music.beat_f_measure(ref, ref) == 1.0
    assert music.beat_f_measure(ref + 0.1, ref, window=0.07) == 0.0
    half = ref[::2]
    assert music.beat_f_measure(half, ref) == pytest.approx(2 * half.size / (half.size + ref.size))
    # Two estimates near one reference beat: only one of them may count.
    assert music.beat_f_measure([1.0, 1.02], [1.0]) == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    assert music.beat_f_measure([], ref) == 0.0


def test_k_weighting_matches_published_48k_coefficients():
    sos = music.k_weighting_sos(48000)
    np.testing.assert_allclose(sos[0, :3], [1.53512485958697, -2.69169618940638, 1.19839281085285], atol=1e-9)
    np.testing.assert_allclose(sos[0, 4:], [-1.69065929318241, 0.73248077421585], atol=1e-9)
    np.testing.assert_allclose(sos[1, 4:], [-1.99004745483398, 0.99007225036621], atol=1e-9)


def test_integrated_loudness_reference_tone_and_gating():
    t = np.arange(10 * SR) / SR
    tone = np.sin(2 * np.pi * 997.0 * t)
    for method in ("pyloudnorm", "bs1770"):
        # BS.1770: a full-scale ~1 kHz sine on one channel reads -3.01 LUFS.
        assert music.integrated_loudness(tone, SR, method=method) == pytest.approx(-3.01, abs=0.05)
        assert music.integrated_loudness(0.1 * tone, SR, method=method) == pytest.approx(-23.01, abs=0.05)
        # Silence is gated out: adding 10 s of it changes the reading by at most the edge blocks.
        padded = np.concatenate([0.1 * tone, np.zeros(10 * SR)])
        assert music.integrated_loudness(padded, SR, method=method) == pytest.approx(-23.01, abs=0.15)
        assert music.integrated_loudness(np.zeros(SR), SR, method=method) == float("-inf")
    # Shorter than one 400 ms gating block: pyloudnorm refuses it, our own measure takes over.
    short = 0.1 * tone[: SR // 10]
    assert music.integrated_loudness(short, SR) == music.bs1770_loudness(short, SR)


def test_pyloudnorm_and_own_bs1770_agree():
    rng = np.random.default_rng(4)
    pink = np.cumsum(rng.standard_normal(8 * SR)) * 1e-3
    pink -= np.convolve(pink, np.ones(2001) / 2001, "same")  # drift removed: a brown-ish rumble
    signals = [0.2 * rng.standard_normal(6 * SR), pink, music.synthesize_score([(0.0, 0.3, 0.2)], 8.0, seed=2)[0]]
    for x in signals:
        a = music.integrated_loudness(x, SR, method="pyloudnorm")
        b = music.integrated_loudness(x, SR, method="bs1770")
        assert np.isfinite(a) and abs(a - b) < 0.5, (a, b)


@pytest.mark.parametrize(
    "segments",
    [
        [(0.0, -0.7, -0.5)],  # sad and calm: slow, minor, no hats
        [(0.0, 0.5, -0.6), (9.0, 0.6, 0.2)],  # calm to warm: hats come in half-way
        [(0.0, 0.8, 0.5), (7.0, -0.6, 0.8)],  # joy to anger: fast, major then minor
    ],
)
def test_synthesized_score_tempo_and_loudness(segments):
    duration = 18.0
    audio, bpm = music.synthesize_score(segments, duration, sr=SR, seed=3)
    assert audio.dtype == np.float32 and audio.shape == (int(duration * SR),)
    assert 70.0 <= bpm <= 150.0
    # -14 LUFS as pyloudnorm measures it.
    assert music.integrated_loudness(audio, SR) == pytest.approx(-14.0, abs=0.5)
    assert np.abs(audio).max() < 1.0
    # Fades at both ends.
    assert np.abs(audio[:100]).max() < 0.01 and np.abs(audio[-100:]).max() < 0.01
    grid = music.track_beats(audio, SR)
    assert grid.tempo_bpm == pytest.approx(bpm, rel=0.04)
    # The tracked beats are the kicks the synth put on every beat (fades left out).
    kicks = np.arange(0.0, duration, 60.0 / bpm)
    kicks = kicks[(kicks > 2.0) & (kicks < duration - 3.0)]
    est = np.asarray(grid.beat_times)
    est = est[(est > 2.0) & (est < duration - 3.0)]
    assert music.beat_f_measure(est, kicks) >= 0.9


def test_tempo_follows_arousal_and_mode_follows_valence():
    calm, calm_bpm = music.synthesize_score([(0.0, 0.5, -0.8)], 6.0, seed=1)
    fast, fast_bpm = music.synthesize_score([(0.0, 0.5, 0.8)], 6.0, seed=1)
    assert calm_bpm < fast_bpm
    minor, _ = music.synthesize_score([(0.0, -0.8, -0.8)], 6.0, seed=1)
    # Same tempo, different mode: the harmony differs.
    assert not np.allclose(calm, minor, atol=1e-3)


def test_wav_round_trip_through_ffmpeg(tmp_path, ffmpeg_exe):
    t = np.arange(SR) / SR
    audio = (0.5 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
    path = music.write_wav(tmp_path / "tone.wav", audio, SR)
    assert [p.name for p in tmp_path.iterdir()] == ["tone.wav"]  # no temp file left behind
    back = music.load_audio(path, ffmpeg_exe, sr=SR)
    assert back.dtype == np.float32 and back.shape == audio.shape
    assert np.abs(back - audio).max() < 1e-3  # 16-bit quantisation only
    half = music.load_audio(path, ffmpeg_exe, sr=SR // 2)
    assert abs(half.size - SR // 2) <= 2


def test_load_audio_rejects_garbage_with_the_file_name(tmp_path, ffmpeg_exe):
    junk = tmp_path / "not_audio.mp3"
    junk.write_bytes(b"this is not an mp3 at all" * 20)
    with pytest.raises(ValueError, match="not_audio.mp3"):
        music.load_audio(junk, ffmpeg_exe)
    with pytest.raises(ValueError, match="missing.wav"):
        music.load_audio(tmp_path / "missing.wav", ffmpeg_exe)


def accented_clicks(bpm: float, meter: int, seconds: float = 14.0, start: float = 0.41, seed: int = 0):
    """A click track whose bar lines are marked as a drummer marks them: a louder, lower click on
    beat one (kick-like 80 Hz thump plus the 1 kHz blip). Returns audio, beats and downbeats."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    audio = 0.02 * rng.standard_normal(n)
    beats = np.arange(start, seconds - 0.2, 60.0 / bpm)
    tt = np.arange(int(0.12 * SR)) / SR
    blip = 0.4 * np.sin(2 * np.pi * 1000.0 * tt) * np.exp(-tt / 0.005)
    thump = 0.8 * np.sin(2 * np.pi * 80.0 * tt) * np.exp(-tt / 0.04)
    for k, t in enumerate(beats):
        i = int(round(t * SR))
        sound = blip + (thump if k % meter == 0 else 0.0)
        audio[i : i + sound.size] += sound[: n - i]
    return audio.astype(np.float32), beats, beats[::meter]


@pytest.mark.parametrize("bpm,meter", [(96, 4), (132, 3), (150, 4)])
def test_meter_and_downbeats_of_accented_clicks(bpm, meter):
    audio, beats, downbeats = accented_clicks(bpm, meter, seed=bpm)
    a = music.analyze_music(audio, SR)
    assert a.beats_per_bar == meter
    assert music.beat_f_measure(a.beat_times, beats) >= 0.9
    assert music.beat_f_measure(a.downbeat_times, downbeats) >= 0.9
    # A steady click track has one section.
    assert a.section_times == []


def test_estimate_meter_and_foote_novelty_on_designed_inputs():
    accent = np.tile([3.0, 0.0, 1.0, 0.0], 6)[1:]  # 4/4 with the first bar line on beat index 3
    assert music.estimate_meter(accent) == (4, 3)
    assert music.estimate_meter(np.tile([2.0, 0.1, 0.0], 8)) == (3, 0)
    # Two homogeneous blocks: novelty peaks exactly at the boundary between them.
    labels = np.array([0] * 20 + [1] * 16)
    ssm = np.where(labels[:, None] == labels[None, :], 1.0, -1.0)  # cosine similarity: alike / opposite
    nov = music.foote_novelty(ssm, 8)
    assert int(np.argmax(nov)) == 20 and nov[20] == pytest.approx(1.0)
    assert nov[:12].max() < 1e-9 and nov[28:].max() < 1e-9


@pytest.mark.parametrize(
    "segments,duration,meter",
    [
        ([(0.0, 0.5, -0.6), (12.0, 0.8, 0.5)], 26.0, 4),  # calm F major -> joyful D major, hats come in
        ([(0.0, 0.3, 0.4), (12.0, -0.7, -0.5)], 26.0, 3),  # a waltz: C major pluck -> A minor bell
    ],
)
def test_synthesized_score_downbeats_and_sections_are_found(segments, duration, meter):
    score = music.compose_score(segments, duration, sr=SR, seed=5, beats_per_bar=meter)
    # The score's own plan: one section per mood, each with its key, mode and band.
    assert len(score.sections) == 2
    first, second = score.sections
    assert (first.key, first.mode) != (second.key, second.mode) and first.instruments != second.instruments
    assert score.downbeat_times == score.beat_times[::meter]
    a = music.analyze_music(score.audio, SR)
    assert a.tempo_bpm == pytest.approx(score.tempo_bpm, rel=0.02)
    assert a.beats_per_bar == meter
    # Downbeat F-measure against the bars the synth wrote (fades left out).
    ref = np.array(score.downbeat_times)
    ref = ref[(ref > 2.0) & (ref < duration - 3.0)]
    est = np.array(a.downbeat_times)
    est = est[(est > 2.0) & (est < duration - 3.0)]
    assert music.beat_f_measure(est, ref) >= 0.9
    # The one section change is found within a beat of the bar where the key changes; no others.
    assert len(a.section_times) == 1
    assert a.section_times[0] == pytest.approx(score.section_times[0], abs=60.0 / score.tempo_bpm)


def test_one_mood_score_has_one_section():
    score = music.compose_score([(0.0, 0.6, 0.2)], 24.0, sr=SR, seed=9)
    assert len(score.sections) == 1 and score.sections[0].key == "C major"
    assert music.analyze_music(score.audio, SR).section_times == []


def test_key_and_instrumentation_follow_the_mood():
    assert music.key_for_mood(0.8, 0.5) == (62, "major")
    assert music.key_for_mood(-0.7, -0.5) == (57, "minor")
    assert "hats" in music.instrumentation_for_mood(0.2, 0.8)
    assert "bell" in music.instrumentation_for_mood(0.5, -0.6)
    assert "hollow" in music.instrumentation_for_mood(-0.6, 0.8)


# ---- stereo, true peak and the mix's normalisation ------------------------------------------------


def _ffmpeg_ebur128(path, ffmpeg_exe: str) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) as ffmpeg's own ebur128 filter measures a file: a third,
    independent implementation beside ours and pyloudnorm."""
    import re
    import subprocess

    done = subprocess.run([ffmpeg_exe, "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true",
                           "-f", "null", "-"], capture_output=True, text=True, check=True)
    summary = done.stderr[done.stderr.rindex("Summary:"):]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return lufs, peak


def test_true_peak_reads_the_peak_between_samples():
    # a sine at a quarter of the sample rate, sampled 45 degrees off its crests: every sample reads
    # 0.707 (-3 dBFS) while the waveform between them reaches 1.0 (0 dBTP)
    n = np.arange(SR)
    x = np.sin(2 * np.pi * n / 4 + np.pi / 4)
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-3.01, abs=0.01)
    assert music.true_peak_dbtp(x, SR) == pytest.approx(0.0, abs=0.2)
    assert music.true_peak_dbtp(np.zeros(100), SR) == float("-inf")


def test_normalize_mix_hits_loudness_and_true_peak_three_ways(tmp_path, ffmpeg_exe):
    import pyloudnorm

    rng = np.random.default_rng(7)
    t = np.arange(10 * SR) / SR
    # stereo with different sides, and drum-like transients far above the body of the sound
    x = np.stack([0.05 * np.sin(2 * np.pi * 220 * t), 0.04 * rng.standard_normal(t.size)], axis=1)
    for k in range(20):
        i = int((0.25 + 0.5 * k) * SR)
        x[i : i + 800] += 0.9 * np.exp(-np.arange(800) / 150.0)[:, None] * rng.standard_normal((800, 1))
    y = music.normalize_mix(x, SR)
    assert y.shape == x.shape and y.dtype == np.float32
    assert music.integrated_loudness(y, SR, method="bs1770") == pytest.approx(-14.0, abs=0.1)
    assert pyloudnorm.Meter(SR).integrated_loudness(y.astype(np.float64)) == pytest.approx(-14.0, abs=0.2)
    assert music.true_peak_dbtp(y, SR) <= -1.0
    lufs, peak = _ffmpeg_ebur128(music.write_wav(tmp_path / "mix.wav", y, SR), ffmpeg_exe)
    assert lufs == pytest.approx(-14.0, abs=0.3) and peak <= -1.0
    # the limiter only works where it must: the body of the sound keeps its shape between the hits
    body = slice(int(0.1 * SR), int(0.2 * SR))
    gain = y[body] / x[body]
    assert np.ptp(gain[np.abs(x[body]) > 0.01]) < 0.01


def test_generated_score_is_stereo_at_target(tmp_path, ffmpeg_exe):
    score = music.compose_score([(0.0, 0.5, 0.4)], 8.0, SR, seed=2)
    st = score.stereo
    assert st.shape == (8 * SR, 2)
    assert np.corrcoef(st[:, 0], st[:, 1])[0, 1] < 0.999  # two different sides, not mono twice
    assert music.integrated_loudness(st, SR) == pytest.approx(-14.0, abs=0.2)
    assert music.true_peak_dbtp(st, SR) <= -1.0


def test_load_audio_keeps_stereo(tmp_path, ffmpeg_exe):
    t = np.arange(SR) / SR
    stereo = np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.2 * np.sin(2 * np.pi * 660 * t)], axis=1)
    path = music.write_wav(tmp_path / "st.flac.wav", stereo, SR)
    back = music.load_audio(path, ffmpeg_exe, SR, channels=2)
    assert back.shape == (SR, 2)
    assert np.allclose(back, stereo, atol=1e-3)
    mono = music.load_audio(music.write_wav(tmp_path / "m.wav", stereo[:, 0], SR), ffmpeg_exe, SR, channels=2)
    assert np.allclose(mono[:, 0], mono[:, 1])


# ---- the score streamed in fixed-size blocks (issue #12: memory flat with film length) ----

def _wav_samples(path) -> np.ndarray:
    import wave

    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels()).astype(np.int32)


# Per-second RMS (16-bit units, left/right) of the 8 s score below, measured before the synthesis
# was streamed (the whole piece in memory): the refactor kept the music.
_SCORE_A_RMS = [[2962.6, 2365.3], [6600.4, 5277.5], [6950.7, 5837.7], [6930.8, 5701.2], [6887.9, 5727.2],
                [7023.2, 5785.5], [4590.3, 3797.2], [1130.2, 908.7]]


def test_streamed_score_equals_the_whole_piece(tmp_path):
    from talos_assets.agents.music.score import ScoreSynth

    segments, duration, seed, meter = [(0.0, 0.6, -0.6), (3.0, -0.7, 0.8), (7.0, 0.2, 0.1)], 10.3, 5, 3
    # the whole piece in one buffer (a block longer than the piece: nothing is handed on early),
    # normalised in memory: the synthesis as it was before streaming
    synth = ScoreSynth(segments, duration, SR, seed, meter)
    ((_, _, whole),) = list(synth.blocks(block=10**9))
    music.write_wav(tmp_path / "whole.wav", music.normalize_mix(whole, SR), SR)
    reference = _wav_samples(tmp_path / "whole.wav")
    # streamed in blocks that fit neither a bar, a 100 ms loudness hop nor a 32-sample limiter block
    written = music.write_score(tmp_path / "streamed.wav", segments, duration, SR, seed=seed, beats_per_bar=meter, block=5003)
    streamed = _wav_samples(written.path)
    assert streamed.shape == reference.shape == (int(round(duration * SR)), 2)
    assert np.abs(streamed - reference).max() <= 1  # within one 16-bit step (here: identical)
    assert np.mean(streamed == reference) > 0.9999
    assert [s.key for s in written.sections] == [s.key for s in synth.sections] == ["F major", "C minor", "C major"]
    assert written.tempo_bpm == synth.tempo_bpm and written.frames == reference.shape[0]
    assert written.loudness_lufs == pytest.approx(-14.0, abs=0.1) and written.true_peak_dbtp <= -1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["streamed.wav", "whole.wav"]  # scratch files gone
    # the in-memory score and the default block size give the same file
    score = music.compose_score(segments, duration, SR, seed=seed, beats_per_bar=meter)
    assert np.array_equal(np.round(np.clip(score.stereo.astype(np.float64), -1, 1) * 32767.0).astype(np.int32), reference)
    again = music.write_score(tmp_path / "default.wav", segments, duration, SR, seed=seed, beats_per_bar=meter)
    assert again.path.read_bytes() == (tmp_path / "whole.wav").read_bytes()


def test_streamed_score_keeps_the_music_it_had_before(tmp_path):
    written = music.write_score(tmp_path / "a.wav", [(0.0, 0.5, 0.4)], 8.0, SR, seed=2)
    pcm = _wav_samples(written.path).astype(np.float64)
    rms = np.sqrt((pcm[: 8 * SR].reshape(8, SR, 2) ** 2).mean(axis=1))
    np.testing.assert_allclose(rms, _SCORE_A_RMS, atol=0.06)
    assert written.tempo_bpm == 126.0


def test_streamed_meters_read_what_the_whole_signal_reads():
    from talos_assets.agents.music.limiter import block_peaks
    from talos_assets.agents.music.loudness import true_peak_per_sample
    from talos_assets.agents.music.meters import BlockPeaks

    rng = np.random.default_rng(3)
    x = 0.2 * rng.standard_normal((3 * SR + 777, 2))
    x[SR : SR + 50] *= 4.0  # a burst whose peak lies inside one block
    loud, tp, blocks, peaks = music.LoudnessMeter(SR, 2), music.TruePeakMeter(2), BlockPeaks(), []
    for a in range(0, x.shape[0], 3001):
        loud.feed(x[a : a + 3001])
        peaks.append(tp.feed(x[a : a + 3001]))
    peaks.append(tp.finish())
    peaks = np.concatenate(peaks)
    blocks.feed(peaks)
    assert loud.lufs() == pytest.approx(music.bs1770_loudness(x, SR), abs=1e-9)
    whole = true_peak_per_sample(x)
    assert peaks.shape == whole.shape
    np.testing.assert_allclose(peaks[40:-40], whole[40:-40], rtol=1e-6)  # the ends: zero history either way
    np.testing.assert_allclose(blocks.result(), block_peaks(whole), rtol=1e-6)
    assert 20 * np.log10(tp.peak) == pytest.approx(music.true_peak_dbtp(x, SR), abs=1e-4)
    short = music.LoudnessMeter(SR, 2)  # shorter than one gating block: one block, as bs1770_loudness
    short.feed(x[:1000])
    assert short.lufs() == pytest.approx(music.bs1770_loudness(x[:1000], SR), abs=1e-9)


def test_analysis_of_a_sample_file_equals_the_array(tmp_path):
    score = music.compose_score([(0.0, 0.5, -0.6), (9.0, -0.6, 0.6)], 18.0, SR, seed=4)
    mono = score.stereo.mean(axis=1)
    (tmp_path / "mono.f32").write_bytes(mono.astype("<f4").tobytes())
    from_file = music.SampleFile(tmp_path / "mono.f32")
    assert len(from_file) == mono.size and np.array_equal(from_file[100:200], mono[100:200].astype(np.float64))
    assert music.analyze_music(from_file, SR) == music.analyze_music(mono, SR)
    beats = music.analyze_music(mono, SR).beat_times
    assert np.array_equal(music.waveform_image(from_file, beats, SR), music.waveform_image(mono, beats, SR))


def test_score_soundtrack_memory_does_not_grow_with_length(tmp_path):
    import tracemalloc

    peaks = []
    for seconds in (8.0, 32.0):
        tracemalloc.start()
        written, analysis, _ = music.score_soundtrack(tmp_path / f"s{seconds:.0f}.wav", [(0.0, 0.4, 0.5)], seconds, SR, seed=1)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert written.frames == int(seconds * SR) and len(analysis.beat_times) > seconds
    # whole-piece synthesis held ~21 float64 copies of the piece: 4x the film, 4x the peak
    assert peaks[1] < 1.25 * peaks[0], [p / 2**20 for p in peaks]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s32.wav", "s8.wav"]


def test_wav_writer_leaves_nothing_on_failure(tmp_path):
    with pytest.raises(RuntimeError):
        with music.WavWriter(tmp_path / "x.wav", SR, 2) as out:
            out.write(np.zeros((100, 2)))
            raise RuntimeError("ffmpeg died")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="channels"):
        with music.WavWriter(tmp_path / "y.wav", SR, 2) as out:
            out.write(np.zeros(100))

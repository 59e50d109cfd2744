"""Cuttura's ears and voice: music analysis, a mood-driven score synthesiser, loudness, audio I/O.

- `beats`: Ellis (2007) beat tracking (onset envelope, tempo by autocorrelation with a log-Gaussian
  prior and the TPS2 duple term, beats by dynamic programming) and the MIREX beat F-measure.
- `meter`: meter (3 or 4) and downbeats from beat-synchronous accents (kick and bass energy,
  harmonic change, onset strength).
- `sections`: Foote (2000) checkerboard novelty on a beat-synchronous self-similarity matrix.
- `analysis`: all three gathered in a `MusicAnalysis` (`analyze_music`); `spectrum` holds the
  STFT, mel, chroma and cepstral features they share.
- `score` and `voices`: the emotion curve written as a piece (tempo from arousal, key, mode and
  band from the mood, a four-chord progression, marked bar lines) and played by a small synth band,
  bar by bar in fixed-size blocks; `score_file` streams a film's score to its WAV (normalised with
  the streamed meters of `meters`), so the soundtrack's memory does not grow with the film.
- `loudness`: ITU-R BS.1770-4 / EBU R128 integrated loudness (pyloudnorm, and our own as a cross-check),
  true peak (BS.1770-4 Annex 2) and normalisation to -14 LUFS; `limiter`: a look-ahead true-peak
  limiter and the film mix's normalisation to -14 LUFS / -1 dBTP; `audio_io`: ffmpeg decoding (mono
  or stereo) and atomic WAV writing; `click`: a metronome with ground-truth click times.
"""

from talos_assets.agents.music.analysis import MusicAnalysis, analyze_music
from talos_assets.agents.music.audio_io import SampleFile, WavWriter, load_audio, write_wav
from talos_assets.agents.music.beats import beat_f_measure, estimate_tempo, onset_strength, track_beats
from talos_assets.agents.music.click import click_track
from talos_assets.agents.music.limiter import normalize_mix, true_peak_limit
from talos_assets.agents.music.loudness import (
    bs1770_loudness,
    integrated_loudness,
    k_weighting_sos,
    normalize_loudness,
    true_peak_dbtp,
)
from talos_assets.agents.music.meter import estimate_meter
from talos_assets.agents.music.meters import LoudnessMeter, TruePeakMeter
from talos_assets.agents.music.score import (
    Score,
    ScoreSection,
    ScoreSynth,
    compose_score,
    instrumentation_for_mood,
    key_for_mood,
    synthesize_score,
    tempo_for_arousal,
)
from talos_assets.agents.music.score_file import WrittenScore, score_soundtrack, write_score
from talos_assets.agents.music.sections import foote_novelty
from talos_assets.agents.music.waveform import waveform_image

__all__ = [
    "LoudnessMeter", "MusicAnalysis", "SampleFile", "Score", "ScoreSection", "ScoreSynth", "TruePeakMeter", "WavWriter",
    "WrittenScore", "analyze_music", "beat_f_measure", "bs1770_loudness", "click_track",
    "compose_score", "estimate_meter", "estimate_tempo", "foote_novelty", "instrumentation_for_mood",
    "integrated_loudness", "k_weighting_sos", "key_for_mood", "load_audio", "normalize_loudness", "normalize_mix", "onset_strength", "score_soundtrack",
    "synthesize_score", "tempo_for_arousal", "track_beats", "true_peak_dbtp", "true_peak_limit", "waveform_image", "write_score", "write_wav",
]  # fmt: skip

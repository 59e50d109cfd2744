"""What the edit needs to know about a soundtrack: tempo and beats (Ellis 2007 dynamic-programming
tracking, `beats.py`), meter and downbeats (beat-synchronous accents, `meter.py`) and section starts
(Foote 2000 novelty, `sections.py`), gathered in one `MusicAnalysis`.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from talos_assets.agents.music.beats import onset_strength, track_envelope
from talos_assets.agents.music.meter import bar_accent, estimate_meter
from talos_assets.agents.music.sections import section_starts
from talos_assets.agents.music.spectrum import as_signal, beat_chroma_and_cepstra
from talos_assets.spec import BeatGrid


class MusicAnalysis(BaseModel):
    """What the edit needs to know about a soundtrack (all times in seconds from the audio start)."""

    tempo_bpm: float
    beats_per_bar: int = Field(4, description="estimated meter: 3 or 4 beats to the bar")
    beat_times: list[float]
    downbeat_times: list[float] = Field(default_factory=list, description="first beat of each bar")
    section_times: list[float] = Field(
        default_factory=list, description="where a new section begins (the audio start is not listed)"
    )

    def beat_grid(self) -> BeatGrid:
        return BeatGrid(tempo_bpm=self.tempo_bpm, beat_times=list(self.beat_times))


def analyze_music(
    audio: np.ndarray, sr: int, prior_bpm: float = 120.0, section_threshold: float = 0.11
) -> MusicAnalysis:
    """Tempo, beats, meter and downbeats, and section boundaries of a soundtrack.

    Beats: `track_beats` (Ellis 2007). Meter and downbeats: a per-beat accent that sums three
    z-scored beat-synchronous cues players use to mark a bar (low-frequency energy under 150 Hz at
    the beat (kick and bass), harmonic change (chroma distance to the previous beat: chords change
    on bar lines) and onset strength), then `estimate_meter` over 3 and 4 beats to the bar.
    Sections: a beat-synchronous feature per beat (12-bin chroma and 12 MFCC-like cepstral
    coefficients of a log-mel spectrum), a self-similarity matrix (chroma cosine + Gaussian of the
    cepstral distance), Foote's (2000) checkerboard novelty with a kernel of four bars each side,
    peaks above `section_threshold` at least two bars apart, moved onto the nearest downbeat.
    """
    x = as_signal(audio)  # an array, or a soundtrack's mono sum in a file (`audio_io.SampleFile`)
    env, frame_period = onset_strength(x, sr)
    grid = track_envelope(env, frame_period, prior_bpm)
    beats = np.asarray(grid.beat_times, dtype=np.float64)
    if beats.size < 6:
        return MusicAnalysis(tempo_bpm=grid.tempo_bpm, beats_per_bar=4, beat_times=grid.beat_times,
                             downbeat_times=[float(t) for t in beats[::4]], section_times=[])  # fmt: skip
    period = 60.0 / grid.tempo_bpm
    chroma_n, mfcc_b = beat_chroma_and_cepstra(x, sr, beats, period)
    meter, phase = estimate_meter(bar_accent(x, sr, beats, period, chroma_n, env, frame_period))
    downbeats = beats[phase::meter]
    sections = section_starts(chroma_n, mfcc_b, beats, downbeats, meter, period, section_threshold)
    return MusicAnalysis(
        tempo_bpm=grid.tempo_bpm, beats_per_bar=meter, beat_times=grid.beat_times,
        downbeat_times=[float(t) for t in downbeats], section_times=sections,
    )  # fmt: skip

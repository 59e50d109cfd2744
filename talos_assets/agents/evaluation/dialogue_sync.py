"""Echo's dialogue checks: the lip-sync offset of each on-screen speaker, and the loudness of the sound.

Lip-sync offset is the lag that maximises the normalised cross-correlation (Pearson's r over the
overlap, per lag) between the speaker's mouth opening, held over each film frame, and the RMS
envelope of its voiced line (`voice.visemes.speech_envelope`: 20 ms window every 10 ms), both on
the shot's clock at 10 ms steps; a parabola through the peak refines it below one step. A positive
offset means the mouth moves after its sound (sound early), negative that it moves before it.
Limits follow ITU-R BT.1359-1: viewers detect sound 45 ms early or 125 ms late and accept up to 90 ms
early or 185 ms late. The opening to judge is what Flux drew (the poses' `mouth_open` channel,
`drawn_openings`), or openings measured on rendered frames.

Loudness is integrated loudness per ITU-R BS.1770-4 / EBU R128 with pyloudnorm
(`music.loudness.integrated_loudness`), against the studio's mix target (`editing.mix`: -14 LUFS,
true peak at most -1 dBTP).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from talos_assets.agents.evaluation.findings import EchoFinding, Severity
from talos_assets.agents.music.loudness import integrated_loudness, true_peak_dbtp
from talos_assets.agents.voice.visemes import speech_envelope
from talos_assets.spec import Pose

if TYPE_CHECKING:
    from talos_assets.agents.voice.speech import VoicedLine

STEP_S = 0.01  # the envelope's hop: offsets are searched on this grid, then refined
MAX_LAG_MS = 500.0  # a mouth more than half a second off is not measuring the same line
# ITU-R BT.1359-1: sound early (mouth late, offset > 0) is caught sooner than sound late.
SYNC_WARN_EARLY_MS, SYNC_ERROR_EARLY_MS = 45.0, 90.0
SYNC_WARN_LATE_MS, SYNC_ERROR_LATE_MS = 125.0, 185.0
# editing.mix normalises the film to -14 LUFS integrated, true peak <= -1 dBTP; R128 lets a
# programme sit within 1 LU of its target, 2 LU off is a mix that was not normalised.
MIX_TARGET_LUFS = -14.0
LOUDNESS_WARN_LU = 1.0
LOUDNESS_ERROR_LU = 2.0
TRUE_PEAK_CEILING_DBTP = -1.0


def drawn_openings(poses: Mapping[str, Sequence[Pose]]) -> dict[str, np.ndarray]:
    """character -> the mouth opening Flux drew on each frame (face channel `mouth_open`, 0..1)."""
    return {c: np.array([float(p.face.get("mouth_open", 0.0)) for p in seq]) for c, seq in poses.items() if seq}


def _on_shot_clock(openings: Sequence[float], samples: np.ndarray, sr: int, fps: float, start_s: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(mouth, envelope) on one 10 ms grid from the shot's first frame to its last."""
    # a plain opening per frame, or the voice agent's `MouthFrame`s (their `open`)
    mouth_per_frame = np.array([float(getattr(m, "open", m)) for m in openings], dtype=np.float64)
    audio = np.asarray(samples, dtype=np.float64)
    env, hop = speech_envelope(audio.mean(axis=1) if audio.ndim == 2 else audio, int(sr), STEP_S)  # mono
    t = np.arange(0.0, mouth_per_frame.size / fps, STEP_S)
    frame = np.minimum((t * fps).astype(int), mouth_per_frame.size - 1)
    k = np.round((t - start_s) / hop).astype(int)  # the envelope sample at shot time t
    voice = np.zeros(t.size)
    inside = (k >= 0) & (k < env.size)
    voice[inside] = env[k[inside]]  # silence before and after the line
    return mouth_per_frame[frame], voice


def _pearson_by_lag(mouth: np.ndarray, voice: np.ndarray, max_lag: int) -> np.ndarray:
    """r(mouth[t], voice[t - lag]) over the overlap, for lag in -max_lag..max_lag (NaN where flat)."""
    n = mouth.size
    out = np.full(2 * max_lag + 1, np.nan)
    for i, lag in enumerate(range(-max_lag, max_lag + 1)):
        m = mouth[max(lag, 0) : n + min(lag, 0)]
        v = voice[max(-lag, 0) : n - max(lag, 0)]
        if m.size > 2 and m.std() > 0 and v.std() > 0:
            out[i] = float(np.corrcoef(m, v)[0, 1])
    return out


def lip_sync_offset_ms(openings: Sequence[float], samples: np.ndarray, sr: int, fps: float, start_s: float = 0.0,
                       max_lag_ms: float = MAX_LAG_MS) -> tuple[float, float]:
    """(offset ms, peak correlation) of a mouth track (opening per frame of the shot) against its line
    (`samples` at `sr`, starting `start_s` into the shot). Positive: the mouth moves after the sound.
    (nan, nan) when the mouth or the voice never changes."""
    mouth, voice = _on_shot_clock(openings, samples, sr, fps, start_s)
    max_lag = int(round(max_lag_ms / 1000.0 / STEP_S))
    r = _pearson_by_lag(mouth, voice, min(max_lag, max(mouth.size - 3, 0)))
    if not np.isfinite(r).any():
        return float("nan"), float("nan")
    i = int(np.nanargmax(r))
    shift = 0.0
    if 0 < i < r.size - 1 and np.isfinite(r[i - 1]) and np.isfinite(r[i + 1]):
        den = r[i - 1] - 2 * r[i] + r[i + 1]
        shift = 0.5 * (r[i - 1] - r[i + 1]) / den if den < 0 else 0.0  # vertex of the parabola through the peak
    lag_steps = i - (r.size - 1) // 2 + shift
    return float(lag_steps * STEP_S * 1000.0), float(r[i])


def _sync_severity(offset_ms: float) -> tuple[Severity, float]:
    """Severity of an offset and the warn limit on its side (ms, positive)."""
    early = offset_ms >= 0  # the mouth after the sound: the sound came early
    warn, error = (SYNC_WARN_EARLY_MS, SYNC_ERROR_EARLY_MS) if early else (SYNC_WARN_LATE_MS, SYNC_ERROR_LATE_MS)
    size = abs(offset_ms)
    return ("error" if size >= error else "warn" if size > warn else "ok"), warn


def lip_sync_finding(lines: Sequence[VoicedLine], openings: Mapping[str, Sequence[float]], fps: float
                     ) -> EchoFinding:
    """Per-shot lip sync: the worst on-screen speaker's offset (ms) against BT.1359's limits; the frames
    of that speaker's line when it fails. `lines` carry their samples; `openings` is per speaker."""
    rank = {"ok": 0, "warn": 1, "error": 2}
    worst: tuple[float, str, float, float] | None = None  # (badness, speaker, offset ms, warn limit ms)
    failing: list[str] = []
    severities: list[Severity] = []
    frames: set[int] = set()
    for line in lines:
        if line.off_screen or not line.speaker or line.speaker not in openings or line.samples.size == 0:
            continue
        offset, _ = lip_sync_offset_ms(openings[line.speaker], line.samples, line.sample_rate, fps, line.start_s)
        if not np.isfinite(offset):
            continue
        sev, warn = _sync_severity(offset)
        severities.append(sev)
        if sev != "ok":
            failing.append(line.speaker)
            first, n = int(line.start_s * fps), len(openings[line.speaker])
            frames.update(range(first, min(n, first + int(np.ceil(line.duration_s * fps)) + 1)))  # the line's frames
        badness = abs(offset) / warn
        if worst is None or badness > worst[0]:
            worst = (badness, line.speaker, offset, warn)
    if worst is None:
        return EchoFinding(check="lip_sync", value=0.0, limit=SYNC_WARN_EARLY_MS, unit="ms", severity="ok",
                           detail="no on-screen speaker with a voiced line and a mouth to compare")
    _, speaker, offset, warn = worst
    sev = max(severities, key=rank.get)  # sides differ in warn/error ratio: the worst severity of any speaker
    side = "after" if offset >= 0 else "before"
    return EchoFinding(check="lip_sync", value=offset, limit=warn, unit="ms", severity=sev, frames=sorted(frames),
                       characters=failing,
                       detail=f"{speaker}'s mouth moves {abs(offset):.0f} ms {side} the voice (limit {warn:g} ms)")


def loudness_finding(audio: np.ndarray, sr: int, target_lufs: float = MIX_TARGET_LUFS,
                     warn_lu: float = LOUDNESS_WARN_LU, error_lu: float = LOUDNESS_ERROR_LU,
                     ceiling_dbtp: float = TRUE_PEAK_CEILING_DBTP, check: str = "loudness") -> EchoFinding:
    """Integrated loudness (LUFS) of mono (n,) or (n, ch) audio against `target_lufs`; a true peak over
    `ceiling_dbtp` is an error too (it clips on delivery)."""
    lufs = integrated_loudness(audio, sr)
    peak = true_peak_dbtp(audio, sr)
    off = abs(lufs - target_lufs) if np.isfinite(lufs) else float("inf")
    sev: Severity = "error" if off >= error_lu else "warn" if off > warn_lu else "ok"
    if peak > ceiling_dbtp:
        sev = "error"
    detail = (f"integrated loudness {lufs:.1f} LUFS, target {target_lufs:g} ± {warn_lu:g} LU; "
              f"true peak {peak:.1f} dBTP (ceiling {ceiling_dbtp:g})")
    return EchoFinding(check=check, value=float(lufs), limit=target_lufs, unit="LUFS", severity=sev, detail=detail)

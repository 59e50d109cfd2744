"""Cuttura's audio files: any audio (or video-with-audio) decoded to mono or stereo float32 by ffmpeg (argv
lists, raw float32 through a pipe), and 16-bit PCM WAV written through a temp file and an atomic
rename. The ffmpeg executable is always given by the caller (the studio's ffmpeg resource).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np


def load_audio(path: str | Path, ffmpeg_exe: str, sr: int = 44100, channels: int = 1) -> np.ndarray:
    """Decode any audio (or video-with-audio) file to float32 at `sr` through ffmpeg: (n,) for
    `channels=1`, (n, 2) for `channels=2` (a mono file is copied to both sides)."""
    if channels not in (1, 2):
        raise ValueError(f"channels must be 1 or 2, got {channels}")
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"Audio file '{path}' does not exist or is not a regular file.")
    argv = [
        ffmpeg_exe, "-hide_banner", "-nostdin", "-loglevel", "error",
        "-i", f"file:{path}",
        "-map", "0:a:0", "-vn", "-ac", str(channels), "-ar", str(int(sr)),
        "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1",
    ]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, check=False)
    audio = np.frombuffer(proc.stdout, dtype="<f4")
    if proc.returncode != 0 or audio.size == 0:
        # ffmpeg's last stderr line is the most specific reason; keep the message one sentence.
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[-1].strip().rstrip(".") if lines else "no audio samples were decoded"
        raise ValueError(f"Could not decode audio file '{path}' ({reason}).")
    audio = audio[: audio.size - audio.size % channels].astype(np.float32, copy=True)
    return audio if channels == 1 else audio.reshape(-1, channels)


def write_wav(path: str | Path, audio: np.ndarray, sr: int) -> Path:
    """Write float audio in [-1, 1] (mono (n,) or (n, channels)) as 16-bit PCM WAV, atomically."""
    path = Path(path)
    data = np.asarray(audio, dtype=np.float64)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[1] < 1:
        raise ValueError(f"audio for '{path.name}' must be (n,) or (n, channels), got {data.shape}")
    pcm = np.round(np.clip(data, -1.0, 1.0) * 32767.0).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh, wave.open(fh, "wb") as wav:
            wav.setnchannels(pcm.shape[1])
            wav.setsampwidth(2)
            wav.setframerate(int(sr))
            wav.writeframes(pcm.tobytes())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path

"""Cuttura's audio files: any audio (or video-with-audio) decoded to mono or stereo float32 by ffmpeg (argv
lists, raw float32 through a pipe), 16-bit PCM WAV written (whole, or block by block with
`WavWriter`) through a temp file and an atomic rename, and `SampleFile`, a long mono signal on disk
read in slices. The ffmpeg executable is always given by the caller (the studio's ffmpeg resource).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import wave
from collections.abc import Iterator
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


def _pcm16(audio: np.ndarray, name: str) -> np.ndarray:
    data = np.asarray(audio, dtype=np.float64)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[1] < 1:
        raise ValueError(f"audio for '{name}' must be (n,) or (n, channels), got {data.shape}")
    return np.round(np.clip(data, -1.0, 1.0) * 32767.0).astype("<i2")


class WavWriter:
    """16-bit PCM WAV written block by block into a temp file beside `path`, renamed onto it when the
    `with` block ends without an error (removed otherwise): a long soundtrack never waits in memory."""

    def __init__(self, path: str | Path, sr: int, channels: int) -> None:
        self.path, self.sr, self.channels = Path(path), int(sr), channels
        self.frames = 0

    def __enter__(self) -> "WavWriter":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent)
        self._fh = os.fdopen(fd, "wb")
        self._wav = wave.open(self._fh, "wb")
        self._wav.setnchannels(self.channels)
        self._wav.setsampwidth(2)
        self._wav.setframerate(self.sr)
        return self

    def write(self, audio: np.ndarray) -> None:
        """Append float audio in [-1, 1], (k,) or (k, channels), as 16-bit samples."""
        pcm = _pcm16(audio, self.path.name)
        if pcm.shape[1] != self.channels:
            raise ValueError(f"audio for '{self.path.name}' has {pcm.shape[1]} channels, the file {self.channels}")
        self._wav.writeframes(pcm.tobytes())
        self.frames += pcm.shape[0]

    def __exit__(self, kind, value, tb) -> None:
        try:
            self._wav.close()  # patches the header's sizes
            self._fh.close()
            if kind is None:
                os.replace(self._tmp, self.path)
        finally:
            Path(self._tmp).unlink(missing_ok=True)


def write_wav(path: str | Path, audio: np.ndarray, sr: int) -> Path:
    """Write float audio in [-1, 1] (mono (n,) or (n, channels)) as 16-bit PCM WAV, atomically."""
    path = Path(path)
    data = np.asarray(audio)
    channels = 1 if data.ndim == 1 else (data.shape[1] if data.ndim == 2 else 0)
    if channels < 1:
        raise ValueError(f"audio for '{path.name}' must be (n,) or (n, channels), got {data.shape}")
    with WavWriter(path, sr, channels) as out:
        out.write(data)
    return path


class SampleFile:
    """A long mono signal kept in a raw little-endian float32 file and read a slice at a time as
    float64 (what `np.asarray(signal, dtype=np.float64)` would give): the beat analysis of a film's
    soundtrack reads it block by block instead of holding it. Only `[a:b]` slices with step 1."""

    ndim = 1

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.size = self.path.stat().st_size // 4

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, item: slice) -> np.ndarray:
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("a SampleFile is read by [a:b] slices only")
        a, b, _ = item.indices(self.size)
        if b <= a:
            return np.zeros(0)
        with open(self.path, "rb") as fh:
            fh.seek(4 * a)
            return np.frombuffer(fh.read(4 * (b - a)), dtype="<f4").astype(np.float64)


def wav_blocks(path: str | Path, sr: int, block: int = 131072) -> Iterator[np.ndarray]:
    """A 16-bit PCM WAV written by the studio, `block` frames at a time as float32 (k, channels), the
    values `load_audio` decodes (ffmpeg scales 16-bit samples by 1/32768); the file's sample rate
    must be `sr` (nothing is resampled)."""
    path = Path(path)
    try:
        wav = wave.open(str(path), "rb")
    except (OSError, EOFError, wave.Error) as exc:
        raise ValueError(f"Could not read the WAV file '{path}' ({exc}); materialize the step that writes it again.") from None
    with wav:
        if wav.getsampwidth() != 2 or wav.getframerate() != int(sr):
            raise ValueError(f"The WAV file '{path}' is not 16-bit at {sr} Hz; materialize the step that writes it again.")
        channels = wav.getnchannels()
        while True:
            data = wav.readframes(block)
            if not data:
                return
            pcm = np.frombuffer(data, "<i2")
            yield (pcm[: pcm.size - pcm.size % channels].reshape(-1, channels) * np.float32(1.0 / 32768.0)).astype(np.float32)

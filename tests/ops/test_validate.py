"""`talos validate` writes nothing, and music without samples is refused before anything renders."""

from __future__ import annotations

import math
import struct
import wave


def _wav(path, seconds: float, rate: int = 22050) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        n = int(seconds * rate)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / rate))) for i in range(n)))


def _tree(root) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))}


def test_validate_leaves_a_zero_byte_ichor_and_creates_no_dagster_home(studio):
    studio.home.mkdir(parents=True)
    (studio.home / "ichor.db").write_bytes(b"")
    before = _tree(studio.home)
    done = studio.talos("validate", str(studio.story("quiet")))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "quiet" in done.stdout and "1 shots" in done.stdout
    assert (studio.home / "ichor.db").stat().st_size == 0
    assert _tree(studio.home) == before  # not a file added, grown or touched: no dagster/, no journal
    assert not (studio.home / "dagster").exists() and not studio.renders.exists()


def test_a_wav_header_without_samples_is_refused_by_validate_and_forge(studio):
    studio.root.mkdir(parents=True)
    empty = studio.root / "silence.wav"
    _wav(empty, 0.0)
    assert empty.stat().st_size == 44  # a valid RIFF/WAVE header and a data chunk of 0 bytes
    story = studio.story("mute", music="silence.wav")
    for command in ("validate", "forge"):
        done = studio.talos(command, str(story))
        studio.assert_one_sentence(done, "music file 'silence.wav' has no audio samples (zero duration)")
    assert not (studio.home / "films").exists()  # refused before anything was registered or rendered


def test_a_wav_with_samples_still_validates(studio):
    studio.root.mkdir(parents=True)
    _wav(studio.root / "tone.wav", 1.0)
    done = studio.talos("validate", str(studio.story("tone", music="tone.wav")))
    assert done.returncode == 0, done.stderr[-3000:]

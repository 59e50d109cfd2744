"""Echo's pass over a film streams: scores equal to scoring each whole clip at once, and memory that
does not grow with the film's length or a shot's length (issue 12: film-level peak memory bounded)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from talos_assets.agents.evaluation import clips as clips_mod
from talos_assets.agents.evaluation.metrics import score_frames
from talos_assets.spec import EMOTION_VA, ClipCut, Emotion, Palette, ShotPlan

PALETTE = Palette.from_hex_list("test", ["#1b1b1b", "#e0b08a", "#3a2a1a", "#8c5a2b", "#d4a017", "#2a6f97", "#f2c6a0", "#4a5d23"])
H, W = 72, 128


@pytest.fixture(autouse=True)
def no_chroma_files(monkeypatch):
    # Chroma's check reads the shot's colored layers from disk; a constant keeps these tests on the stream
    monkeypatch.setattr(clips_mod, "chroma_palette_adherence", lambda shot, colored: 0.5)


def shot(index: int, frames: int) -> ShotPlan:
    valence, arousal = EMOTION_VA[Emotion.calm]
    return ShotPlan(
        film_id="film", shot_id=f"shot-{index}", slot=f"s{index:03d}", index=index, description="test",
        emotion="calm", valence=valence, arousal=arousal, shot_size="wide", camera="static",
        duration=frames / 24, frames=frames, handle_frames=0, fps=24, width=W, height=H,
        characters=[], effects=[], palette=PALETTE,
    )  # fmt: skip


def edit(lengths: list[int], transition: int = 0) -> tuple[list[ClipCut], dict[str, ShotPlan]]:
    cuts, shots, start = [], {}, 0
    for k, n in enumerate(lengths, start=1):
        s = shot(k, n)
        shots[s.slot] = s
        kind = "dissolve" if transition and k < len(lengths) else "cut"
        cuts.append(ClipCut(shot_id=s.shot_id, slot=s.slot, source_start=0, source_frames=n, record_start=start,
                            transition=kind, transition_frames=transition if kind != "cut" else 0))
        start += n
    return cuts, shots


def film(total: int):
    """A fresh frame each time (as a decoder yields them): a square walking over sky and ground, a slow pulse."""
    for t in range(total):
        img = np.zeros((H, W, 3), np.uint8)
        img[: H // 2] = (242, 198, 160)
        img[H // 2:] = (74, 93, 35)
        img[30:50, (5 + 3 * t) % (W - 16):(5 + 3 * t) % (W - 16) + 16] = (140, 90, 43)
        yield np.clip(img.astype(np.int16) + int(6 * np.sin(t)), 0, 255).astype(np.uint8)


def whole_clips(frames, cuts, shots, offsets):
    """The pass as it was before it streamed: each clip's frames held in a list, then scored."""
    per_shot, samples, bounds = {}, {}, np.cumsum([0] + [c.source_frames for c in cuts])
    frames = list(frames)
    for k, cut in enumerate(cuts):
        current = frames[bounds[k]:bounds[k + 1]] if k < len(cuts) - 1 else frames[bounds[k]:]
        own = current[cuts[k - 1].transition_frames:] if k > 0 else current
        scores = score_frames(own, shots[cut.slot].palette) if own else {"frames": 0.0}
        scores["palette_adherence"] = 0.5
        if k < len(cuts) - 1:
            scores["beat_offset_frames"] = float(offsets[k])
        per_shot[cut.slot] = scores
        samples[cut.slot] = current[:: max(1, len(current) // 8)]
    return per_shot, samples, len(frames)


@pytest.mark.parametrize("lengths, transition, extra", [([17, 9, 30, 5], 4, 0), ([12, 12], 0, 3), ([8], 0, 0)])
def test_streamed_scores_and_samples_equal_scoring_whole_clips(lengths, transition, extra):
    cuts, shots = edit(lengths, transition)
    offsets = [0.25 * k for k in range(len(cuts))]
    total = sum(lengths) + extra  # a film with a frame or three past the edit: they are the last clip's
    got = clips_mod.score_clips(film(total), cuts, shots, offsets, lambda s: None)
    want = whole_clips(film(total), cuts, shots, offsets)
    assert got[0] == want[0] and got[2] == want[2] == total
    assert got[1].keys() == want[1].keys()
    for slot in want[1]:
        assert len(got[1][slot]) == len(want[1][slot])
        assert all(np.array_equal(a, b) for a, b in zip(got[1][slot], want[1][slot]))


def test_a_film_that_ends_early_scores_the_clips_it_reached():
    cuts, shots = edit([10, 10, 10])
    per_shot, _, decoded = clips_mod.score_clips(film(15), cuts, shots, [0.0, 0.0, 0.0], lambda s: None)
    assert decoded == 15 and list(per_shot) == ["s001", "s002"] and per_shot["s002"]["frames"] == 5.0


def _peak_bytes(lengths: list[int], samples: int) -> int:
    cuts, shots = edit(lengths, transition=2)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        clips_mod.score_clips(film(sum(lengths)), cuts, shots, [0.0] * len(cuts), lambda s: None,
                              samples_per_clip=samples)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("short, long", [([30] * 4, [30] * 12), ([40], [120])], ids=["3x the shots", "3x the shot"])
def test_echo_memory_does_not_grow_with_the_film_or_the_shot(short, long):
    frame = H * W * 3
    base, tripled = _peak_bytes(short, 0), _peak_bytes(long, 0)
    # a few frames in flight, whatever the length: holding one more clip of 30 frames would be 30 frames more
    assert tripled - base < 4 * frame, f"{base / 1e3:.0f} kB -> {tripled / 1e3:.0f} kB"
    assert tripled < 40 * frame


def test_samples_for_the_learned_check_are_a_few_frames_per_shot():
    cuts, shots = edit([40, 40, 40])
    _, samples, _ = clips_mod.score_clips(film(120), cuts, shots, [0.0] * 3, lambda s: None)
    assert [len(v) for v in samples.values()] == [8, 8, 8]
    _, none, _ = clips_mod.score_clips(film(120), cuts, shots, [0.0] * 3, lambda s: None, samples_per_clip=0)
    assert none == {}

"""Cuttura's edit: beat-conformed cuts, the OTIO timeline, the encoded film and its probe."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from talos_assets.agents import editing, music
from talos_assets.agents.frames import write_layer_png
from talos_assets.spec import BeatGrid, ClipCut, Palette, ShotPlan

PALETTE = Palette.from_hex_list("test", ["#1b1b1b", "#e0b08a", "#3a2a1a", "#8c5a2b", "#d4a017", "#2a6f97", "#f2c6a0", "#4a5d23"])


@pytest.fixture(scope="module")
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def shot(index: int, frames: int, handles: int, fps: int = 24, width: int = 160, height: int = 90) -> ShotPlan:
    return ShotPlan(
        film_id="film", shot_id=f"shot-{index}", slot=f"s{index:03d}", index=index, description="test",
        emotion="calm", valence=0.5, arousal=-0.6, shot_size="wide", camera="static",
        duration=frames / fps, frames=frames, handle_frames=handles, fps=fps, width=width, height=height,
        characters=[], effects=[], palette=PALETTE,
    )  # fmt: skip


def check_invariants(shots: list[ShotPlan], cuts: list[ClipCut]) -> None:
    assert [c.shot_id for c in cuts] == [s.shot_id for s in shots]
    record = 0
    for s, c in zip(shots, cuts):
        lo, hi = editing.clip_frame_range(s)
        assert lo <= c.source_frames <= hi <= s.total_frames
        assert c.source_start == 0
        assert c.record_start == record
        record += c.source_frames


def test_conform_cuts_snaps_to_beats_within_handles():
    fps = 24
    shots = [shot(1, 50, 12), shot(2, 37, 12), shot(3, 61, 12), shot(4, 30, 6)]
    beats = BeatGrid(tempo_bpm=120.0, beat_times=list(np.arange(0.1, 12.0, 0.5)))
    cuts = editing.conform_cuts(shots, beats, fps)
    check_invariants(shots, cuts)
    beat_frames = np.asarray(beats.beat_times) * fps
    planned = np.cumsum([s.frames for s in shots])
    for c, p in zip(cuts, planned):
        end = c.record_start + c.source_frames
        # 120 BPM at 24 fps: a beat every 12 frames, handles of 6+ frames always reach one.
        assert np.min(np.abs(beat_frames - end)) <= 1.0
        assert abs(end - p) <= 6 + 1  # the nearest beat, not just any beat
    assert max(editing.beat_sync_offsets(cuts, beats, fps)) <= 1.0


def test_conform_cuts_keeps_planned_cut_when_no_beat_fits():
    fps = 24
    shots = [shot(1, 48, 4), shot(2, 48, 4)]
    # Beats 3 s apart, none within 4 frames of the planned cuts at frames 48 and 96.
    beats = BeatGrid(tempo_bpm=20.0, beat_times=[0.5, 3.5, 6.5])
    cuts = editing.conform_cuts(shots, beats, fps)
    assert [c.source_frames for c in cuts] == [48, 48]
    assert [c.record_start for c in cuts] == [0, 48]
    assert editing.conform_cuts(shots, BeatGrid(tempo_bpm=120.0, beat_times=[]), fps)[1].source_frames == 48


def test_conform_cuts_invariants_on_random_plans():
    rng = np.random.default_rng(7)
    for _ in range(50):
        fps = int(rng.choice([12, 24, 30]))
        shots = [shot(i + 1, int(rng.integers(3, 90)), int(rng.integers(0, 20)), fps=fps) for i in range(int(rng.integers(1, 8)))]
        bpm = float(rng.uniform(60, 180))
        beats = BeatGrid(tempo_bpm=bpm, beat_times=list(np.arange(rng.uniform(0, 1), 40.0, 60.0 / bpm)))
        check_invariants(shots, editing.conform_cuts(shots, beats, fps))


def write_shot_frames(folder: Path, count: int, width: int, height: int, hue: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        layer = np.zeros((height, width, 4), np.float32)
        layer[..., hue] = 0.2 + 0.6 * i / max(1, count - 1)
        layer[..., 3] = 1.0
        layer[10:30, 10 + 4 * i : 30 + 4 * i, :3] = 1.0  # a moving white square
        paths.append(write_layer_png(folder / f"frame_{i + 1:04d}.png", layer))
    return paths


@pytest.fixture()
def tiny_film(tmp_path, ffmpeg_exe):
    width, height, fps = 160, 90, 12
    files = {
        "s001": write_shot_frames(tmp_path / "s001", 8, width, height, hue=0),
        "s002": write_shot_frames(tmp_path / "s002", 10, width, height, hue=2),
    }
    cuts = [
        ClipCut(shot_id="open", slot="s001", source_start=0, source_frames=7, record_start=0),
        ClipCut(shot_id="close", slot="s002", source_start=1, source_frames=9, record_start=7),
    ]
    audio, _ = music.synthesize_score([(0.0, 0.6, 0.3)], 3.0, sr=44100)
    audio_path = music.write_wav(tmp_path / "score.wav", audio, 44100)
    return {"cuts": cuts, "files": files, "audio": audio_path, "fps": fps, "width": width, "height": height}


def test_timeline_round_trip(tmp_path, tiny_film):
    f = tiny_film
    timeline = editing.build_timeline("tiny", f["cuts"], f["files"], f["audio"], f["fps"], f["width"], f["height"])
    path = editing.write_timeline(timeline, tmp_path / "edit" / "tiny.otio")
    assert sorted(p.name for p in path.parent.iterdir()) == ["tiny.otio"]
    back = otio.adapters.read_from_file(str(path))
    video = back.video_tracks()[0]
    clips = list(video.find_clips())
    assert len(clips) == 2
    for clip, cut in zip(clips, f["cuts"]):
        assert clip.name == cut.shot_id
        assert clip.source_range.start_time.to_frames() == cut.source_start
        assert clip.source_range.duration.to_frames() == cut.source_frames
        ref = clip.media_reference
        assert isinstance(ref, otio.schema.ImageSequenceReference)
        assert ref.target_url_base == (f["files"][cut.slot][0].parent.resolve().as_uri() + "/")
        # The reference resolves each frame of the cut to the file that was rendered for it.
        first = ref.target_url_for_image_number(cut.source_start)
        assert first == f["files"][cut.slot][cut.source_start].resolve().as_uri()
        assert clip.metadata["talos"]["slot"] == cut.slot
    assert video.duration().to_frames() == 16
    audio_clips = list(back.audio_tracks()[0].find_clips())
    assert len(audio_clips) == 1
    assert audio_clips[0].media_reference.target_url == f["audio"].resolve().as_uri()
    assert audio_clips[0].source_range.duration.to_frames() == 16


def test_encode_film_and_probe(tmp_path, tiny_film, ffmpeg_exe):
    f = tiny_film
    out = tmp_path / "out" / "tiny.mp4"
    editing.encode_film(f["cuts"], f["files"], f["audio"], out, ffmpeg_exe, f["fps"], f["width"], f["height"])
    assert sorted(p.name for p in out.parent.iterdir()) == ["tiny.mp4"]
    facts = editing.probe_media(out)
    total = sum(c.source_frames for c in f["cuts"])
    assert facts.video_codec == "h264" and facts.pix_fmt == "yuv420p"
    assert (facts.width, facts.height) == (160, 90)
    assert facts.fps == pytest.approx(12.0)
    assert facts.frame_count == total
    assert facts.duration_s == pytest.approx(total / 12.0, abs=1.0 / 12.0)
    assert facts.has_audio and facts.audio_codec == "aac" and facts.audio_sample_rate == 44100
    # The audio is cut to the picture (the score is 3 s, the picture 16/12 s).
    import av

    with av.open(str(out)) as c:
        a = c.streams.audio[0]
        assert float(a.duration * a.time_base) == pytest.approx(total / 12.0, abs=0.1)
    # The picture is the edit: shot 1 is red, shot 2 blue and starts at its source frame 1.
    with av.open(str(out)) as c:
        decoded = [fr.to_ndarray(format="rgb24") for fr in c.decode(video=0)]
    assert len(decoded) == total
    means = np.array([d[40:, :, :].reshape(-1, 3).mean(axis=0) for d in decoded])
    assert np.all(means[:7, 0] > means[:7, 2] + 30) and np.all(means[7:, 2] > means[7:, 0] + 30)
    # Brightness ramps within each shot; s002's source frame 1 (not 0) opens the second clip.
    assert np.all(np.diff(means[:7, 0]) > 0) and np.all(np.diff(means[7:, 2]) > 0)
    src = editing._frame_rgb8(f["files"]["s002"][1], 160, 90)[40:].reshape(-1, 3).mean(axis=0)
    assert means[7, 2] == pytest.approx(src[2], abs=4)


def test_failed_encode_leaves_nothing(tmp_path, ffmpeg_exe):
    width, height = 159, 90  # odd width: libx264 with yuv420p refuses it
    files = {"s001": write_shot_frames(tmp_path / "s001", 4, width, height, hue=1)}
    cuts = [ClipCut(shot_id="odd", slot="s001", source_start=0, source_frames=4, record_start=0)]
    out_dir = tmp_path / "out"
    out = out_dir / "odd.mp4"
    with pytest.raises(RuntimeError, match="ffmpeg failed"):
        editing.encode_film(cuts, files, None, out, ffmpeg_exe, 12, width, height)
    assert not out.exists()
    assert list(out_dir.iterdir()) == []
    # An earlier good film at the same path survives a failed re-encode untouched.
    out.write_bytes(b"previous film")
    with pytest.raises(RuntimeError):
        editing.encode_film(cuts, files, None, out, ffmpeg_exe, 12, width, height)
    assert out.read_bytes() == b"previous film"
    assert [p.name for p in out_dir.iterdir()] == ["odd.mp4"]


def test_encode_rejects_cut_beyond_rendered_frames(tmp_path, tiny_film, ffmpeg_exe):
    f = tiny_film
    cuts = [ClipCut(shot_id="open", slot="s001", source_start=0, source_frames=20, record_start=0)]
    with pytest.raises(ValueError, match="only 8"):
        editing.encode_film(cuts, f["files"], None, tmp_path / "x.mp4", ffmpeg_exe, 12, 160, 90)
    assert not (tmp_path / "x.mp4").exists()


def test_probe_rejects_non_media(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(ValueError, match="junk.mp4"):
        editing.probe_media(junk)

"""Cuttura's edit: beat-conformed and paced cuts, transitions, the OTIO timeline and its EDL, the
film rendered from the timeline, its encoding and probe."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from talos_assets.agents import editing, music
from talos_assets.agents.frames import read_layer_png, write_layer_png
from talos_assets.agents.mastering import master_film
from talos_assets.agents.music import MusicAnalysis
from talos_assets.spec import EMOTION_VA, BeatGrid, ClipCut, Emotion, Palette, ShotPlan

PALETTE = Palette.from_hex_list("test", ["#1b1b1b", "#e0b08a", "#3a2a1a", "#8c5a2b", "#d4a017", "#2a6f97", "#f2c6a0", "#4a5d23"])


@pytest.fixture(scope="module")
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def shot(
    index: int, frames: int, handles: int, fps: int = 24, width: int = 160, height: int = 90, emotion: str = "calm"
) -> ShotPlan:
    valence, arousal = EMOTION_VA[Emotion(emotion)]
    return ShotPlan(
        film_id="film", shot_id=f"shot-{index}", slot=f"s{index:03d}", index=index, description="test",
        emotion=emotion, valence=valence, arousal=arousal, shot_size="wide", camera="static",
        duration=frames / fps, frames=frames, handle_frames=handles, fps=fps, width=width, height=height,
        characters=[], effects=[], palette=PALETTE,
    )  # fmt: skip


def master_edit(edit, files, audio_path, out_path, ffmpeg_exe: str, fps: int, width: int, height: int) -> Path:
    """The film the way the pipeline makes it: the edit's frames rendered from the timeline (or cut
    list; the edit is checked before ffmpeg starts) through Anima's SDR master."""
    cuts = edit if isinstance(edit, list) else editing.read_timeline_cuts(edit)
    frames = editing.render_timeline_frames(edit, files, fps, width, height)
    master_film(frames, out_path, "sdr-h264", fps, width, height, ffmpeg_exe=ffmpeg_exe, audio_path=audio_path,
                frame_count=sum(c.source_frames for c in cuts))
    return Path(out_path)


def check_invariants(shots: list[ShotPlan], cuts: list[ClipCut]) -> None:
    assert [c.shot_id for c in cuts] == [s.shot_id for s in shots]
    record = 0
    for s, c in zip(shots, cuts):
        lo, hi = editing.clip_frame_range(s)
        assert lo <= c.source_frames <= hi <= s.total_frames
        assert c.source_start == 0
        assert c.record_start == record
        # A transition plays the outgoing clip on into its rendered handles, inside the next clip.
        assert c.source_frames + c.transition_frames <= s.total_frames
        assert (c.transition == "cut") == (c.transition_frames == 0)
        record += c.source_frames
    assert cuts[-1].transition == "cut"
    for c, nxt in zip(cuts, cuts[1:]):
        assert c.transition_frames <= nxt.source_frames // 2


def test_conform_cuts_snaps_to_beats_within_handles():
    fps = 24
    # Excited shots: any beat may take the cut.
    shots = [shot(1, 50, 12, emotion="anger"), shot(2, 37, 12, emotion="surprise"), shot(3, 61, 12, emotion="joy"), shot(4, 30, 6, emotion="fear")]
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
        emotions = [e.value for e in Emotion]
        shots = [s.model_copy(update=dict(zip(("valence", "arousal"), EMOTION_VA[Emotion(e)]), emotion=e))
                 for s, e in zip(shots, rng.choice(emotions, len(shots)))]  # fmt: skip
        times = np.arange(rng.uniform(0, 1), 40.0, 60.0 / bpm)
        beats = BeatGrid(tempo_bpm=bpm, beat_times=list(times))
        check_invariants(shots, editing.conform_cuts(shots, beats, fps))
        meter = int(rng.choice([3, 4]))
        analysis = MusicAnalysis(tempo_bpm=bpm, beats_per_bar=meter, beat_times=list(times),
                                 downbeat_times=list(times[1::meter]), section_times=[float(times[9])])  # fmt: skip
        check_invariants(shots, editing.conform_cuts(shots, BeatGrid(tempo_bpm=bpm, beat_times=[]), fps, analysis=analysis))


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
    master_edit(f["cuts"], f["files"], f["audio"], out, ffmpeg_exe, f["fps"], f["width"], f["height"])
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
    # ... encoded through Anima's SDR display transform (the same code values the master feeds x264)
    from talos_assets.agents.frames import read_layer
    from talos_assets.agents.mastering import display_encode

    src = display_encode(read_layer(f["files"]["s002"][1])[..., :3], "sdr-h264")[40:].reshape(-1, 3).mean(axis=0)
    assert means[7, 2] == pytest.approx(src[2], abs=4)


def test_failed_encode_leaves_nothing(tmp_path, ffmpeg_exe):
    width, height = 159, 90  # odd width: 4:2:0 H.264 cannot hold it
    files = {"s001": write_shot_frames(tmp_path / "s001", 4, width, height, hue=1)}
    cuts = [ClipCut(shot_id="odd", slot="s001", source_start=0, source_frames=4, record_start=0)]
    out_dir = tmp_path / "out"
    out = out_dir / "odd.mp4"
    with pytest.raises(ValueError, match="even width and height"):
        master_edit(cuts, files, None, out, ffmpeg_exe, 12, width, height)
    assert not out.exists()
    assert not out_dir.exists() or list(out_dir.iterdir()) == []
    # An earlier good film at the same path survives a failed re-encode untouched.
    out_dir.mkdir(exist_ok=True)
    out.write_bytes(b"previous film")
    with pytest.raises(ValueError):
        master_edit(cuts, files, None, out, ffmpeg_exe, 12, width, height)
    assert out.read_bytes() == b"previous film"
    assert [p.name for p in out_dir.iterdir()] == ["odd.mp4"]


def test_encode_rejects_cut_beyond_rendered_frames(tmp_path, tiny_film, ffmpeg_exe):
    f = tiny_film
    cuts = [ClipCut(shot_id="open", slot="s001", source_start=0, source_frames=20, record_start=0)]
    with pytest.raises(ValueError, match="only 8"):
        master_edit(cuts, f["files"], None, tmp_path / "x.mp4", ffmpeg_exe, 12, 160, 90)
    assert not (tmp_path / "x.mp4").exists()


def test_probe_rejects_non_media(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(ValueError, match="junk.mp4"):
        editing.probe_media(junk)


# ---- pacing and transitions -------------------------------------------------------------------


def test_pacing_grid_follows_arousal():
    fps = 24
    # 120 BPM at 24 fps: a beat every 12 frames; 4/4 with the bar lines on beats 1, 5, 9...
    # (frames 18, 66, 114, ...). Handles of 30 frames always reach a bar line (48 frames apart).
    times = 0.25 + 0.5 * np.arange(80)
    analysis = MusicAnalysis(tempo_bpm=120.0, beats_per_bar=4, beat_times=list(times), downbeat_times=list(times[1::4]))
    grids = editing.pacing_grids(analysis)
    np.testing.assert_allclose(grids["bar"], times[1::4])
    np.testing.assert_allclose(grids["half-bar"], times[1::2])
    shots = [shot(1, 70, 30, emotion="anger"), shot(2, 70, 30, emotion="determination"), shot(3, 70, 30, emotion="calm"),
             shot(4, 70, 30, emotion="sadness"), shot(5, 70, 30, emotion="surprise")]  # fmt: skip
    cuts = editing.conform_cuts(shots, analysis, fps)
    check_invariants(shots, cuts)
    expected = ["beat", "half-bar", "bar", "bar", "beat"]
    assert [editing.pacing_for_arousal(s.arousal) for s in shots] == expected
    for c, grid in zip(cuts, expected):
        end = c.record_start + c.source_frames
        # Within one frame of a beat of the shot's own grid (rounding: half a frame at most).
        assert np.min(np.abs(grids[grid] * fps - end)) <= 0.5, (c, grid)
    # The calm shots really are cut on bar lines, which plain beats would not guarantee.
    bar_frames = np.round(grids["bar"] * fps)
    assert all(c.record_start + c.source_frames in bar_frames for c in cuts[2:4])
    # A BeatGrid alone still works (4/4 from the first beat assumed) and stays on beats.
    plain = editing.conform_cuts(shots, analysis.beat_grid(), fps)
    check_invariants(shots, plain)
    assert max(editing.beat_sync_offsets(plain, analysis.beat_grid(), fps)) <= 0.5


def test_calm_shot_falls_back_to_finer_grid_when_no_bar_fits():
    fps = 24
    times = 0.5 * np.arange(60)  # beats every 12 frames, bars every 48 (frames 0, 48, 96...)
    analysis = MusicAnalysis(tempo_bpm=120.0, beats_per_bar=4, beat_times=list(times), downbeat_times=list(times[::4]))
    # Planned cut at 72 with 6 handle frames: no bar line in 66..78, but a half-bar beat (72) is.
    cuts = editing.conform_cuts([shot(1, 72, 6, emotion="sadness")], analysis, fps)
    assert cuts[0].source_frames == 72


@pytest.mark.parametrize(
    "a,b,kind",
    [
        ("calm", "calm", "dissolve"),  # calm to calm: time flows
        ("joy", "awe", "dissolve"),  # into awe
        ("calm", "anger", "whip-pan"),  # a big jump of arousal
        ("determination", "surprise", "cut"),  # small change
        ("joy", "sadness", "dip-to-black"),  # large valence drop
        ("awe", "fear", "dip-to-black"),
        ("joy", "joy", "cut"),
        ("anger", "fear", "cut"),
    ],
)
def test_choose_transition_for_designed_emotion_pairs(a, b, kind):
    got, frames = editing.choose_transition(shot(1, 48, 12, emotion=a), shot(2, 48, 12, emotion=b))
    assert got == kind
    assert (frames == 0) == (kind == "cut")
    lengths = {"dissolve": (12, 24), "dip-to-black": (24, 24), "whip-pan": (6, 6), "cut": (0, 0)}
    assert lengths[kind][0] <= frames <= lengths[kind][1]


def test_conform_records_transitions_within_handles():
    fps = 24
    shots = [shot(1, 48, 12, emotion="joy"), shot(2, 48, 12, emotion="sadness"), shot(3, 48, 4, emotion="calm"),
             shot(4, 48, 12, emotion="calm"), shot(5, 30, 12, emotion="anger")]  # fmt: skip
    beats = BeatGrid(tempo_bpm=120.0, beat_times=list(0.5 * np.arange(1, 40)))
    cuts = editing.conform_cuts(shots, beats, fps)
    check_invariants(shots, cuts)
    # sadness -> calm would dissolve, but shot 2 spent all 12 handle frames reaching its bar line
    # (frame 108): nothing is left to run on into, so it is a cut.
    assert [c.transition for c in cuts] == ["dip-to-black", "cut", "dissolve", "whip-pan", "cut"]
    assert cuts[1].source_frames == shots[1].total_frames
    assert [c.transition_frames for c in cuts] == [12, 0, 4, 6, 0]  # dip and dissolve cut to the handles
    # Each transition is as long as the outgoing shot's remaining handles allow, not longer.
    for s, c in zip(shots, cuts[:-1]):
        assert c.transition_frames == min(editing.choose_transition(s, shots[shots.index(s) + 1])[1],
                                          s.total_frames - c.source_frames)  # fmt: skip
    assert editing.conform_cuts(shots, beats, fps, transitions=False)[0].transition == "cut"


# ---- rendering the timeline -------------------------------------------------------------------

W, H = 64, 36


def flat_shot(folder: Path, count: int, rgb: tuple[float, float, float]) -> list[Path]:
    """Frames of one flat linear colour that brightens a little each frame, plus a white bar on the
    left edge (so a whip pan's direction is visible)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        layer = np.ones((H, W, 4), np.float32)
        layer[..., :3] = np.asarray(rgb, np.float32) * (0.6 + 0.02 * i)
        layer[:, :4, :3] = 1.0
        out.append(write_layer_png(folder / f"frame_{i + 1:04d}.png", layer))
    return out


@pytest.fixture()
def edit(tmp_path):
    files = {
        "s001": flat_shot(tmp_path / "s001", 14, (0.8, 0.1, 0.05)),
        "s002": flat_shot(tmp_path / "s002", 16, (0.05, 0.2, 0.9)),
        "s003": flat_shot(tmp_path / "s003", 14, (0.1, 0.7, 0.1)),
        "s004": flat_shot(tmp_path / "s004", 12, (0.5, 0.5, 0.5)),
    }
    cuts = [
        ClipCut(shot_id="one", slot="s001", source_start=0, source_frames=10, record_start=0, transition="dissolve", transition_frames=3),
        ClipCut(shot_id="two", slot="s002", source_start=0, source_frames=12, record_start=10, transition="dip-to-black", transition_frames=3),
        ClipCut(shot_id="three", slot="s003", source_start=1, source_frames=9, record_start=22, transition="whip-pan", transition_frames=4),
        ClipCut(shot_id="four", slot="s004", source_start=0, source_frames=8, record_start=31),
    ]  # fmt: skip
    return cuts, files


def lin(path: Path) -> np.ndarray:
    return read_layer_png(path)[..., :3]


def test_render_timeline_frames_transitions(edit):
    cuts, files = edit
    frames = list(editing.render_timeline_frames(cuts, files, 24, W, H))
    # Transitions overlap handles: the film is exactly as long as its clips.
    assert len(frames) == sum(c.source_frames for c in cuts) == 39
    assert all(f.dtype == np.float32 and f.shape == (H, W, 3) for f in frames)
    # Outside transitions a frame is its source frame, untouched.
    np.testing.assert_array_equal(frames[5], lin(files["s001"][5]))
    np.testing.assert_array_equal(frames[14], lin(files["s002"][4]))
    np.testing.assert_array_equal(frames[25], lin(files["s003"][4]))
    # Dissolve (3 frames into clip two at record 10): the middle frame is the linear-light average
    # of clip one's handle frame 11 and clip two's frame 1.
    np.testing.assert_allclose(frames[11], 0.5 * (lin(files["s001"][11]) + lin(files["s002"][1])), atol=2e-4)
    w = 0.25  # first of three frames: progress 1/4
    np.testing.assert_allclose(frames[10], (1 - w) * lin(files["s001"][10]) + w * lin(files["s002"][0]), atol=2e-4)
    # Dip to black (3 frames at record 22): out of two's handles, black in the middle, three fades in.
    assert frames[23].max() == 0.0
    assert 0 < frames[22].mean() < lin(files["s002"][12]).mean()
    np.testing.assert_allclose(frames[22] / lin(files["s002"][12]), (2.0 / 3.0) ** 2.2, rtol=1e-3)
    # Whip pan (4 frames at record 31): blurred and sliding from three (green) to four (grey).
    g, grey = lin(files["s003"][10]), lin(files["s004"][3])
    first, last = frames[31], frames[34]
    assert first[..., 1].mean() > first[..., 0].mean()  # mostly still clip three
    np.testing.assert_allclose(last[:, W // 2 :].mean(axis=(0, 1)), grey[:, W // 2 :].mean(axis=(0, 1)), atol=0.02)
    # Motion blur: the hard-edged white bar of clip four is smeared in mid swing.
    mid = frames[33]
    assert np.abs(np.diff(mid[H // 2, :, 1])).max() < 0.5 * np.abs(np.diff(grey[H // 2, :, 1])).max()
    assert g[..., 1].mean() > 0  # sanity: the green clip is green


def test_render_rejects_transition_without_handles(edit):
    cuts, files = edit
    greedy = [cuts[0].model_copy(update={"transition_frames": 5}), *cuts[1:]]  # s001 has 14 frames, 10 used
    with pytest.raises(ValueError, match="handle"):
        next(editing.render_timeline_frames(greedy, files, 24, W, H))


def test_otio_round_trip_with_transitions_renders_the_same_film(tmp_path, edit):
    cuts, files = edit
    timeline = editing.build_timeline("rt", cuts, files, None, 24, W, H)
    path = editing.write_timeline(timeline, tmp_path / "rt.otio")
    back = otio.adapters.read_from_file(str(path))
    items = list(back.video_tracks()[0])
    transitions = [i for i in items if isinstance(i, otio.schema.Transition)]
    assert [t.metadata["talos"]["kind"] for t in transitions] == ["dissolve", "dip-to-black", "whip-pan"]
    assert transitions[0].transition_type == otio.schema.TransitionTypes.SMPTE_Dissolve
    assert [(t.in_offset.to_frames(), t.out_offset.to_frames()) for t in transitions] == [(0, 3), (0, 3), (0, 4)]
    assert back.video_tracks()[0].duration().to_frames() == 39  # transitions take no time
    assert editing.read_timeline_cuts(back) == cuts
    assert editing.timeline_frame_files(back) == {k: [p.resolve() for p in v] for k, v in files.items()}
    # Frames rendered from the read-back timeline (its own frame references) equal the edit's.
    for a, b in zip(editing.render_timeline_frames(back, None, 24, W, H), editing.render_timeline_frames(cuts, files, 24, W, H), strict=True):
        np.testing.assert_array_equal(a, b)


def test_edl_export_round_trip(tmp_path, edit):
    cuts, files = edit
    timeline = editing.build_timeline("edl", cuts, files, None, 24, W, H)
    path = editing.export_edl(timeline, tmp_path / "out" / "edl.edl")
    assert [p.name for p in path.parent.iterdir()] == ["edl.edl"]
    text = path.read_text()
    events = {line.split()[0] for line in text.splitlines() if line[:3].isdigit()}
    assert len(events) == len(cuts)  # one event per clip
    assert " D 003 " in text  # the dissolve (and the dip, written as a dissolve)
    assert text.count(" D ") == 2  # the whip pan is a cut in CMX 3600
    # The source timecodes of each event are the cut's source range.
    for c in cuts:
        tc_in = otio.opentime.to_timecode(otio.opentime.RationalTime(c.source_start, 24), 24)
        tc_out = otio.opentime.to_timecode(otio.opentime.RationalTime(c.source_start + c.source_frames, 24), 24)
        assert f"{tc_in} {tc_out}" in text
    back = otio.adapters.read_from_file(str(path), adapter_name="cmx_3600", rate=24)
    clips = list(back.video_tracks()[0].find_clips())
    assert [(c.source_range.start_time.to_frames(), c.source_range.duration.to_frames()) for c in clips] == [
        (c.source_start, c.source_frames) for c in cuts
    ]
    kinds = [(i.transition_type, i.out_offset.to_frames()) for i in back.video_tracks()[0] if isinstance(i, otio.schema.Transition)]
    assert kinds == [(otio.schema.TransitionTypes.SMPTE_Dissolve, 3)] * 2
    # The exporter worked on a copy: the timeline still has its three transitions.
    assert len([i for i in timeline.video_tracks()[0] if isinstance(i, otio.schema.Transition)]) == 3


def test_encode_film_from_timeline(tmp_path, edit, ffmpeg_exe):
    cuts, files = edit
    audio, _ = music.synthesize_score([(0.0, 0.6, 0.3)], 2.0, sr=44100)
    wav = music.write_wav(tmp_path / "score.wav", audio, 44100)
    path = editing.write_timeline(editing.build_timeline("enc", cuts, files, wav, 24, W, H), tmp_path / "enc.otio")
    out = master_edit(path, None, editing.timeline_audio_path(path), tmp_path / "enc.mp4", ffmpeg_exe, 24, W, H)
    facts = editing.probe_media(out)
    assert facts.frame_count == 39 and facts.has_audio  # audio taken from the timeline
    import av

    with av.open(str(out)) as c:
        decoded = [fr.to_ndarray(format="rgb24").astype(float) for fr in c.decode(video=0)]
    # The dip's middle frame is black on screen too; the dissolve's middle frame lies between.
    assert decoded[23][:, 8:].mean() < 4
    red_mid = decoded[11][:, 8:, 0].mean()
    assert decoded[13][:, 8:, 0].mean() + 20 < red_mid < decoded[8][:, 8:, 0].mean() - 20


def test_soft_subtitles_are_muxed_into_the_film(tmp_path, tiny_film, ffmpeg_exe):
    f = tiny_film
    out = master_edit(f["cuts"], f["files"], f["audio"], tmp_path / "out" / "tiny.mp4", ffmpeg_exe, f["fps"], f["width"], f["height"])
    before = editing.probe_media(out)
    cues = [editing.SubtitleCue(start_s=0.1, end_s=0.6, text="Is it true?"),
            editing.SubtitleCue(start_s=0.7, end_s=1.2, text="Alone.", italic=True)]
    srt = editing.write_srt(cues, tmp_path / "out" / "tiny.srt")
    editing.mux_subtitles(out, srt, ffmpeg_exe)
    assert sorted(p.name for p in out.parent.iterdir()) == ["tiny.mp4", "tiny.srt"]  # no temp file left
    facts = editing.probe_media(out)
    assert facts.subtitle_codecs == ["mov_text"] and before.subtitle_codecs == []
    assert facts.frame_count == before.frame_count and facts.has_audio and facts.audio_codec == "aac"
    import av

    with av.open(str(out)) as c:
        stream = c.streams.subtitles[0]
        assert stream.metadata.get("language") == "eng"
        packets = [p for p in c.demux(stream) if p.size > 2]  # mov_text fills gaps with empty (2-byte) samples
    assert [round(float(p.pts * p.time_base), 2) for p in packets] == [0.1, 0.7]
    assert b"Is it true?" in bytes(packets[0]) and b"Alone." in bytes(packets[1])


def test_conform_never_cuts_a_line_before_its_last_word():
    fps = 24
    shots = [shot(1, 48, 12, emotion="joy"), shot(2, 48, 12, emotion="joy")]
    # a beat at 1.75 s pulls the first cut 6 frames early (42 frames), inside the handles
    beats = BeatGrid(tempo_bpm=120.0, beat_times=[1.75, 3.75])
    free = editing.conform_cuts(shots, beats, fps, transitions=False)
    assert free[0].source_frames == 42
    # the first shot's line ends at frame 46: the cut moves to the next allowed point after it
    held = editing.conform_cuts(shots, beats, fps, transitions=False, min_frames={"s001": 46})
    check_invariants(shots, held)
    assert held[0].source_frames >= 46
    # never beyond the rendered frames: a need longer than the shot is clamped to its range
    longest = editing.conform_cuts(shots, beats, fps, transitions=False, min_frames={"s001": 500})
    assert longest[0].source_frames == editing.clip_frame_range(shots[0])[1]

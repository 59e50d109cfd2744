"""Cuttura's edit: cuts paced and conformed to the music, transitions from the emotion curve, an
OpenTimelineIO timeline, and the film rendered from that timeline.

`conform_cuts` moves each planned cut onto a beat of the shot's pacing grid (any beat when the shot
is excited, every second beat when it is middling, bar lines or section starts when it is calm),
within the handle frames each shot is rendered with, and `choose_transition` picks a cut, dissolve,
dip to black or whip pan from the change of valence and arousal between neighbouring shots.
`build_timeline` describes the edit as an OpenTimelineIO timeline (image-sequence references to
each shot's rendered frames, `Transition` items between clips, one audio clip); `read_timeline_cuts`
reads it back and `export_edl` writes a CMX 3600 EDL through OTIO's cmx_3600 adapter.
`render_timeline_frames` turns a timeline into the film's frames in linear light (dissolves are
linear-light crossfades over the outgoing clip's handle frames, dips fade through black, whip pans
slide with directional motion blur), one frame at a time; `encode_film` hands them to Anima's SDR
master (`mastering.master_film`: OpenColorIO display transform, H.264 + AAC cut to the picture,
temp file renamed only on success). `probe_media` reads back what was written with PyAV (there is
no ffprobe here).
"""

from __future__ import annotations

import os
import re
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import numpy as np
import opentimelineio as otio
from pydantic import BaseModel

from talos_assets.agents import frames as framelib
from talos_assets.agents.music import MusicAnalysis
from talos_assets.spec import BeatGrid, ClipCut, Emotion, ShotPlan

# ---- conforming cuts to the beat --------------------------------------------------------------

Pacing = Literal["beat", "half-bar", "bar"]
# Finer grids a shot falls back to, in order, when its own grid has no beat inside its handles.
_FALLBACK: dict[str, tuple[str, ...]] = {"bar": ("bar", "half-bar", "beat"), "half-bar": ("half-bar", "beat"), "beat": ("beat",)}


def clip_frame_range(shot: ShotPlan) -> tuple[int, int]:
    """Shortest and longest clip (in source frames) a shot may become in the edit."""
    return max(1, shot.frames - shot.handle_frames), shot.frames + shot.handle_frames


def pacing_for_arousal(arousal: float) -> Pacing:
    """Which beats a shot may be cut on: excited shots on any beat, middling ones every second beat
    (half bars), calm ones only on downbeats (or section starts): calm moods hold, tense ones cut fast."""
    if arousal > 0.4:
        return "beat"
    if arousal >= -0.2:
        return "half-bar"
    return "bar"


def pacing_grids(beats: BeatGrid | MusicAnalysis) -> dict[str, np.ndarray]:
    """Beat times (seconds) of each pacing grid: every beat, every second beat counted from the bar
    line, and the downbeats plus section starts.

    With a bare BeatGrid the meter is unknown: 4/4 with the first beat on a bar line is assumed.
    """
    times = np.asarray(beats.beat_times, dtype=np.float64)
    if times.size == 0:
        return {"beat": times, "half-bar": times, "bar": times}
    if isinstance(beats, MusicAnalysis) and beats.downbeat_times:
        meter = max(1, beats.beats_per_bar)
        # Position of each beat in its bar, counted from the nearest preceding detected downbeat.
        down_idx = np.unique([int(np.argmin(np.abs(times - d))) for d in beats.downbeat_times])
        pos = np.empty(times.size, dtype=np.int64)
        for i in range(times.size):
            before = down_idx[down_idx <= i]
            # Beats before the first downbeat: count backwards from it in whole bars.
            pos[i] = (i - before[-1]) if before.size else (i - down_idx[0]) % meter
        bar = times[pos == 0]
        sections = np.asarray(beats.section_times, dtype=np.float64)
        if sections.size:
            # A section start is a phrase boundary: as good a place for a calm cut as a bar line.
            near = times[np.argmin(np.abs(times[None, :] - sections[:, None]), axis=1)]
            bar = np.union1d(bar, near)
    else:
        meter = 4
        pos = np.arange(times.size) % meter
        bar = times[pos == 0]
    half = times[(pos % meter) % 2 == 0]
    return {"beat": times, "half-bar": half, "bar": bar}


def conform_cuts(
    shots: list[ShotPlan],
    beats: BeatGrid | MusicAnalysis,
    fps: int,
    analysis: MusicAnalysis | None = None,
    *,
    pacing: bool = True,
    transitions: bool = True,
) -> list[ClipCut]:
    """Snap each cumulative cut point (including the film's end) to the shot's pacing grid, within
    its handles, and choose the transition into the next shot.

    `beats` is a BeatGrid or a MusicAnalysis (`analysis=` also takes one; it wins over `beats` and
    brings the detected meter, downbeats and sections). With `pacing` each shot's arousal picks
    its grid (`pacing_for_arousal`); without it every beat is allowed (the old behaviour).
    Cuts are decided in order. For shot k the planned cut is the sum of planned frames up to and
    including k (measured from the film start, so adjustments never accumulate as drift). Grid beats
    are rounded to frames (so a cut lies within half a frame of its beat); among those that keep
    this clip within `clip_frame_range`, the one nearest the planned cut is taken. If the shot's
    grid has none, the next finer grid is tried (bar -> half-bar -> beat), and with no beat at all
    the planned cut is kept, clamped into the range. Clips start at source frame 0 and sit back to
    back on the record side.

    With `transitions`, each clip's transition into the next comes from `choose_transition`, its
    length cut down to the outgoing shot's unused rendered frames (a transition plays the outgoing
    clip on into its handles) and to half the incoming clip; under two frames it becomes a cut.
    """
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    source = analysis if analysis is not None else beats
    grids = pacing_grids(source)

    def frames_of(times: np.ndarray) -> np.ndarray:
        f = np.unique(np.round(times * fps).astype(np.int64))
        return f[f > 0]

    grid_frames = {name: frames_of(t) for name, t in grids.items()}
    lengths: list[int] = []
    record = 0
    planned_end = 0
    for shot in shots:
        planned_end += shot.frames
        lo, hi = clip_frame_range(shot)
        length = None
        for name in _FALLBACK[pacing_for_arousal(shot.arousal) if pacing else "beat"]:
            candidates = grid_frames[name]
            lens = candidates - record
            ok = (lens >= lo) & (lens <= hi)
            if np.any(ok):
                fits = candidates[ok]
                length = int(fits[np.argmin(np.abs(fits - planned_end))] - record)
                break
        if length is None:
            length = int(np.clip(planned_end - record, lo, hi))
        lengths.append(length)
        record += length

    cuts: list[ClipCut] = []
    record = 0
    for k, (shot, length) in enumerate(zip(shots, lengths)):
        kind, n = "cut", 0
        if transitions and k + 1 < len(shots):
            kind, n = choose_transition(shot, shots[k + 1], fps=fps)
            spare = shot.total_frames - length  # rendered frames after this clip's out point
            n = min(n, spare, lengths[k + 1] // 2)
            if n < 2:
                kind, n = "cut", 0
        cuts.append(
            ClipCut(
                shot_id=shot.shot_id, slot=shot.slot, source_start=0, source_frames=length, record_start=record,
                transition=kind, transition_frames=n,
            )
        )
        record += length
    return cuts


TransitionKind = Literal["cut", "dissolve", "dip-to-black", "whip-pan"]


def choose_transition(prev: ShotPlan, next: ShotPlan, fps: int | None = None) -> tuple[TransitionKind, int]:
    """The transition from `prev` into `next` and its length in frames, from their emotional change.

    With dv, da the change of valence and arousal (Russell circumplex, each in [-1, 1]):
    - calm to calm (both arousal < -0.2), or into awe: a dissolve (0.5 s .. 1 s, longer when calmer);
      time and feeling flow on;
    - arousal jumping up by >= 0.6 into an aroused shot: a whip pan (1/4 s), the energy arrives;
    - valence dropping by >= 0.8: a dip to black (1 s), a break before bad news;
    - a small change (distance < 0.35): a cut, continuity needs no punctuation;
    - otherwise a cut when the pair is lively (mean arousal >= 0), a dissolve when it is quiet.
    The order settles pairs that match two rules (calm -> anger is a whip pan, not a dip).
    """
    rate = int(fps or next.fps)
    dv = next.valence - prev.valence
    da = next.arousal - prev.arousal
    distance = float(np.hypot(dv, da))
    mean_arousal = 0.5 * (prev.arousal + next.arousal)
    dissolve_len = max(2, int(round(rate * (0.5 + 0.5 * float(np.clip(-mean_arousal, 0.0, 1.0))))))
    if (prev.arousal < -0.2 and next.arousal < -0.2) or next.emotion == Emotion.awe:
        return "dissolve", dissolve_len
    if da >= 0.6 and next.arousal > 0.4:
        return "whip-pan", max(2, int(round(rate * 0.25)))
    if dv <= -0.8:
        return "dip-to-black", max(2, int(round(rate * 1.0)))
    if distance < 0.35:
        return "cut", 0
    return ("cut", 0) if mean_arousal >= 0.0 else ("dissolve", dissolve_len)


def beat_sync_offsets(cuts: list[ClipCut], beats: BeatGrid | MusicAnalysis, fps: int) -> list[float]:
    """For each cut's end, the distance in frames to the nearest beat (inf with no beats)."""
    beat_frames = np.asarray(beats.beat_times, dtype=np.float64) * fps
    out = []
    for cut in cuts:
        end = cut.record_start + cut.source_frames
        out.append(float(np.min(np.abs(beat_frames - end))) if beat_frames.size else float("inf"))
    return out


# ---- OpenTimelineIO ---------------------------------------------------------------------------

_FRAME_NAME = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)(?P<suffix>\.[A-Za-z0-9]+)$")


class FrameSequence(BaseModel):
    """A numbered frame sequence on disk: folder/prefix + zero-padded number + suffix."""

    folder: Path
    prefix: str
    suffix: str
    padding: int
    start_frame: int
    count: int


def describe_sequence(files: list[Path]) -> FrameSequence:
    """Read the naming pattern of a shot's rendered frames; they must be one contiguous sequence."""
    if not files:
        raise ValueError("a shot has no rendered frames")
    paths = [Path(f) for f in files]
    first = _FRAME_NAME.match(paths[0].name)
    if not first:
        raise ValueError(f"frame file '{paths[0].name}' does not end in a frame number and extension")
    prefix, suffix = first["prefix"], first["suffix"]
    padding = len(first["number"])
    start = int(first["number"])
    for i, p in enumerate(paths):
        m = _FRAME_NAME.match(p.name)
        if (
            not m
            or p.parent != paths[0].parent
            or m["prefix"] != prefix
            or m["suffix"] != suffix
            or int(m["number"]) != start + i
            or len(m["number"]) != padding
        ):
            raise ValueError(f"frame '{p}' breaks the sequence {prefix}{'#' * padding}{suffix} starting at {start}")
    return FrameSequence(
        folder=paths[0].parent.resolve(), prefix=prefix, suffix=suffix, padding=padding, start_frame=start, count=len(paths)
    )


def _audio_duration_s(path: Path) -> float | None:
    try:
        facts = probe_media(path)
    except ValueError:
        return None
    return facts.duration_s


# OTIO transition types: a dissolve is the standard SMPTE one; the other looks are Custom and carry
# their Talos kind in metadata (OTIO has no schema for dips or whip pans).
_OTIO_TYPE = {"dissolve": otio.schema.TransitionTypes.SMPTE_Dissolve}


def _transition_item(cut: ClipCut, rate: float) -> otio.schema.Transition:
    # in_offset 0, out_offset n: the transition starts at the cut point and plays the outgoing clip
    # on for n frames into its handles (shots are rendered with handles after their end, none
    # before their start), which is also how CMX 3600 represents a dissolve.
    return otio.schema.Transition(
        name=f"{cut.transition} from {cut.shot_id}",
        transition_type=_OTIO_TYPE.get(cut.transition, otio.schema.TransitionTypes.Custom),
        in_offset=otio.opentime.RationalTime(0, rate),
        out_offset=otio.opentime.RationalTime(cut.transition_frames, rate),
        metadata={"talos": {"kind": cut.transition, "frames": cut.transition_frames, "from_slot": cut.slot}},
    )


def build_timeline(
    film_id: str,
    cuts: list[ClipCut],
    shot_frame_files: dict[str, list[Path]],
    audio_path: Path | None,
    fps: int,
    width: int,
    height: int,
) -> otio.schema.Timeline:
    """The edit as an OTIO timeline: a video track of image-sequence clips and transitions, and an
    audio track.

    Each clip references its shot's frame folder (`file://` URL ending in '/') through an
    ImageSequenceReference whose available range covers all rendered frames (handles included);
    the clip's source range is the cut. A cut's transition into the next clip becomes an
    `otio.schema.Transition` between the two (in_offset 0, out_offset = transition frames). Talos
    facts (slot, record start, transition, resolution) ride along in `metadata["talos"]`.
    """
    rate = float(fps)
    timeline = otio.schema.Timeline(name=film_id)
    timeline.global_start_time = otio.opentime.RationalTime(0, rate)
    timeline.metadata["talos"] = {"film_id": film_id, "fps": fps, "width": width, "height": height}
    video = otio.schema.Track(name="picture", kind=otio.schema.TrackKind.Video)
    for k, cut in enumerate(cuts):
        if cut.slot not in shot_frame_files:
            raise ValueError(f"no rendered frames given for slot '{cut.slot}' (shot '{cut.shot_id}')")
        seq = describe_sequence(shot_frame_files[cut.slot])
        needed = cut.source_start + cut.source_frames + (cut.transition_frames if cut.transition != "cut" else 0)
        if needed > seq.count:
            raise ValueError(
                f"cut of shot '{cut.shot_id}' needs frames {cut.source_start}..{needed - 1} "
                f"(its transition included) but only {seq.count} were rendered"
            )
        ref = otio.schema.ImageSequenceReference(
            target_url_base=seq.folder.as_uri() + "/",
            name_prefix=seq.prefix,
            name_suffix=seq.suffix,
            start_frame=seq.start_frame,
            frame_step=1,
            rate=rate,
            frame_zero_padding=seq.padding,
            missing_frame_policy=otio.schema.ImageSequenceReference.MissingFramePolicy.error,
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(seq.count, rate)
            ),
        )
        clip = otio.schema.Clip(
            name=cut.shot_id,
            media_reference=ref,
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(cut.source_start, rate), otio.opentime.RationalTime(cut.source_frames, rate)
            ),
        )
        clip.metadata["talos"] = {
            "slot": cut.slot,
            "record_start": cut.record_start,
            "transition": cut.transition,
            "transition_frames": cut.transition_frames,
            "width": width,
            "height": height,
        }
        video.append(clip)
        if cut.transition != "cut" and cut.transition_frames > 0 and k + 1 < len(cuts):
            video.append(_transition_item(cut, rate))
    timeline.tracks.append(video)

    if audio_path is not None:
        audio_path = Path(audio_path).resolve()
        total = sum(c.source_frames for c in cuts)
        film_len = otio.opentime.RationalTime(total, rate)
        available = None
        seconds = _audio_duration_s(audio_path)
        if seconds is not None:
            available = otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(seconds * rate, rate)
            )
            # Music shorter than the picture: the clip ends with the music (silence after).
            if available.duration < film_len:
                film_len = available.duration
        sound = otio.schema.Track(name="score", kind=otio.schema.TrackKind.Audio)
        sound.append(
            otio.schema.Clip(
                name=audio_path.stem,
                media_reference=otio.schema.ExternalReference(target_url=audio_path.as_uri(), available_range=available),
                source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), film_len),
            )
        )
        timeline.tracks.append(sound)
    return timeline


def _as_timeline(timeline: otio.schema.Timeline | str | Path) -> otio.schema.Timeline:
    if isinstance(timeline, (str, Path)):
        return otio.adapters.read_from_file(str(timeline))
    return timeline


def _picture_track(timeline: otio.schema.Timeline) -> otio.schema.Track:
    tracks = [t for t in timeline.video_tracks() if t.enabled]
    if not tracks:
        raise ValueError(f"timeline '{timeline.name}' has no video track")
    return tracks[0]


def _file_path(url: str) -> Path:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("", "file"):
        raise ValueError(f"media URL '{url}' is not a local file")
    return Path(urllib.request.url2pathname(parsed.path))


def read_timeline_cuts(timeline: otio.schema.Timeline | str | Path) -> list[ClipCut]:
    """The edit (clips and the transitions between them) back from an OTIO timeline or .otio path.

    Reads the first enabled video track: each Clip gives a ClipCut (shot id = clip name, slot from
    `metadata["talos"]["slot"]`, else the clip name; source range in frames; record start from its
    place in the track); each Transition sets the preceding cut's transition kind (Talos metadata,
    else SMPTE_Dissolve -> dissolve, any other type -> cut) and length (in + out offset). A
    transition with an in_offset would need frames before the incoming clip's source start, which
    Talos renders never have: that is a ValueError, as is a gap (the film is back to back).
    """
    tl = _as_timeline(timeline)
    track = _picture_track(tl)
    cuts: list[ClipCut] = []
    for item in track:
        if isinstance(item, otio.schema.Transition):
            if not cuts:
                raise ValueError(f"timeline '{tl.name}' opens with a transition; Talos films open on a clip")
            if item.in_offset.value != 0:
                raise ValueError(f"transition '{item.name}' has an in_offset; only out_offset transitions are supported")
            talos = item.metadata.get("talos", {}) if item.metadata else {}
            kind = talos.get("kind") or (
                "dissolve" if item.transition_type == otio.schema.TransitionTypes.SMPTE_Dissolve else "cut"
            )
            frames = int(round(item.out_offset.to_frames())) if kind != "cut" else 0
            cuts[-1] = cuts[-1].model_copy(update={"transition": str(kind), "transition_frames": frames})
            continue
        if isinstance(item, otio.schema.Gap):
            if item.duration().value > 0:
                raise ValueError(f"timeline '{tl.name}' has a gap; Talos films are cut back to back")
            continue
        if not isinstance(item, otio.schema.Clip):
            raise ValueError(f"unsupported item '{item.name}' ({item.schema_name()}) in the picture track")
        talos = dict(item.metadata.get("talos", {})) if item.metadata else {}
        sr = item.trimmed_range()
        cuts.append(
            ClipCut(
                shot_id=item.name,
                slot=str(talos.get("slot", item.name)),
                source_start=int(round(sr.start_time.to_frames())),
                source_frames=int(round(sr.duration.to_frames())),
                record_start=int(round(item.range_in_parent().start_time.to_frames())),
            )
        )
    return cuts


def timeline_frame_files(timeline: otio.schema.Timeline | str | Path) -> dict[str, list[Path]]:
    """Each slot's rendered frame files, resolved from the clips' ImageSequenceReferences (every
    frame of the reference's available range, handles included)."""
    tl = _as_timeline(timeline)
    files: dict[str, list[Path]] = {}
    for clip in _picture_track(tl).find_clips():
        talos = clip.metadata.get("talos", {}) if clip.metadata else {}
        slot = str(talos.get("slot", clip.name))
        ref = clip.media_reference
        if not isinstance(ref, otio.schema.ImageSequenceReference):
            raise ValueError(f"clip '{clip.name}' does not reference an image sequence")
        if ref.available_range is None:
            raise ValueError(f"clip '{clip.name}' has an image sequence without an available range")
        count = int(round(ref.available_range.duration.to_frames()))
        start = int(round(ref.available_range.start_time.to_frames()))
        files[slot] = [_file_path(ref.target_url_for_image_number(i)) for i in range(start, start + count)]
    return files


def timeline_audio_path(timeline: otio.schema.Timeline | str | Path) -> Path | None:
    """The first audio clip's file, or None when the timeline has no sound."""
    tl = _as_timeline(timeline)
    for track in tl.audio_tracks():
        for clip in track.find_clips():
            ref = clip.media_reference
            if isinstance(ref, otio.schema.ExternalReference) and ref.target_url:
                return _file_path(ref.target_url)
    return None


def write_timeline(timeline: otio.schema.Timeline, path: Path) -> Path:
    """Write a timeline as .otio JSON through a temp file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part.otio", dir=path.parent)
    os.close(fd)
    try:
        # The adapter is chosen by suffix, hence a temp name that still ends in .otio.
        otio.adapters.write_to_file(timeline, tmp, adapter_name="otio_json")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def export_edl(timeline: otio.schema.Timeline | str | Path, path: Path, fps: int | None = None) -> Path:
    """Write the picture track as a CMX 3600 EDL through OTIO's cmx_3600 adapter, atomically.

    One event per clip. CMX 3600 has cuts, dissolves, wipes and keys, and the adapter's writer emits
    only cuts and dissolves, so: a dissolve stays a dissolve ("D nnn", the outgoing clip running
    on into its handles exactly as in the .otio); a dip to black is written as a dissolve of the
    same length (same frames from the same handles; the fade through black itself is lost); a whip
    pan cannot be expressed and becomes a plain cut. Each clip's reel is its slot (s001...), so
    reels stay unique within the 8 characters an EDL allows. The adapter edits the timeline it
    writes, so it is given a deep copy.
    """
    tl = _as_timeline(timeline).deepcopy()
    track = _picture_track(tl)
    rate = fps or (tl.metadata.get("talos", {}).get("fps") if tl.metadata else None) or track.duration().rate
    for item in list(track):
        if isinstance(item, otio.schema.Transition):
            kind = (item.metadata.get("talos", {}) if item.metadata else {}).get("kind", "dissolve")
            if kind == "whip-pan" or item.out_offset.value <= 0:
                track.remove(item)  # not expressible in CMX 3600: a cut
            else:
                item.transition_type = otio.schema.TransitionTypes.SMPTE_Dissolve
        elif isinstance(item, otio.schema.Clip):
            slot = (item.metadata.get("talos", {}) if item.metadata else {}).get("slot")
            if slot:
                item.metadata["cmx_3600"] = {"reel": re.sub(r"[^A-Za-z0-9]", "", str(slot))[:8] or "AX"}
    # The EDL describes the picture; drop other video tracks (the adapter allows only one).
    for t in [t for t in tl.tracks if t.kind == otio.schema.TrackKind.Video and t is not track]:
        tl.tracks.remove(t)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part.edl", dir=path.parent)
    os.close(fd)
    try:
        otio.adapters.write_to_file(tl, tmp, adapter_name="cmx_3600", rate=float(rate))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# ---- rendering the timeline -------------------------------------------------------------------


def _linear_rgb(path: Path, width: int, height: int) -> np.ndarray:
    # Linear premultiplied RGBA shown over black is just its RGB.
    layer = framelib.read_layer_png(path)
    if layer.shape[:2] != (height, width):
        raise ValueError(f"frame {path} is {layer.shape[1]}x{layer.shape[0]}, the film is {width}x{height}")
    return np.ascontiguousarray(layer[..., :3])


def transition_progress(j: int, n: int) -> float:
    """Progress of frame j (0-based) of an n-frame transition: (j + 1) / (n + 1), so neither end is
    a plain copy of one clip (that frame already exists just outside the transition)."""
    return (j + 1.0) / (n + 1.0)


def dissolve_frame(a: np.ndarray, b: np.ndarray, j: int, n: int) -> np.ndarray:
    """Frame j of an n-frame dissolve: a linear-light crossfade (light adds linearly; mixing sRGB
    code values would dip the mid-tones dark half way through)."""
    w = np.float32(transition_progress(j, n))
    return (np.float32(1.0) - w) * a + w * b


def dip_to_black_frame(a: np.ndarray, b: np.ndarray, j: int, n: int) -> np.ndarray:
    """Frame j of an n-frame dip: `a` fades out over the first half, `b` in over the second (the
    middle frame of an odd dip is black). The fade is a straight ramp in display (gamma 2.2)
    terms, i.e. gain**2.2 in linear light, so it looks even instead of dropping to black early."""
    t = (j + 0.5) / n
    gain = np.float32(abs(1.0 - 2.0 * t) ** 2.2)
    return gain * (a if t < 0.5 else b)


def _box_blur_x(img: np.ndarray, length: int) -> np.ndarray:
    """Horizontal box blur of `length` pixels (edges held), from a cumulative sum: O(pixels)."""
    if length <= 1:
        return img
    left, right = length // 2, length - 1 - length // 2
    padded = np.concatenate([np.repeat(img[:, :1], left, axis=1), img, np.repeat(img[:, -1:], right, axis=1)], axis=1)
    c = np.cumsum(padded, axis=1, dtype=np.float64)
    c = np.concatenate([np.zeros((img.shape[0], 1, img.shape[2])), c], axis=1)
    return ((c[:, length:] - c[:, :-length]) / length).astype(np.float32)


def whip_pan_frame(a: np.ndarray, b: np.ndarray, j: int, n: int, shutter: float = 0.5) -> np.ndarray:
    """Frame j of an n-frame whip pan: the camera swings right across a strip [a | b], eased in and
    out (smoothstep), with horizontal motion blur as long as the strip moves while a 180-degree
    shutter (`shutter` = 0.5 of a frame) is open. Mid-swing the blur spans a large part of the frame."""
    h, w = a.shape[:2]
    t = (j + 0.5) / n
    s = t * t * (3.0 - 2.0 * t)
    speed = 6.0 * t * (1.0 - t) * w / n  # pixels per frame: d(smoothstep)/dt * width / frames
    strip = np.concatenate([a, b], axis=1)
    x0 = int(round(s * w))
    blurred = _box_blur_x(strip, max(1, int(round(shutter * speed))))
    return np.ascontiguousarray(blurred[:, x0 : x0 + w])


_BLENDS = {"dissolve": dissolve_frame, "dip-to-black": dip_to_black_frame, "whip-pan": whip_pan_frame}


def _render_plan(
    timeline_or_cuts: otio.schema.Timeline | str | Path | list[ClipCut],
    shot_frame_files: dict[str, list[Path]] | None,
) -> tuple[list[ClipCut], dict[str, list[Path]]]:
    if isinstance(timeline_or_cuts, list):
        if shot_frame_files is None:
            raise ValueError("rendering a list of cuts needs shot_frame_files")
        cuts = list(timeline_or_cuts)
    else:
        tl = _as_timeline(timeline_or_cuts)
        cuts = read_timeline_cuts(tl)
        if shot_frame_files is None:
            shot_frame_files = timeline_frame_files(tl)
    files = {slot: [Path(f) for f in fs] for slot, fs in shot_frame_files.items()}
    for k, cut in enumerate(cuts):
        got = files.get(cut.slot)
        if got is None:
            raise ValueError(f"no rendered frames given for slot '{cut.slot}' (shot '{cut.shot_id}')")
        if cut.source_start < 0 or cut.source_start + cut.source_frames > len(got):
            raise ValueError(
                f"cut of shot '{cut.shot_id}' needs source frames {cut.source_start}.."
                f"{cut.source_start + cut.source_frames - 1}, only {len(got)} were rendered"
            )
        if cut.transition != "cut" and cut.transition_frames > 0 and k + 1 < len(cuts):
            end = cut.source_start + cut.source_frames + cut.transition_frames
            if end > len(got):
                raise ValueError(
                    f"{cut.transition} out of shot '{cut.shot_id}' needs its frames up to {end - 1}, "
                    f"only {len(got)} were rendered (not enough handle frames)"
                )
            if cut.transition_frames > cuts[k + 1].source_frames:
                raise ValueError(f"{cut.transition} out of shot '{cut.shot_id}' is longer than the next clip")
    return cuts, files


def render_timeline_frames(
    timeline_or_cuts: otio.schema.Timeline | str | Path | list[ClipCut],
    shot_frame_files: dict[str, list[Path]] | None,
    fps: int,
    width: int,
    height: int,
) -> Iterator[np.ndarray]:
    """The film's frames in order, each float32 linear RGB (H, W, 3), one at a time.

    Takes an OTIO timeline (object or .otio path; frame files then default to its image-sequence
    references) or a list of ClipCut with each slot's files. A transition out of clip k over n
    frames plays in the first n frames of clip k+1's record range: clip k runs on into its handle
    frames (source end .. end + n - 1) and is blended with clip k+1's own frames as a dissolve,
    dip to black or whip pan. So transitions never change the film's length: it is the sum of the
    clips' source frames. At most two frames are held in memory. `fps` is the film's rate (the
    timeline is in frames already; kept for symmetry with encode_film and validated).
    """
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    cuts, files = _render_plan(timeline_or_cuts, shot_frame_files)
    for k, cut in enumerate(cuts):
        own = files[cut.slot]
        prev = cuts[k - 1] if k > 0 else None
        blend = _BLENDS.get(prev.transition) if prev is not None and prev.transition_frames > 0 else None
        for j in range(cut.source_frames):
            frame = _linear_rgb(own[cut.source_start + j], width, height)
            if blend is not None and j < prev.transition_frames:
                outgoing = files[prev.slot][prev.source_start + prev.source_frames + j]
                frame = blend(_linear_rgb(outgoing, width, height), frame, j, prev.transition_frames)
            yield frame.astype(np.float32, copy=False)


# ---- encoding ---------------------------------------------------------------------------------


def _frame_rgb8(path: Path, width: int, height: int) -> np.ndarray:
    # Through the studio's layer reader: 16-bit sRGB straight-alpha PNGs (and plain 8-bit ones)
    # come back as linear premultiplied, and are shown over black exactly as previews show them.
    rgb = framelib.to_display_rgb8(framelib.read_layer_png(path))
    if rgb.shape[:2] != (height, width):
        raise ValueError(f"frame {path} is {rgb.shape[1]}x{rgb.shape[0]}, the film is {width}x{height}")
    return np.ascontiguousarray(rgb)


def encode_film(
    cuts: list[ClipCut] | otio.schema.Timeline | str | Path,
    shot_frame_files: dict[str, list[Path]] | None,
    audio_path: Path | None,
    out_path: Path,
    ffmpeg_exe: str,
    fps: int,
    width: int,
    height: int,
    crf: int = 18,
) -> Path:
    """Encode the edit to H.264/AAC MP4 at `out_path`; the file appears only when complete.

    `cuts` is the edit: an OTIO timeline (object or .otio path, the film is then rendered from the
    timeline: its clips, transitions and, with `shot_frame_files` None, its frame references) or a
    list of ClipCut. Frames come from `render_timeline_frames` and are piped one at a time (memory
    bounded by a couple of frames). `audio_path` None with a timeline uses the timeline's audio
    clip, if any. The audio is padded with silence if short and cut at the picture's length, so the
    film ends with its last frame. On any failure the partial file is deleted and a RuntimeError
    (or the reading error) is raised; an older file at `out_path` is left untouched.
    """
    out_path = Path(out_path)
    if not isinstance(cuts, list):
        cuts = _as_timeline(cuts)  # read a .otio path once
    edit, files = _render_plan(cuts, shot_frame_files)  # validates before ffmpeg starts
    if audio_path is None and not isinstance(cuts, list):
        audio_path = timeline_audio_path(cuts)
    total = sum(c.source_frames for c in edit)
    if total <= 0:
        raise ValueError("the edit has no frames to encode")
    from talos_assets.agents import mastering

    # The picture goes through Anima's SDR master (OpenColorIO display transform, temp-then-rename,
    # ffmpeg killed and the temp removed on any failure), so there is one encoder in the studio.
    mastering.master_film(lambda: render_timeline_frames(edit, files, fps, width, height), out_path, "sdr-h264",
                          fps, width, height, ffmpeg_exe, audio_path=audio_path, frame_count=total, crf=crf)
    return out_path


# ---- probing ----------------------------------------------------------------------------------


class MediaFacts(BaseModel):
    """What a media file holds, as read by PyAV."""

    duration_s: float
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    video_codec: str | None = None
    pix_fmt: str | None = None
    frame_count: int | None = None
    has_audio: bool = False
    audio_codec: str | None = None
    audio_sample_rate: int | None = None


def probe_media(path: Path) -> MediaFacts:
    """Stream facts of a video or audio file via PyAV; ValueError when it cannot be opened."""
    import av

    path = Path(path)
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise ValueError(f"Could not open media file '{path}' ({exc}).") from exc
    with container:
        facts: dict = {"duration_s": 0.0}
        durations = []
        if container.duration is not None:
            durations.append(container.duration / av.time_base)
        if container.streams.video:
            vs = container.streams.video[0]
            cc = vs.codec_context
            facts.update(
                width=cc.width,
                height=cc.height,
                video_codec=cc.name,
                pix_fmt=cc.format.name if cc.format is not None else None,
                fps=float(vs.average_rate) if vs.average_rate else None,
            )
            count = vs.frames or 0
            if count == 0:
                # Containers without a frame count in the header: count packets (no decoding).
                count = sum(1 for pkt in container.demux(vs) if pkt.size)
            facts["frame_count"] = count
            if vs.duration is not None and vs.time_base is not None:
                # The picture's own duration: a film is as long as its frames, whatever the audio.
                durations = [float(vs.duration * vs.time_base)]
        if container.streams.audio:
            aus = container.streams.audio[0]
            facts.update(has_audio=True, audio_codec=aus.codec_context.name, audio_sample_rate=aus.codec_context.sample_rate)
            if not container.streams.video and aus.duration is not None and aus.time_base is not None:
                durations = [float(aus.duration * aus.time_base)]
        facts["duration_s"] = float(durations[0]) if durations else 0.0
    return MediaFacts(**facts)

"""The edit as an OpenTimelineIO timeline: a picture track of clips that reference each shot's rendered
frames as `ImageSequenceReference`s (OTIO's own type for a frame folder), `Transition` items between
them, and one audio clip for the score; read back into cuts, frame files and the sound's path, and
written as .otio JSON through a temp file and a rename.
"""

from __future__ import annotations

import os
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import opentimelineio as otio

from talos_assets.agents.editing.probe import probe_media
from talos_assets.spec import ClipCut, FrameSequence


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


def _shot_clip(cut: ClipCut, files: list[Path], rate: float, width: int, height: int) -> otio.schema.Clip:
    """One cut as a clip over its shot's whole rendered sequence (handles included)."""
    seq = FrameSequence.describe(files)
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
    return clip


def _score_track(audio_path: Path, cuts: list[ClipCut], rate: float) -> otio.schema.Track:
    """The sound as one clip as long as the picture (or the music, when that is shorter)."""
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
    return sound


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
        video.append(_shot_clip(cut, shot_frame_files[cut.slot], rate, width, height))
        if cut.transition != "cut" and cut.transition_frames > 0 and k + 1 < len(cuts):
            video.append(_transition_item(cut, rate))
    timeline.tracks.append(video)
    if audio_path is not None:
        timeline.tracks.append(_score_track(audio_path, cuts, rate))
    return timeline


def as_timeline(timeline: otio.schema.Timeline | str | Path) -> otio.schema.Timeline:
    """The timeline itself, or read from an .otio path."""
    if isinstance(timeline, (str, Path)):
        return otio.adapters.read_from_file(str(timeline))
    return timeline


def picture_track(timeline: otio.schema.Timeline) -> otio.schema.Track:
    """The first enabled video track: the film's picture."""
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
    tl = as_timeline(timeline)
    track = picture_track(tl)
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
    tl = as_timeline(timeline)
    files: dict[str, list[Path]] = {}
    for clip in picture_track(tl).find_clips():
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
    tl = as_timeline(timeline)
    for track in tl.audio_tracks():
        for clip in track.find_clips():
            ref = clip.media_reference
            if isinstance(ref, otio.schema.ExternalReference) and ref.target_url:
                return _file_path(ref.target_url)
    return None


def write_otio_file(timeline: otio.schema.Timeline, path: Path, adapter_name: str, temp_suffix: str,
                    **adapter_args) -> Path:
    """Write `timeline` with an OTIO adapter through a temp file (named `temp_suffix`) in the same
    folder and a rename, so `path` appears only complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=temp_suffix, dir=path.parent)
    os.close(fd)
    try:
        otio.adapters.write_to_file(timeline, tmp, adapter_name=adapter_name, **adapter_args)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_timeline(timeline: otio.schema.Timeline, path: Path) -> Path:
    """Write a timeline as .otio JSON through a temp file in the same folder and a rename."""
    # The adapter is chosen by suffix, hence a temp name that still ends in .otio.
    return write_otio_file(timeline, path, "otio_json", ".part.otio")

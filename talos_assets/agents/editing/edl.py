"""The edit as a CMX 3600 EDL, written by OpenTimelineIO's cmx_3600 adapter from the .otio timeline:
the picture track only, transitions reduced to what CMX 3600 can say, reels named after shot slots.
"""

from __future__ import annotations

import re
from pathlib import Path

import opentimelineio as otio

from talos_assets.agents.editing.timeline import as_timeline, picture_track, write_otio_file


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
    tl = as_timeline(timeline).deepcopy()
    track = picture_track(tl)
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
    return write_otio_file(tl, path, "cmx_3600", ".part.edl", rate=float(rate))

"""Cuttura's edit: cuts paced and conformed to the music, transitions from the emotion curve, an
OpenTimelineIO timeline and its EDL, and the film's picture rendered from that timeline.

- `conform`: each planned cut moved onto a beat of the shot's pacing grid (any beat when excited,
  every second beat when middling, bar lines or section starts when calm), within its handles.
- `transitions`: cut, dissolve, dip to black or whip pan from the change of valence and arousal,
  and each one's frames blended in linear light.
- `timeline`: the edit as an OTIO timeline (image-sequence references to each shot's frames,
  `Transition` items, one audio clip), read back and written atomically; `edl`: a CMX 3600 EDL
  through OTIO's cmx_3600 adapter.
- `picture`: the film's frames rendered from the timeline, one at a time, for Anima's masters
  (`mastering.master_film`, which owns display transforms and encoding).
- `mix`: the film's stereo sound: dialogue lines placed at their shots' record positions and panned
  by the speaker's screen side, the music ducked under them, -14 LUFS / -1 dBTP.
- `subtitles`: an SRT of the dialogue timed to the speech (pysubs2) and its soft mov_text track.
- `probe`: what a media file holds, read with PyAV.
"""

from talos_assets.agents.editing.conform import (
    Pacing,
    beat_sync_offsets,
    clip_frame_range,
    conform_cuts,
    pacing_for_arousal,
    pacing_grids,
)
from talos_assets.agents.editing.edl import export_edl
from talos_assets.agents.editing.mix import FilmMix, PlacedLine, duck_gain_db, mix_film, place_lines, speech_stem
from talos_assets.agents.editing.picture import frame_rgb8, render_timeline_frames
from talos_assets.agents.editing.probe import MediaFacts, probe_media
from talos_assets.agents.editing.timeline import (
    build_timeline,
    read_timeline_cuts,
    timeline_audio_path,
    timeline_frame_files,
    write_timeline,
)
from talos_assets.agents.editing.transitions import (
    TransitionKind,
    choose_transition,
    dip_to_black_frame,
    dissolve_frame,
    transition_progress,
    whip_pan_frame,
)
from talos_assets.agents.editing.stream_check import stream_problems
from talos_assets.agents.editing.subtitles import SubtitleCue, mux_subtitles, subtitle_cues, write_srt

__all__ = [
    "FilmMix", "PlacedLine", "SubtitleCue", "duck_gain_db", "mix_film", "mux_subtitles", "place_lines", "speech_stem",
    "subtitle_cues", "write_srt",
    "MediaFacts", "Pacing", "TransitionKind", "beat_sync_offsets", "build_timeline", "choose_transition",
    "clip_frame_range", "conform_cuts", "dip_to_black_frame", "dissolve_frame", "export_edl", "frame_rgb8",
    "pacing_for_arousal", "pacing_grids", "probe_media", "read_timeline_cuts", "render_timeline_frames", "stream_problems",
    "timeline_audio_path", "timeline_frame_files", "transition_progress", "whip_pan_frame", "write_timeline",
]  # fmt: skip

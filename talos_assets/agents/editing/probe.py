"""Media facts read back with PyAV (there is no ffprobe here): duration, picture size, rate, codec,
pixel format, frame count and the audio stream of what the studio wrote or was given.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel


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
    audio_channels: int | None = None
    subtitle_codecs: list[str] = []


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
            facts.update(has_audio=True, audio_codec=aus.codec_context.name, audio_sample_rate=aus.codec_context.sample_rate,
                         audio_channels=aus.codec_context.channels)
            if not container.streams.video and aus.duration is not None and aus.time_base is not None:
                durations = [float(aus.duration * aus.time_base)]
        facts["subtitle_codecs"] = [st.codec_context.name for st in container.streams.subtitles]
        facts["duration_s"] = float(durations[0]) if durations else 0.0
    return MediaFacts(**facts)

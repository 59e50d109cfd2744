"""The facts of a finished master, read back from the file itself: codec, profile, pixel format,
size, rate, duration, colour tags, audio, and the SMPTE ST 2086 mastering-display and CTA-861.3
content-light side data of the first decoded frame (PyAV, i.e. FFmpeg's libavformat/libavcodec);
an OpenEXR sequence from its headers."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from talos_assets.agents.mastering.deliverables import Deliverable


class MasterFacts(BaseModel):
    """What a master holds (read back with PyAV / OpenEXR), plus what mastering measured."""

    path: str
    deliverable: str | None = None
    codec: str | None = None
    profile: str | None = None  # e.g. "Main 10", "4444", "High"
    pix_fmt: str | None = None  # as the decoder reports it (FFmpeg decodes ProRes 4444 to yuva444p12le)
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    duration_s: float = 0.0
    frame_count: int | None = None
    color_primaries: str | None = None
    color_trc: str | None = None
    colorspace: str | None = None
    color_range: str | None = None
    has_audio: bool = False
    audio_codec: str | None = None
    # SMPTE ST 2086 as decoded from the stream: {"r": (x, y), "g": .., "b": .., "wp": .., "min_nits", "max_nits"}
    mastering_display: dict | None = None
    max_cll: int | None = None  # CTA-861.3 content light level as signalled in the stream (cd/m²)
    max_fall: int | None = None
    content_light_source: str | None = None  # "pre-pass" | "given" | "upper-bound" (HDR10 only)
    measured_max_cll: float | None = None  # measured on the frames actually encoded (HDR10 only)
    measured_max_fall: float | None = None
    size_bytes: int | None = None
    encode_seconds: float | None = None


# FFmpeg's AVColorPrimaries / AVColorTransferCharacteristic / AVColorSpace / AVColorRange numbers.
_PRIMARIES = {1: "bt709", 2: None, 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 9: "bt2020",
              11: "smpte431", 12: "smpte432"}
_TRC = {1: "bt709", 2: None, 4: "gamma22", 5: "gamma28", 6: "smpte170m", 8: "linear", 13: "iec61966-2-1",
        14: "bt2020-10", 15: "bt2020-12", 16: "smpte2084", 18: "arib-std-b67"}
_SPACE = {0: "rgb", 1: "bt709", 2: None, 5: "bt470bg", 6: "smpte170m", 9: "bt2020nc", 10: "bt2020c"}
_RANGE = {0: None, 1: "tv", 2: "pc"}


def _enum_name(value, table: dict) -> str | None:
    if value is None:
        return None
    try:
        return table.get(int(value), str(value))
    except (TypeError, ValueError):
        return str(getattr(value, "name", value)).lower()


def _side_data(frame) -> dict:
    """SMPTE ST 2086 and CTA-861.3 side data of a decoded frame (FFmpeg's AVMasteringDisplayMetadata:
    AVRational primaries[3][2], white[2], min, max, int has_primaries, has_luminance;
    AVContentLightMetadata: unsigned MaxCLL, MaxFALL)."""
    import struct

    import av

    out: dict = {}
    for sd in frame.side_data:
        kind = getattr(sd, "type", None)
        raw = bytes(sd)
        if kind == av.sidedata.sidedata.Type.MASTERING_DISPLAY_METADATA and len(raw) >= 88:
            v = struct.unpack("<20i2i", raw[:88])
            q = [v[i] / v[i + 1] if v[i + 1] else 0.0 for i in range(0, 20, 2)]
            if v[20]:  # FFmpeg orders primaries R, G, B
                out["mastering_display"] = {"r": (q[0], q[1]), "g": (q[2], q[3]), "b": (q[4], q[5]), "wp": (q[6], q[7]),
                                            "min_nits": q[8], "max_nits": q[9]}
            if v[21]:
                out.setdefault("mastering_display", {}).update(min_nits=q[8], max_nits=q[9])
        elif kind == av.sidedata.sidedata.Type.CONTENT_LIGHT_LEVEL and len(raw) >= 8:
            out["max_cll"], out["max_fall"] = struct.unpack("<2I", raw[:8])
    return out


def probe_master(path: Path | str) -> MasterFacts:
    """Facts of a master: video via PyAV (codec, pix_fmt, size, fps, duration, colour tags, audio,
    mastering-display and content-light side data from the first decoded frame); an EXR sequence
    folder via OpenEXR headers. ValueError when it cannot be read."""
    path = Path(path)
    if path.is_dir():
        return _probe_exr(path)
    import av

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise ValueError(f"could not open master '{path}' ({exc})") from exc
    facts: dict = {"path": str(path), "size_bytes": path.stat().st_size}
    with container:
        if container.streams.audio:
            facts.update(has_audio=True, audio_codec=container.streams.audio[0].codec_context.name)
        if not container.streams.video:
            raise ValueError(f"'{path}' has no video stream")
        vs = container.streams.video[0]
        cc = vs.codec_context
        facts.update(
            codec=cc.name, profile=cc.profile or None, pix_fmt=cc.format.name if cc.format is not None else None,
            width=cc.width, height=cc.height,
            fps=float(vs.average_rate) if vs.average_rate else None,
            color_primaries=_enum_name(cc.color_primaries, _PRIMARIES), color_trc=_enum_name(cc.color_trc, _TRC),
            colorspace=_enum_name(cc.colorspace, _SPACE), color_range=_enum_name(cc.color_range, _RANGE),
        )
        if vs.frames:
            facts["frame_count"] = int(vs.frames)
        if vs.duration is not None and vs.time_base is not None:
            facts["duration_s"] = float(vs.duration * vs.time_base)
        elif container.duration is not None:
            facts["duration_s"] = container.duration / av.time_base
        for frame in container.decode(vs):
            facts.update(_side_data(frame))
            break
    return MasterFacts(**facts)


def _probe_exr(folder: Path) -> MasterFacts:
    import OpenEXR

    files = sorted(folder.glob("*.exr"))
    if not files:
        raise ValueError(f"'{folder}' holds no EXR frames")
    header = OpenEXR.File(str(files[0]), header_only=True).header()
    (x0, y0), (x1, y1) = (tuple(int(v) for v in corner) for corner in header["dataWindow"])
    names = {c.name for c in header["channels"]}
    rate = header.get("framesPerSecond")
    fps = float(rate) if rate else None
    return MasterFacts(
        path=str(folder), deliverable=Deliverable.EXR_SEQUENCE.value, codec="exr",
        pix_fmt="rgbaf16le" if "A" in names else "rgbf16le", width=x1 - x0 + 1, height=y1 - y0 + 1, fps=fps,
        duration_s=len(files) / fps if fps else 0.0, frame_count=len(files), color_primaries="bt709",
        color_trc="linear", colorspace="rgb", size_bytes=sum(f.stat().st_size for f in files),
    )

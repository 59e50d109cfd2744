"""Cuttura in Dagster: the soundtrack and its beat grid, the timeline cut to the beats (OTIO), and
the finished film with its sound, delivered to renders/<film>/."""


import dagster as dg
import numpy as np

from resources.ffmpeg import FFmpegResource
from resources.ichor import IchorResource
from resources.studio import StudioHome
from talos_assets.agents import editing, music
from talos_assets.agents.frames import write_rgb8_png
from talos_assets.defs.common import TRANSIENT_RETRY, StageClock, preview_md, user_errors_as_failures
from talos_assets.defs.direction import film_plan
from talos_assets.defs.pools import MASTERING_POOL
from talos_assets.defs.render import shot_render
from talos_assets.partitions import film_of_shot, films_partitions
from talos_assets.spec import FilmPlan
from talos_assets.stores.studio import write_json

CUTTURA = "cuttura_editing"
SAMPLE_RATE = 44100


@dg.asset(partitions_def=films_partitions, group_name=CUTTURA, kinds={"python"}, deps=[film_plan])
def soundtrack(context: dg.AssetExecutionContext, studio: StudioHome, ffmpeg: FFmpegResource) -> dg.MaterializeResult:
    """Cuttura: the film's music (the story's audio file, or a score written from the emotion curve),
    at -14 LUFS, and its tempo and beat grid."""
    clock = StageClock()
    store = studio.store()
    with user_errors_as_failures():
        plan = store.read_plan(context.partition_key)
    film_seconds = plan.planned_frames / plan.fps
    handles = max(s.handle_frames for s in plan.shots) / plan.fps
    sections = "-"
    if plan.music_file is not None:
        try:
            audio = music.load_audio(plan.music_file, ffmpeg.exe(), SAMPLE_RATE)
        except ValueError as exc:
            raise dg.Failure(str(exc), allow_retries=False) from None
        if len(audio) < film_seconds * SAMPLE_RATE:  # a short song: silence after it, never a cut-off film
            audio = np.pad(audio, (0, int(film_seconds * SAMPLE_RATE) - len(audio) + SAMPLE_RATE))
        source = str(plan.music_file)
        tempo_written = None
    else:
        starts = np.cumsum([0.0] + [s.frames / plan.fps for s in plan.shots[:-1]])
        segments = [(float(t), s.valence, s.arousal) for t, s in zip(starts, plan.shots)]
        score = music.compose_score(segments, film_seconds + handles + 0.5, SAMPLE_RATE, seed=plan.shots[0].seed)
        audio, tempo_written = score.audio, score.tempo_bpm
        sections = "; ".join(f"{sec.start_s:.1f}s {sec.key} {sec.mode}: {', '.join(sec.instruments)}" for sec in score.sections)
        source = "generated"
    analysis = music.analyze_music(audio, SAMPLE_RATE)
    music.write_wav(store.soundtrack_path(plan.film_id), audio, SAMPLE_RATE)
    write_json(store.beat_grid_path(plan.film_id), analysis.beat_grid().model_dump_json(indent=1))
    write_json(store.music_analysis_path(plan.film_id), analysis.model_dump_json(indent=1))
    wave = music.waveform_image(audio, analysis.beat_times, SAMPLE_RATE)
    return dg.MaterializeResult(metadata={
        "source": source, "tempo_bpm": round(analysis.tempo_bpm, 2),
        "tempo_written_bpm": round(tempo_written, 2) if tempo_written else "-",
        "meter": f"{analysis.beats_per_bar}/4", "beat_count": len(analysis.beat_times),
        "downbeat_count": len(analysis.downbeat_times),
        "section_times": ", ".join(f"{t:.2f}" for t in analysis.section_times) or "-", "score_sections": sections,
        "duration_s": round(len(audio) / SAMPLE_RATE, 3),
        "loudness_lufs": round(music.integrated_loudness(audio, SAMPLE_RATE), 2),
        "path": dg.MetadataValue.path(str(store.soundtrack_path(plan.film_id))), "seconds": round(clock.seconds, 3),
        "preview": preview_md(wave, 640),
    })


@dg.asset(
    partitions_def=films_partitions, group_name=CUTTURA, kinds={"python", "opentimelineio"},
    deps=[dg.AssetDep(shot_render, partition_mapping=film_of_shot), soundtrack],
)
def timeline(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Cuttura: cut points moved onto the music's beats within each shot's handles, as an OTIO timeline."""
    clock = StageClock()
    store = studio.store()
    with user_errors_as_failures():
        plan = store.read_plan(context.partition_key)
        analysis = music.MusicAnalysis.model_validate_json(store.read_music_analysis_json(plan.film_id))
        shot_frames = store.rendered_frames(plan)
    cuts = editing.conform_cuts(plan.shots, analysis, plan.fps)
    tl = editing.build_timeline(plan.film_id, cuts, {slot: seq.paths() for slot, seq in shot_frames.items()},
                                store.soundtrack_path(plan.film_id), plan.fps, plan.width, plan.height)
    delivery = store.delivery(plan.film_id)
    out = store.delivery_dir(plan.film_id) / delivery.timeline.name
    editing.write_timeline(tl, out)
    try:
        editing.export_edl(tl, delivery.edl, fps=plan.fps)
        edl_note = dg.MetadataValue.path(str(delivery.edl))
    except ValueError as exc:  # CMX 3600 timecode exists only at SMPTE rates (24, 25, 30...)
        edl_note = f"not written at {plan.fps} fps: {exc}"
    store.write_cuts(plan.film_id, cuts)
    offsets = editing.beat_sync_offsets(cuts, analysis, plan.fps)
    total = sum(c.source_frames for c in cuts)
    arousal = {s.slot: s.arousal for s in plan.shots}
    rows = "\n".join(f"| {c.slot} | {c.shot_id} | {c.record_start} | {c.source_frames} | {editing.pacing_for_arousal(arousal[c.slot])} "
                     f"| {c.transition} {c.transition_frames or ''} |" for c in cuts)
    return dg.MaterializeResult(metadata={
        "clip_count": len(cuts), "frame_count": total, "duration_s": round(total / plan.fps, 3),
        "planned_frames": plan.planned_frames,
        # the film's final cut is its end, not a cut onto a beat
        "max_cut_offset_from_beat_frames": round(max((abs(o) for o in offsets[:-1]), default=0.0), 3),
        "path": dg.MetadataValue.path(str(out)), "edl": edl_note,
        "seconds": round(clock.seconds, 3),
        "cuts": dg.MetadataValue.md("| slot | shot | record start | frames | cut on | transition into next |\n|---|---|---|---|---|---|\n" + rows),
    })


def _extra_masters(mastering, film_frames, plan: FilmPlan, delivery, ffmpeg_exe: str, audio, expected_frames: int
                   ) -> tuple[dict, list[str]]:
    """The story's deliverables beyond the SDR film: (metadata, problems found in them)."""
    extra_meta, extra_problems = {}, []
    for deliverable in plan.deliverables:
        if deliverable == "sdr-h264":
            continue
        master = mastering.master_film(film_frames, delivery.masters[deliverable], deliverable, plan.fps, plan.width, plan.height,
                                       ffmpeg_exe=ffmpeg_exe, audio_path=None if deliverable == "exr-sequence" else audio,
                                       frame_count=expected_frames)
        issues = editing.stream_problems(master, expected_frames, plan, with_audio=deliverable != "exr-sequence")
        if deliverable == "hdr10-hevc" and (master.color_trc != "smpte2084" or master.max_cll is None):
            issues.append(f"HDR10 tags missing (transfer {master.color_trc}, MaxCLL {master.max_cll})")
        extra_problems += [f"{deliverable}: {p}" for p in issues]
        extra_meta[deliverable] = dg.MetadataValue.path(str(delivery.masters[deliverable]))
        if deliverable == "hdr10-hevc":
            extra_meta["hdr10_max_cll_nits"] = master.max_cll
            extra_meta["hdr10_max_fall_nits"] = master.max_fall
    return extra_meta, extra_problems


@dg.asset(
    partitions_def=films_partitions, group_name=CUTTURA, kinds={"python", "ffmpeg"}, deps=[timeline],
    pool=MASTERING_POOL, retry_policy=TRANSIENT_RETRY,  # an ffmpeg that crashed or broke its pipe is retried
    check_specs=[
        dg.AssetCheckSpec("stream_matches_timeline", asset="film", blocking=True,
                          description="H.264 video at the planned size and fps, duration within one frame of the timeline, with an audio stream"),
        dg.AssetCheckSpec("masters_match_timeline", asset="film",
                          description="every extra deliverable (HDR10, ProRes 4444, EXR) has the timeline's frames, size and tags"),
    ],
)
def film(context: dg.AssetExecutionContext, studio: StudioHome, ffmpeg: FFmpegResource, ichor: IchorResource) -> dg.MaterializeResult:
    """Cuttura + Anima: the finished film rendered from the OTIO timeline (transitions included) and
    mastered through OpenColorIO: the SDR H.264 film with its soundtrack, plus the story's other
    deliverables (HDR10 HEVC, ProRes 4444, OpenEXR frames)."""
    import opentimelineio as otio

    from talos_assets.agents import mastering

    clock = StageClock()
    store = studio.store()
    # a missing stage, a bad size, a full disk, a corrupt Ichor: no retry; an ffmpeg crash
    # (RuntimeError, BrokenPipeError) or a locked Ichor propagates and the retry policy retries it
    with user_errors_as_failures():
        plan = store.read_plan(context.partition_key)
        shot_frames = store.rendered_frames(plan)  # every shot present, or one sentence naming the missing one
        delivery = store.delivery(plan.film_id)
        if not delivery.timeline.exists():
            raise dg.Failure(f"film '{plan.film_id}' has no timeline yet: materialize timeline first.", allow_retries=False)
        tl = otio.adapters.read_from_file(str(delivery.timeline))
        cuts = editing.read_timeline_cuts(tl)
        expected_frames = sum(c.source_frames for c in cuts)
        audio = store.soundtrack_path(plan.film_id)

        def film_frames():  # a fresh pass over the timeline: HDR10 needs one to measure MaxCLL/MaxFALL
            return editing.render_timeline_frames(tl, None, plan.fps, plan.width, plan.height)

        facts = mastering.master_film(film_frames, delivery.film, "sdr-h264", plan.fps, plan.width, plan.height,
                                      ffmpeg_exe=ffmpeg.exe(), audio_path=audio, frame_count=expected_frames)
        problems = editing.stream_problems(facts, expected_frames, plan)
        extra_meta, extra_problems = _extra_masters(mastering, film_frames, plan, delivery, ffmpeg.exe(), audio, expected_frames)
        ichor.vault().set_film_path(plan.film_id, str(delivery.film))
        mid = cuts[len(cuts) // 2]
        still_frame = editing.frame_rgb8(shot_frames[mid.slot].paths()[0], plan.width, plan.height)
        write_rgb8_png(delivery.still, still_frame)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(delivery.film)), "duration_s": round(facts.duration_s, 3),
            "frame_count": expected_frames, "resolution": f"{facts.width}x{facts.height}", "fps": facts.fps or 0.0,
            "video_codec": facts.codec or "-", "pix_fmt": facts.pix_fmt or "-", "color_primaries": facts.color_primaries or "-",
            "audio_codec": facts.audio_codec or "-", "size_mb": round(delivery.film.stat().st_size / 1e6, 2),
            "deliverables": ", ".join(plan.deliverables), **extra_meta,
            "seconds": round(clock.seconds, 3), "seconds_per_frame": round(clock.seconds / max(1, expected_frames), 4),
            "preview": preview_md(still_frame, 480),
        },
        check_results=[
            dg.AssetCheckResult(check_name="stream_matches_timeline", passed=not problems,
                                metadata={"reason": "; ".join(problems) or "ok", "duration_s": facts.duration_s,
                                          "expected_s": expected_frames / plan.fps}),
            dg.AssetCheckResult(check_name="masters_match_timeline", passed=not extra_problems,
                                metadata={"reason": "; ".join(extra_problems) or "ok",
                                          "masters": ", ".join(d for d in plan.deliverables if d != "sdr-h264") or "none"}),
        ],
    )

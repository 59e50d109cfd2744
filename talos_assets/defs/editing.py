"""Cuttura in Dagster: the soundtrack and its beat grid, the timeline cut to the beats (OTIO), the
film's stereo mix (dialogue over the ducked music) with its subtitles, and the finished film with
its sound and a soft subtitle track, delivered to renders/<film>/."""


import dagster as dg
import numpy as np

from resources.ffmpeg import FFmpegResource
from resources.ichor import IchorResource
from resources.studio import StudioHome
from talos_assets.agents import editing, music, voice
from talos_assets.agents.editing.mix_file import write_film_mix
from talos_assets.agents.frames import write_rgb8_png
from talos_assets.defs.common import TRANSIENT_RETRY, StageClock, preview_md, user_errors_as_failures
from talos_assets.defs.direction import film_plan
from talos_assets.defs.pools import MASTERING_POOL
from talos_assets.defs.render import shot_render
from talos_assets.defs.voice import dialogue_line
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
    sections, out = "-", store.soundtrack_path(plan.film_id)
    if plan.music_file is not None:
        try:  # the user's music stays stereo (a mono file is centred) and is normalised like the score
            audio = music.load_audio(plan.music_file, ffmpeg.exe(), SAMPLE_RATE, channels=2)
        except ValueError as exc:
            raise dg.Failure(str(exc), allow_retries=False) from None
        if len(audio) < film_seconds * SAMPLE_RATE:  # a short song: silence after it, never a cut-off film
            audio = np.pad(audio, ((0, int(film_seconds * SAMPLE_RATE) - len(audio) + SAMPLE_RATE), (0, 0)))
        audio = music.normalize_mix(audio, SAMPLE_RATE)
        source, tempo_written = str(plan.music_file), None
        analysis = music.analyze_music(audio.mean(axis=1), SAMPLE_RATE)  # beats are heard in the mono sum
        music.write_wav(out, audio, SAMPLE_RATE)
        wave = music.waveform_image(audio.mean(axis=1), analysis.beat_times, SAMPLE_RATE)
        frames, lufs, peak = len(audio), music.integrated_loudness(audio, SAMPLE_RATE), music.true_peak_dbtp(audio, SAMPLE_RATE)
    else:  # written, analysed and drawn a few seconds at a time: memory does not grow with the film
        starts = np.cumsum([0.0] + [s.frames / plan.fps for s in plan.shots[:-1]])
        segments = [(float(t), s.valence, s.arousal) for t, s in zip(starts, plan.shots)]
        score, analysis, wave = music.score_soundtrack(out, segments, film_seconds + handles + 0.5, SAMPLE_RATE,
                                                       seed=plan.shots[0].seed)
        tempo_written, frames, lufs, peak = score.tempo_bpm, score.frames, score.loudness_lufs, score.true_peak_dbtp
        sections = "; ".join(f"{sec.start_s:.1f}s {sec.key} {sec.mode}: {', '.join(sec.instruments)}" for sec in score.sections)
        source = "generated"
    write_json(store.beat_grid_path(plan.film_id), analysis.beat_grid().model_dump_json(indent=1))
    write_json(store.music_analysis_path(plan.film_id), analysis.model_dump_json(indent=1))
    return dg.MaterializeResult(metadata={
        "source": source, "tempo_bpm": round(analysis.tempo_bpm, 2),
        "tempo_written_bpm": round(tempo_written, 2) if tempo_written else "-",
        "meter": f"{analysis.beats_per_bar}/4", "beat_count": len(analysis.beat_times),
        "downbeat_count": len(analysis.downbeat_times),
        "section_times": ", ".join(f"{t:.2f}" for t in analysis.section_times) or "-", "score_sections": sections,
        "duration_s": round(frames / SAMPLE_RATE, 3), "loudness_lufs": round(lufs, 2), "channels": 2,
        "true_peak_dbtp": round(peak, 2), "path": dg.MetadataValue.path(str(out)), "seconds": round(clock.seconds, 3),
        "preview": preview_md(wave, 640),
    })


def _speech_frames(store, plan: FilmPlan) -> dict[str, int]:
    """slot -> frames a clip must keep so its lines end inside it (the last word and one frame more)."""
    need = {}
    for shot in plan.shots:
        lines = voice.ShotVoices.model_validate_json(store.read_shot_voices_json(shot)).lines
        if lines:
            need[shot.slot] = int(np.ceil(max(ln.start_s + ln.offset_s for ln in lines) * plan.fps)) + 1
    return need


@dg.asset(
    partitions_def=films_partitions, group_name=CUTTURA, kinds={"python", "opentimelineio"},
    deps=[dg.AssetDep(shot_render, partition_mapping=film_of_shot), dg.AssetDep(dialogue_line, partition_mapping=film_of_shot),
          soundtrack],
)
def timeline(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Cuttura: cut points moved onto the music's beats within each shot's handles (a dialogue shot is
    never cut before its last word), as an OTIO timeline."""
    clock = StageClock()
    store = studio.store()
    with user_errors_as_failures():
        plan = store.read_plan(context.partition_key)
        analysis = music.MusicAnalysis.model_validate_json(store.read_music_analysis_json(plan.film_id))
        shot_frames = store.rendered_frames(plan)
        speech = _speech_frames(store, plan)
    cuts = editing.conform_cuts(plan.shots, analysis, plan.fps, min_frames=speech)
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


def _voiced_lines(store, plan: FilmPlan, ffmpeg_exe: str) -> dict[str, list["voice.VoicedLine"]]:
    """Every shot's stored lines with their speech read back (slot -> lines; empty when silent)."""
    lines = {}
    for shot in plan.shots:
        said = voice.ShotVoices.model_validate_json(store.read_shot_voices_json(shot)).lines
        for line in said:
            line.samples = music.load_audio(store.voice_file(shot, line.audio_file), ffmpeg_exe, line.sample_rate)
        lines[shot.slot] = said
    return lines


@dg.asset(
    partitions_def=films_partitions, group_name=CUTTURA, kinds={"python"},
    deps=[timeline, dg.AssetDep(dialogue_line, partition_mapping=film_of_shot)],
    check_specs=[dg.AssetCheckSpec("mix_loudness", asset="film_mix",
                                   description="integrated -14 +/- 1 LUFS (own BS.1770-4 and pyloudnorm), true peak <= -1 dBTP")],
)
def film_mix(context: dg.AssetExecutionContext, studio: StudioHome, ffmpeg: FFmpegResource) -> dg.MaterializeResult:
    """Cuttura: the film's stereo sound - each dialogue line at its shot's place in the edit, panned to
    its speaker's side, over the music ducked under it, at -14 LUFS and at most -1 dBTP - and the
    subtitles (.srt beside the film) timed to the speech."""
    clock = StageClock()
    store = studio.store()
    with user_errors_as_failures():
        plan = store.read_plan(context.partition_key)
        cuts = store.read_cuts(plan.film_id)
        lines = _voiced_lines(store, plan, ffmpeg.exe())
        seconds = sum(c.source_frames for c in cuts) / plan.fps
        placed = editing.place_lines(cuts, plan.shots, lines, plan.fps)
        # the music read from the soundtrack's WAV and the mix written a few seconds at a time:
        # memory does not grow with the film
        mix, preview = write_film_mix(store.mix_path(plan.film_id), store.soundtrack_path(plan.film_id), placed,
                                      SAMPLE_RATE, seconds, [p.onset_s for p in placed])
    srt = store.subtitles_path(plan.film_id)
    cues = editing.subtitle_cues(placed, seconds)
    if cues:
        editing.write_srt(cues, srt)
    else:
        srt.unlink(missing_ok=True)  # a film without dialogue delivers no subtitles
    pyln = mix.loudness_pyloudnorm_lufs
    ok = abs(mix.loudness_lufs + 14.0) <= 1.0 and abs(pyln + 14.0) <= 1.0 and mix.true_peak_dbtp <= -1.0
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(store.mix_path(plan.film_id))), "channels": 2, "duration_s": round(seconds, 3),
            "loudness_lufs": round(mix.loudness_lufs, 2), "loudness_pyloudnorm_lufs": round(pyln, 2),
            "true_peak_dbtp": round(mix.true_peak_dbtp, 2), "line_count": len(placed),
            "median_ducking_under_speech_db": round(mix.median_ducking_under_speech_db, 1),
            "subtitles": dg.MetadataValue.path(str(srt)) if cues else "-", "subtitle_count": len(cues),
            "lines": dg.MetadataValue.md("| slot | at s | pan | text |\n|---|---|---|---|\n" + "\n".join(
                f"| {p.slot} | {p.onset_s:.2f} | {p.pan:+.1f} | {p.line.text[:60]} |" for p in placed)) if placed else "-",
            "seconds": round(clock.seconds, 3),
            "preview": preview_md(preview, 640),
        },
        check_results=[dg.AssetCheckResult(check_name="mix_loudness", passed=bool(ok), metadata={
            "loudness_lufs": round(mix.loudness_lufs, 2), "loudness_pyloudnorm_lufs": round(pyln, 2),
            "true_peak_dbtp": round(mix.true_peak_dbtp, 2)})],
    )


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
    partitions_def=films_partitions, group_name=CUTTURA, kinds={"python", "ffmpeg"}, deps=[timeline, film_mix],
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
        audio = store.mix_path(plan.film_id)
        if not audio.exists():
            raise dg.Failure(f"film '{plan.film_id}' has no sound mix yet: materialize film_mix first.", allow_retries=False)

        def film_frames():  # a fresh pass over the timeline: HDR10 needs one to measure MaxCLL/MaxFALL
            return editing.render_timeline_frames(tl, None, plan.fps, plan.width, plan.height)

        facts = mastering.master_film(film_frames, delivery.film, "sdr-h264", plan.fps, plan.width, plan.height,
                                      ffmpeg_exe=ffmpeg.exe(), audio_path=audio, frame_count=expected_frames)
        srt = store.subtitles_path(plan.film_id)
        if srt.exists():  # the dialogue as a soft subtitle track (the .srt stays beside the film)
            editing.mux_subtitles(delivery.film, srt, ffmpeg.exe())
        probed = editing.probe_media(delivery.film)
        problems = editing.stream_problems(facts, expected_frames, plan)
        if srt.exists() and "mov_text" not in probed.subtitle_codecs:
            problems.append("no mov_text subtitle stream although the film has dialogue")
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
            "audio_codec": facts.audio_codec or "-", "audio_channels": probed.audio_channels or 0,
            "subtitles": ", ".join(probed.subtitle_codecs) or "-", "size_mb": round(delivery.film.stat().st_size / 1e6, 2),
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

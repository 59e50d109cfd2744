"""The voices in Dagster: each dialogue shot's line spoken by its speaker (the rig's espeak-ng voice
or the story's recorded file), stored per shot as WAV + JSON (phoneme and word timings, visemes and
the mouth at every frame) for Axis's lip sync and Cuttura's mix. Runs right after the scene graph.
"""

import dagster as dg

from resources.studio import StudioHome
from talos_assets.agents import music, voice
from talos_assets.defs.common import StageClock, preview_md, shot_metadata, shot_plan_for, user_errors_as_failures
from talos_assets.defs.direction import scene_graph
from talos_assets.partitions import shots_partitions

VOICES = "voices"


@dg.asset(partitions_def=shots_partitions, group_name=VOICES, kinds={"python"}, deps=[scene_graph])
def dialogue_line(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """The shot's spoken lines (dialogue shots; two in a dual dialogue): speech, phoneme timings, visemes
    and each speaker's mouth per frame."""
    clock = StageClock()
    store = studio.store()
    shot = shot_plan_for(context, store)
    with user_errors_as_failures():
        voices = voice.speaker_voices([speaker for speaker, _ in voice.dialogue_parts(shot)], studio.character_dirs())
        lines = voice.lines_for_shot(shot, voices, shot.dialogue_audio)
        writers = {}
        for k, line in enumerate(lines):
            line.audio_file = f"line{k}.wav"
            writers[line.audio_file] = lambda path, line=line: music.write_wav(path, line.samples, line.sample_rate)
        folder = store.write_shot_voices(shot, voice.ShotVoices(lines=lines).model_dump_json(indent=1), writers)
    if not lines:
        return dg.MaterializeResult(metadata=shot_metadata(shot, folder, 0, clock, spoken="-"))
    shot_s = shot.frames / shot.fps
    rows, sync_r = [], []
    for line in lines:
        sync = voice.lip_sync([m.open for m in line.mouth], line.samples, line.sample_rate, line.start_s, shot.fps) if line.mouth else None
        sync_r += [sync.correlation] if sync else []
        shapes = ", ".join(f"{v} {sum(1 for m in line.mouth if m.viseme == v)}" for v in voice.VISEME_OPENING)
        rows.append(f"| {line.speaker or '-'} | {line.text[:60]} | {line.source} | {line.duration_s:.2f} | "
                    f"{'yes' if line.start_s + line.offset_s <= shot_s else 'NO'} | {len(line.phonemes)} | "
                    f"{f'{sync.correlation:.2f}' if sync else 'V.O.'} | {f'{sync.closed_in_silence:.2f}' if sync else '-'} | {shapes} |")
    longest = max(lines, key=lambda line: line.duration_s)
    wave = music.waveform_image(longest.samples, [w.start_ms / 1000.0 for w in longest.words], longest.sample_rate)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock,
        spoken=" / ".join(line.text for line in lines), line_count=len(lines),
        line_s=round(longest.duration_s, 3), shot_s=round(shot_s, 3),
        fits_shot=all(line.start_s + line.offset_s <= shot_s for line in lines),
        lip_sync_r=round(min(sync_r), 3) if sync_r else "-",
        lines=dg.MetadataValue.md("| speaker | text | voice | s | fits | phonemes | lip-sync r | closed in silence | mouth frames |\n"
                                  "|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)),
        waveform=preview_md(wave, 640),
    ))

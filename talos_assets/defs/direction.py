"""Prism in Dagster: the film plan (per film), then scene graph, camera plan and storyboard panel per
shot, and the storyboard sheet per film (PNG preview plus a multi-page PDF for print, via Pillow)."""


from pathlib import Path

import cv2
import dagster as dg
import numpy as np

from resources.ichor import IchorResource
from resources.studio import StudioHome
from talos_assets.agents import direction
from talos_assets.agents.frames import atomic_write_bytes, write_rgb8_png
from talos_assets.defs.common import (
    PLAN_FILE,
    StageClock,
    load_film_plan,
    preview_md,
    shot_metadata,
    shot_plan_for,
    user_errors_as_failures,
    write_json,
)
from talos_assets.partitions import film_of_shot, films_partitions, shots_partitions
from talos_assets.spec import CameraKey, CameraMove, ShotPlan
from talos_assets.story import StoryError, parse_story, resolve_music, resolve_palette

GROUP = "prism_direction"


@dg.asset(partitions_def=films_partitions, group_name=GROUP, kinds={"python"})
def film_plan(context: dg.AssetExecutionContext, ichor: IchorResource, studio: StudioHome) -> dg.MaterializeResult:
    """Prism: the story registered in Ichor becomes an ordered shot list with emotion, size, camera, timing."""
    clock = StageClock()
    film_id = context.partition_key
    vault = ichor.vault()
    film = vault.film(film_id)
    if film is None:
        raise dg.Failure(f"film '{film_id}' is not registered in Ichor: run `talos forge STORY` to add it.")
    try:
        story = parse_story(film.story_yaml, source=f"story of '{film_id}'")
        palettes = {n: vault.palette(n) for n in vault.palette_names()}
        palette = resolve_palette(story, palettes)
        music = resolve_music(story, Path(film.story_path))
        with user_errors_as_failures():
            plan = direction.direct_film(story, palette, music_file=music, story_path=Path(film.story_path))
    except StoryError as exc:
        raise dg.Failure(str(exc), allow_retries=False) from None
    for note in plan.warnings:  # e.g. an LLM endpoint that was down: the embedded director stood in
        context.log.warning(note)
    write_json(studio.film_dir(film_id) / PLAN_FILE, plan.model_dump_json(indent=1))
    vault.register_film(
        film_id, story.title, film.story_path, film.story_yaml, story.fps, *story.resolution,
        palette=palette.name,
        shots=[dict(shot_id=s.shot_id, slot=s.slot, position=s.index, description=s.description,
                    emotion=s.emotion.value, frames=s.frames, plan_json=s.model_dump_json()) for s in plan.shots],
    )
    rows = "\n".join(f"| {s.slot} | {s.shot_id} | {s.emotion.value} | {s.shot_size.value} | {s.lens_mm or '-'} | "
                     f"{s.camera.value} | {s.duration:.2f} | {' '.join(s.stage_order)} |" for s in plan.shots)
    return dg.MaterializeResult(metadata={
        "shot_count": len(plan.shots),
        "frame_count": plan.planned_frames,
        "duration_s": round(plan.planned_frames / plan.fps, 2),
        "resolution": f"{plan.width}x{plan.height}",
        "palette": palette.name,
        "director": plan.director,
        "scenes": len(plan.scenes),
        "warnings": "; ".join(plan.warnings) or "none",
        "shots": dg.MetadataValue.md("| slot | shot | emotion | size | mm | camera | s | stage L-R |\n"
                                     "|---|---|---|---|---|---|---|---|\n" + rows),
        "seconds": round(clock.seconds, 3),
    })


@dg.asset(
    partitions_def=shots_partitions, group_name=GROUP, kinds={"python"},
    deps=[dg.AssetDep(film_plan, partition_mapping=film_of_shot)],
)
def scene_graph(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Prism: the shot's scene graph (who is on stage, emotion, size, camera, effects) as JSON."""
    clock = StageClock()
    shot = shot_plan_for(context, studio)
    folder = studio.fresh_shot_dir(shot.film_id, shot.slot, "scene")
    write_json(folder / "scene_graph.json", shot.model_dump_json(indent=1))
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, shot.total_frames, clock, emotion=shot.emotion.value, valence=round(shot.valence, 3),
        arousal=round(shot.arousal, 3), shot_size=shot.shot_size.value, camera=shot.camera.value,
        lens_mm=shot.lens_mm or 0.0, stage_order=" | ".join(shot.stage_order), location=shot.location or "-",
        characters=", ".join(shot.characters), effects=", ".join(e.kind.value for e in shot.effects) or "none",
        description=shot.description,
    ))


def load_camera_plan(studio: StudioHome, shot: ShotPlan) -> list[CameraKey]:
    import json

    path = studio.shot_dir(shot.film_id, shot.slot, "scene") / "camera_plan.json"
    if not path.exists():
        raise dg.Failure(f"shot {shot.slot} of '{shot.film_id}' has no camera plan: materialize camera_plan first.")
    return [CameraKey.model_validate(k) for k in json.loads(path.read_text())]


def plot_camera_curves(keys: list[CameraKey], width: int = 480, height: int = 200) -> np.ndarray:
    """A line plot of centre x/y, zoom and roll over frames (OpenCV, no display needed)."""
    img = np.full((height, width, 3), 250, np.uint8)
    n = max(2, len(keys))
    series = {
        "x": ([k.center_x for k in keys], (200, 60, 40)),
        "y": ([k.center_y for k in keys], (40, 140, 60)),
        "zoom/2": ([k.zoom / 2 for k in keys], (40, 60, 200)),
        "roll/10+.5": ([k.roll / 10 + 0.5 for k in keys], (120, 120, 120)),
    }
    for i, (name, (vals, color)) in enumerate(series.items()):
        pts = np.array([[int(8 + (width - 16) * f / (n - 1)), int(height - 8 - (height - 16) * min(max(v, 0), 1))]
                        for f, v in enumerate(vals)], np.int32)
        cv2.polylines(img, [pts], False, color, 2, cv2.LINE_AA)
        cv2.putText(img, name, (10, 18 + 16 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.45, color, 1, cv2.LINE_AA)
    return img


@dg.asset(partitions_def=shots_partitions, group_name=GROUP, kinds={"python"}, deps=[scene_graph])
def camera_plan(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Prism: per-frame camera curves (centre, zoom, roll) eased between the move's ends."""
    clock = StageClock()
    shot = shot_plan_for(context, studio)
    keys = direction.camera_plan(shot)
    folder = studio.shot_dir(shot.film_id, shot.slot, "scene")
    write_json(folder / "camera_plan.json", [k.model_dump() for k in keys])
    plot = plot_camera_curves(keys)
    write_rgb8_png(folder / "camera_plan.png", plot)
    return dg.MaterializeResult(metadata=shot_metadata(
        shot, folder, len(keys), clock, preview=plot, camera=shot.camera.value, lens_mm=shot.lens_mm or 0.0,
        zoom_range=f"{min(k.zoom for k in keys):.2f}-{max(k.zoom for k in keys):.2f}",
    ))


def draw_storyboard_panel(shot: ShotPlan, cam: CameraKey, width: int = 480) -> np.ndarray:
    """One storyboard panel: the shot's first key drawing framed by its camera, with the shot's notes."""
    from talos_assets.agents import key_animation, render

    height = int(round(width * shot.height / shot.width))
    keys = key_animation.plan_key_poses(shot)
    first: dict[str, object] = {}
    for key in sorted(keys, key=lambda k: k.frame):
        first.setdefault(key.character, key.pose)
    art = key_animation.draw_line_art([(key_animation.load_rig(c), first[c]) for c in first], width, height)
    paper = np.ones((height, width, 4), np.float32)
    tone = np.where(art.silhouette, 0.82, 1.0).astype(np.float32)[..., None]  # grey wash marks the figures
    paper[..., :3] = tone * (1.0 - art.line[..., None])
    framed = render.apply_camera(paper, cam)
    image = render.to_output_rgb8(framed)
    _draw_camera_glyph(image, shot)
    strip_h = 84
    panel = np.full((height + strip_h, width, 3), 255, np.uint8)
    panel[:height] = image
    cv2.rectangle(panel, (0, 0), (width - 1, height - 1), (20, 20, 20), 2)
    font = cv2.FONT_HERSHEY_SIMPLEX
    head = f"{shot.slot}  {shot.shot_id}  {shot.duration:.1f}s  {shot.emotion.value}"
    cv2.putText(panel, head, (6, height + 18), font, 0.45, (10, 10, 10), 1, cv2.LINE_AA)
    note = shot.camera_note or f"{shot.shot_size.value}, {shot.lens_mm or 0:.0f}mm, {shot.camera.value}"
    cv2.putText(panel, _fit(note, width - 12, font, 0.4), (6, height + 36), font, 0.4, (40, 40, 140), 1, cv2.LINE_AA)
    words, line, row = _ascii(shot.description).split(), "", 0
    for word in words:  # wrap the script line into the strip
        if cv2.getTextSize(line + " " + word, font, 0.4, 1)[0][0] > width - 12 and line:
            cv2.putText(panel, line, (6, height + 54 + 16 * row), font, 0.4, (60, 60, 60), 1, cv2.LINE_AA)
            line, row = word, row + 1
            if row > 1:
                break
        else:
            line = (line + " " + word).strip()
    if row <= 1 and line:
        cv2.putText(panel, line, (6, height + 54 + 16 * row), font, 0.4, (60, 60, 60), 1, cv2.LINE_AA)
    return panel


def _ascii(text: str) -> str:
    """OpenCV's Hershey fonts draw ASCII only: typographic quotes and dashes become their plain forms."""
    table = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "..."}
    return "".join(table.get(c, c) for c in text).encode("ascii", "replace").decode()


def _fit(text: str, width: int, font: int, scale: float) -> str:
    text = _ascii(text)
    while text and cv2.getTextSize(text, font, scale, 1)[0][0] > width:
        text = text[:-2] + "~"
    return text


def _draw_camera_glyph(image: np.ndarray, shot: ShotPlan) -> None:
    """The storyboard artist's camera marks: an arrow for pans/dollies/tilts, the end frame for
    push-ins and pull-outs, a zig-zag for handheld, drawn in the thumbnail's corner and frame."""
    h, w = image.shape[:2]
    red = (200, 40, 40)
    move = shot.camera
    m = max(4, w // 40)
    if move in (CameraMove.pan, CameraMove.dolly):
        cv2.arrowedLine(image, (w // 2 - w // 6, h - 3 * m), (w // 2 + w // 6, h - 3 * m), red, 2, cv2.LINE_AA, tipLength=0.2)
    elif move == CameraMove.tilt:
        cv2.arrowedLine(image, (w - 3 * m, h // 2 + h // 6), (w - 3 * m, h // 2 - h // 6), red, 2, cv2.LINE_AA, tipLength=0.2)
    elif move in (CameraMove.push_in, CameraMove.pull_out):
        f = 1 / 1.3  # the move's zoom ratio (direction.camera_plan)
        bw, bh = int(w * f), int(h * f)
        x0, y0 = (w - bw) // 2, (h - bh) // 2
        cv2.rectangle(image, (x0, y0), (x0 + bw, y0 + bh), red, 1, cv2.LINE_AA)
        tip = (x0, y0) if move == CameraMove.push_in else (m, m)
        tail = (m, m) if move == CameraMove.push_in else (x0, y0)
        cv2.arrowedLine(image, tail, tip, red, 2, cv2.LINE_AA, tipLength=0.3)
    elif move == CameraMove.handheld:
        pts = np.array([[m + i * m, 2 * m + (m if i % 2 else 0)] for i in range(6)], np.int32)
        cv2.polylines(image, [pts], False, red, 2, cv2.LINE_AA)


@dg.asset(partitions_def=shots_partitions, group_name=GROUP, kinds={"python"}, deps=[camera_plan, "key_poses"])
def storyboard_panel(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Prism: the shot's storyboard panel (key drawing through the camera, id, timing, emotion, script line)."""
    clock = StageClock()
    shot = shot_plan_for(context, studio)
    cams = load_camera_plan(studio, shot)
    panel = draw_storyboard_panel(shot, cams[0])
    folder = studio.fresh_shot_dir(shot.film_id, shot.slot, "storyboard")
    write_rgb8_png(folder / "panel.png", panel)
    return dg.MaterializeResult(metadata=shot_metadata(shot, folder, 1, clock, preview=panel))


def compose_storyboard_sheet(panels: list[np.ndarray], title: str, columns: int = 3) -> np.ndarray:
    ph, pw = panels[0].shape[:2]
    rows = (len(panels) + columns - 1) // columns
    pad, head = 16, 48
    sheet = np.full((head + rows * (ph + pad) + pad, columns * (pw + pad) + pad, 3), 255, np.uint8)
    cv2.putText(sheet, title, (pad, 34), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (10, 10, 10), 2, cv2.LINE_AA)
    for i, panel in enumerate(panels):
        r, c = divmod(i, columns)
        y, x = head + pad + r * (ph + pad), pad + c * (pw + pad)
        sheet[y : y + ph, x : x + pw] = panel
    return sheet


PANELS_PER_PAGE = 6  # 3 x 2 on a landscape page: big enough to read the notes when printed


def storyboard_pdf_pages(panels: list[np.ndarray], title: str, columns: int = 3,
                         per_page: int = PANELS_PER_PAGE) -> list[np.ndarray]:
    """Landscape pages of `per_page` panels each, titled with the page number."""
    chunks = [panels[i : i + per_page] for i in range(0, len(panels), per_page)] or [[]]
    pages = []
    for n, chunk in enumerate(chunks):
        # pad short pages with blank panels so every page has the same size and grid
        blank = np.full_like(panels[0], 255) if panels else np.full((10, 10, 3), 255, np.uint8)
        grid = chunk + [blank] * (per_page - len(chunk))
        pages.append(compose_storyboard_sheet(grid, f"{title} - storyboard  {n + 1}/{len(chunks)}", columns))
    return pages


def storyboard_pdf_bytes(pages: list[np.ndarray], dpi: float = 150.0) -> bytes:
    """A multi-page PDF of RGB pages (Pillow's PDF writer, one image per page)."""
    import io

    from PIL import Image

    images = [Image.fromarray(p) for p in pages]
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buf.getvalue()


@dg.asset(
    partitions_def=films_partitions, group_name=GROUP, kinds={"python"},
    deps=[dg.AssetDep(storyboard_panel, partition_mapping=film_of_shot)],
)
def storyboard(context: dg.AssetExecutionContext, studio: StudioHome) -> dg.MaterializeResult:
    """Prism: the film's storyboard sheet, one panel per shot, delivered next to the film as PNG and PDF."""
    clock = StageClock()
    plan = load_film_plan(studio, context.partition_key)
    panels = []
    for shot in plan.shots:
        path = studio.shot_dir(plan.film_id, shot.slot, "storyboard") / "panel.png"
        img = cv2.imread(str(path))
        if img is None:
            raise dg.Failure(f"shot {shot.slot} ({shot.shot_id}) has no storyboard panel: materialize storyboard_panel for {plan.film_id}|{shot.slot}.")
        panels.append(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    sheet = compose_storyboard_sheet(panels, f"{plan.title} - storyboard")
    out = studio.delivery_dir(plan.film_id) / f"{plan.film_id}_storyboard.png"
    write_rgb8_png(out, sheet)
    pdf = out.with_suffix(".pdf")
    pages = storyboard_pdf_pages(panels, plan.title)
    atomic_write_bytes(pdf, storyboard_pdf_bytes(pages))
    return dg.MaterializeResult(metadata={
        "panel_count": len(panels), "path": dg.MetadataValue.path(str(out)),
        "pdf": dg.MetadataValue.path(str(pdf)), "pdf_pages": len(pages),
        "resolution": f"{sheet.shape[1]}x{sheet.shape[0]}", "seconds": round(clock.seconds, 3),
        "preview": preview_md(sheet, 480),
    })

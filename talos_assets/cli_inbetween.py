"""`talos inbetween A B`: Flux's raster in-betweens between two drawings that have no rig, written as a
PNG sequence (A, the in-betweens, B). The studio's registered in-betweener (Protoforge's
`talos-flux-interp@champion`, hash-verified safetensors) draws them when one is registered in the
studio home, else DIS optical flow does (talos_assets.agents.inbetweening.raster).

Kept apart from cli.py so the command's image and model handling stays one concern; cli.py only
registers it. Heavy libraries are imported inside the command, as in cli.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

# soft_wrap: a message stays one line however narrow the terminal, so it can be grepped and pasted
_err = Console(stderr=True, soft_wrap=True)
_out = Console(soft_wrap=True)


def _fail(message: str) -> None:
    _err.print("error: ", style="bold red", end="", markup=False)
    _err.print(message, markup=False, highlight=False)
    raise typer.Exit(code=2)


def read_drawing(path: Path):
    """A drawing as display sRGB uint8 (H,W,3): PNG/JPEG as stored, EXR (linear) converted like renders."""
    import cv2

    if not path.is_file():
        _fail(f"drawing {path} does not exist; pass the path of a PNG, JPEG or EXR image.")
    if path.suffix.lower() == ".exr":
        from talos_assets.agents.frames import read_layer_png, to_display_rgb8

        return to_display_rgb8(read_layer_png(path))
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        _fail(f"drawing {path} is not an image OpenCV can read; save it as PNG, JPEG or EXR.")
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def _write_png(path: Path, rgb) -> None:
    import cv2
    import numpy as np

    rgb8 = rgb if rgb.dtype == np.uint8 else np.round(np.clip(rgb, 0, 1) * 255).astype(np.uint8)
    tmp = path.with_name(f".{path.stem}.part.png")  # temp-then-rename: no half-written frame under the real name
    if not cv2.imwrite(str(tmp), cv2.cvtColor(rgb8, cv2.COLOR_RGB2BGR)):
        _fail(f"could not write {path}; check that the folder is writable and the disk is not full.")
    os.replace(tmp, path)


def _model(checkpoint: Optional[Path], flow_only: bool, alias: str):
    """(model or None, a phrase saying what draws the in-betweens)."""
    from talos_assets.agents.inbetweening.raster import load_inbetweener, load_inbetweener_file

    if flow_only:
        return None, "DIS optical flow (--flow-only)"
    if checkpoint is not None:
        if checkpoint.is_dir():
            _fail(f"checkpoint {checkpoint} is a folder; pass the path of a Flux .safetensors checkpoint file.")
        try:
            return load_inbetweener_file(checkpoint), f"the in-betweener in {checkpoint}"
        except ValueError as exc:
            _fail(str(exc))
    from resources.studio import studio_root

    db = studio_root() / "mlflow" / "mlflow.db"
    if not db.is_file():
        return None, f"DIS optical flow (no lab registry at {db}; `talos lab train flux` trains a model)"
    try:
        net = load_inbetweener(f"sqlite:///{db}", alias=alias)
    except ValueError as exc:  # a registered model that fails its hash check: say so, never fall back silently
        _fail(str(exc))
    if net is None:
        return None, f"DIS optical flow (no talos-flux-interp@{alias} registered; `talos lab train flux` trains one)"
    return net, f"talos-flux-interp v{net.registered_version} @{alias}"


def inbetween(
    first: Path = typer.Argument(..., help="the first drawing (PNG, JPEG or EXR)"),
    last: Path = typer.Argument(..., help="the last drawing, same size"),
    frames: int = typer.Option(1, "--frames", "-n", min=1, max=63, help="in-betweens to draw between them"),
    out: Path = typer.Option(Path("inbetweens"), "--out", "-o", help="folder for f0000.png (first) ... (last)"),
    checkpoint: Optional[Path] = typer.Option(None, help="a Flux in-betweener checkpoint file instead of the registry"),
    alias: str = typer.Option("champion", help="registry alias of the in-betweener"),
    flow_only: bool = typer.Option(False, "--flow-only", help="use DIS optical flow even when a model is registered"),
) -> None:
    """In-between two drawings without a rig: Flux's registered model, else optical flow."""
    from talos_assets.agents.inbetweening.raster import inbetween_frames

    a, b = read_drawing(first), read_drawing(last)
    if a.shape != b.shape:
        _fail(f"{first} is {a.shape[1]}x{a.shape[0]} but {last} is {b.shape[1]}x{b.shape[0]}; "
              "resize one so both drawings match.")
    net, source = _model(checkpoint, flow_only, alias)
    middles = inbetween_frames(a, b, frames, model=net)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"cannot create the output folder {out} ({exc.strerror}); pass a writable folder with --out.")
    for i, img in enumerate([a, *middles, b]):
        _write_png(out / f"f{i:04d}.png", img)
    _out.print(f"{frames} in-between(s) by {source}: {out}/f0000.png ... f{frames + 1:04d}.png",
               markup=False, highlight=False)

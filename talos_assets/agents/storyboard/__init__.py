"""Prism's storyboard: a panel per shot drawn from Axis's key poses through the camera plan, the film's
sheet and its printable PDF, and the camera-curve plot shown with each camera plan."""

from talos_assets.agents.storyboard.camera_plot import plot_camera_curves
from talos_assets.agents.storyboard.panel import draw_storyboard_panel, first_key_drawing
from talos_assets.agents.storyboard.sheet import (
    PANELS_PER_PAGE,
    compose_storyboard_sheet,
    storyboard_pdf_bytes,
    storyboard_pdf_pages,
)

__all__ = ["plot_camera_curves", "draw_storyboard_panel", "first_key_drawing", "compose_storyboard_sheet",
           "storyboard_pdf_pages", "storyboard_pdf_bytes", "PANELS_PER_PAGE"]

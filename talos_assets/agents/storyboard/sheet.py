"""The film's storyboard sheet (one panel per shot on a grid) and its printable multi-page PDF (Pillow)."""

from __future__ import annotations

import io

import cv2
import numpy as np

PANELS_PER_PAGE = 6  # 3 x 2 on a landscape page: big enough to read the notes when printed


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
    from PIL import Image

    images = [Image.fromarray(p) for p in pages]
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buf.getvalue()

"""Warp device: CUDA when present, else CPU; the kernel cache lives in the studio home so Warp's
compiled modules survive between runs (a CPU module costs ~2 s to compile the first time)."""

from __future__ import annotations

import dagster as dg


def init_warp(cache_dir: str | None, preferred: str = "auto") -> str:
    import warp as wp

    if cache_dir:
        wp.config.kernel_cache_dir = cache_dir
    wp.config.quiet = True
    if hasattr(wp, "LOG_ERROR"):  # warp >= 1.19 greets (and warns of a missing CUDA driver) by log level
        wp.config.log_level = wp.LOG_ERROR
    wp.init()
    if preferred == "auto":
        return "cuda:0" if wp.is_cuda_available() else "cpu"
    if preferred.startswith("cuda") and not wp.is_cuda_available():
        raise ValueError(f"Warp device '{preferred}' was asked for but no CUDA device is present; use 'auto' or 'cpu'")
    return preferred


class WarpDeviceResource(dg.ConfigurableResource):
    """`device`: 'auto' (cuda if present, else cpu), 'cpu' or 'cuda:N'."""

    device: str = "auto"
    kernel_cache: str = ""

    def device_name(self) -> str:
        return init_warp(self.kernel_cache or None, self.device)

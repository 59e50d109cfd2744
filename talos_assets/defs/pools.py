"""The heavy agents' concurrency pools and the limits the studio wants for them.

Stokes (Warp fluids: one device, a whole core or the GPU per shot), Anima (compositing: memory-bound
per 16-bit frame) and mastering (ffmpeg: every core it can get) each run in a Dagster concurrency
pool, so a 100-shot film queued by the run coordinator never has more of them at once than the
machine holds. Dagster keeps a pool's limit in the instance (not in dagster.yaml, which only has
`pools.default_limit`), so `apply_pool_limits` sets the limits below on an instance where they are
not set yet and leaves a limit someone changed (UI or `dagster instance concurrency set`) alone.
"""

from __future__ import annotations

import dagster as dg

from talos_assets.settings import DEFAULT_MAX_CONCURRENT_RUNS as MAX_CONCURRENT_RUNS  # the run queue (dagster.yaml)

STOKES_POOL, ANIMA_POOL, MASTERING_POOL = "stokes", "anima", "mastering"

# pool -> how many steps may hold it at once across every run of the instance
POOL_LIMITS: dict[str, int] = {STOKES_POOL: 1, ANIMA_POOL: 2, MASTERING_POOL: 1}


def apply_pool_limits(instance: dg.DagsterInstance, limits: dict[str, int] | None = None) -> dict[str, int]:
    """Set each pool's limit where the instance has none yet; returns the limits now in force.

    An instance whose storage cannot hold pool limits (an old SQLite schema) is left as it is and
    reports no limits.
    """
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return {}
    wanted = POOL_LIMITS if limits is None else limits
    configured = storage.get_concurrency_keys()
    for pool, limit in wanted.items():
        if pool not in configured:
            storage.set_concurrency_slots(pool, limit)
    return {pool: storage.get_concurrency_info(pool).slot_count for pool in wanted}

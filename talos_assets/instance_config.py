"""The studio's Dagster instance configuration (`$DAGSTER_HOME/dagster.yaml`), written from its settings.

What a render service needs from Dagster 1.13, in the instance schema of
`dagster/_core/instance/config.py`: telemetry off; the `QueuedRunCoordinator` with the run limits under
`concurrency: runs:` (Dagster refuses them in `run_coordinator.config` once `concurrency: pools:` is
used), so a 100-shot film queues instead of starting 100 runs; concurrency pools at op granularity
for the heavy agents; run monitoring, so the daemon fails runs whose worker died and frees their pool
slots; and storage on PostgreSQL when TALOS_DAGSTER_PG_URL is set (SQLite in the home otherwise).

Dagster's YAML has only a default pool limit: a named pool's limit lives in the instance's event-log
storage and is set by `talos_assets.defs.pools.apply_pool_limits` (Stokes 1, Anima 2, mastering 1).
No `default_limit` is written: on PostgreSQL, two runs reaching a pool that only has the default at
the same moment fail in Dagster 1.13 (`initialize_concurrency_limit_to_default` inserts, hits the
unique key and aborts the transaction: dagster-io/dagster#33552), which explicit limits avoid.

The file is ours while it carries our header with the digest of its body: it is rewritten whenever
the settings change. A file without the header, or one edited since we wrote it, is the user's and
is never overwritten.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import yaml

from talos_assets.settings import DAGSTER_PG_URL_ENV, InstanceSettings

HEADER = "# written by Studio Talos"
_HEADER_RE = re.compile(r"^# written by Studio Talos from its settings \(sha256 ([0-9a-f]{16})\)\n")
# what Studio Talos wrote before the file had a digest; still ours to replace
_LEGACY = "# written by Studio Talos\ntelemetry:\n  enabled: false\n"


def instance_config(settings: InstanceSettings) -> dict:
    """The dagster.yaml document for these settings (validated by Dagster's own schema in the tests)."""
    runs = settings.max_concurrent_runs
    config: dict = {
        "telemetry": {"enabled": False},
        "run_coordinator": {"module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator"},
        "concurrency": {
            "runs": {
                "max_concurrent_runs": runs,
                # a backfill of a whole film never takes every run slot: the inbox and UI launches keep one
                "tag_concurrency_limits": [{"key": "dagster/backfill", "limit": max(1, runs - 1)}],
            },
            "pools": {"granularity": "op"},  # a step waits for its pool's slot, not a whole run
        },
        "run_monitoring": {
            "enabled": True,
            "start_timeout_seconds": 180,  # a run process that never reported in is failed
            "cancel_timeout_seconds": 180,
            "max_resume_run_attempts": 0,  # a dead render is failed (and retried by policy), not resumed
            "poll_interval_seconds": 30,
            "free_slots_after_run_end_seconds": 60,  # pool slots held by a dead step come back
        },
    }
    if settings.dagster_pg_url:
        # the URL (with its password) stays in the environment; Dagster resolves it in every process
        config["storage"] = {"postgres": {"postgres_url": {"env": DAGSTER_PG_URL_ENV}}}
    return config


def render_dagster_yaml(settings: InstanceSettings) -> str:
    """The file's text: our header with the digest of the body, then the body."""
    body = yaml.safe_dump(instance_config(settings), sort_keys=False, default_flow_style=False)
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    return (f"{HEADER} from its settings (sha256 {digest})\n"
            "# Rewritten when the studio's settings change; edit it (or delete this header) to keep your own.\n"
            + body)


def is_ours(text: str) -> bool:
    """True when Studio Talos wrote the text and nobody edited it since."""
    if text == _LEGACY:
        return True
    match = _HEADER_RE.match(text)
    if match is None:
        return False
    body = text.split("\n", 2)[2] if text.count("\n") >= 2 else ""
    return hashlib.sha256(body.encode()).hexdigest()[:16] == match.group(1)


def write_dagster_yaml(dagster_home: Path, settings: InstanceSettings) -> bool:
    """Write `dagster.yaml` when it is absent or still ours and out of date; True when written.
    A user's file (no header, or edited) is left as it is."""
    path = Path(dagster_home) / "dagster.yaml"
    wanted = render_dagster_yaml(settings)
    try:
        current = path.read_text()
    except FileNotFoundError:
        current = None
    except (OSError, UnicodeDecodeError):
        return False  # unreadable: the user's to fix; Dagster names the file when it fails to load it
    if current == wanted or (current is not None and not is_ours(current)):
        return False
    tmp = path.with_name(f".dagster.yaml.{os.getpid()}.tmp")
    tmp.write_text(wanted)
    os.replace(tmp, path)  # readers (a daemon, a second forge) see the old file or the new one, never half
    return True


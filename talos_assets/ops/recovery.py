"""Runs a killed `talos forge` left STARTED are marked failed at the next start.

`talos forge` executes each shot's chain in process (`dg.materialize`), so no run worker or launcher
is left for Dagster's run monitoring to watch: after kill -9 the run stays STARTED in the instance
forever. Each forge therefore tags its runs with who executes them (`talos/pid`, `talos/host` and
the process's start time, so a recycled pid is not mistaken for the forge), and the next forge
reports every unfinished run whose process is gone as failed (`instance.report_run_failed`), as
run monitoring does for launched runs. Runs without the tags (launched from the UI or a sensor)
are left to Dagster's own monitoring.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

PID_TAG, HOST_TAG, START_TAG = "talos/pid", "talos/host", "talos/proc_start"


def process_start(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux /proc), or '' where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
    return stat.rsplit(")", 1)[1].split()[19]


def forge_tags() -> dict[str, str]:
    """The tags every run this process executes carries."""
    pid = os.getpid()
    return {PID_TAG: str(pid), HOST_TAG: socket.gethostname(), START_TAG: process_start(pid)}


def process_alive(pid: int, started: str = "") -> bool:
    """Whether the process that tagged a run still runs (same pid and, where known, same start)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        pass
    return not started or process_start(pid) in ("", started)


@dataclass
class OrphanRun:
    run_id: str
    partition: str
    pid: int


def fail_orphaned_runs(instance) -> list[OrphanRun]:
    """Report every unfinished run of a forge that died on this host as failed; returns them."""
    import dagster as dg

    unfinished = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
    here = socket.gethostname()
    orphans = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=unfinished, tags={HOST_TAG: here})):
        try:
            pid = int(run.tags.get(PID_TAG, ""))
        except ValueError:
            continue
        if pid == os.getpid() or process_alive(pid, run.tags.get(START_TAG, "")):
            continue
        partition = run.tags.get("dagster/partition", "")
        instance.report_run_failed(run, message=f"the talos forge executing this run (pid {pid}) is gone "
                                                "(killed or crashed); marked failed by the next talos forge")
        # a step killed inside a concurrency pool (Stokes, Anima, mastering) still holds its slot
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        orphans.append(OrphanRun(run_id=run.run_id, partition=partition, pid=pid))
    return orphans

"""Failed runs, recorded in Ichor: which step failed and the error's first line, per run.

`record_run_failures` is a run-failure sensor that watches every run of the instance (the UI's,
the sensors', and `talos forge`'s in-process runs, which belong to no code location). Dagster wraps
an asset's exception in `DagsterExecutionStepExecutionError`; the line recorded is the user's: a
`dg.Failure`'s one sentence, else the first line of the innermost non-Dagster error ("OperationalError:
database is locked", "OSError: [Errno 28] No space left on device"), never the wrapper.
"""


import re

import dagster as dg

from resources.ichor import IchorResource

_QUALIFIED = re.compile(r"^(?:[A-Za-z_][\w]*\.)+(?=[A-Za-z_]\w*: )")  # "sqlite3.OperationalError: x" -> "OperationalError: x"


def first_line(text: str) -> str:
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), "(no message)")


def _is_wrapper(error) -> bool:
    name = error.cls_name or ""
    return name.startswith("Dagster") or name.startswith("RetryRequested")


def user_error_line(error) -> str:
    """The first line of the error a user should read (a SerializableErrorInfo, or None): past
    Dagster's wrappers to the raised one, noting when the retry policy gave up on it."""
    if error is None:
        return "(no error recorded)"
    gave_up = ""
    while error.cause is not None and _is_wrapper(error):
        if (error.cls_name or "").startswith("RetryRequested"):
            gave_up = f" ({first_line(error.message).rstrip(':')})"  # "Exceeded max_retries of 2"
        error = error.cause
    return _QUALIFIED.sub("", first_line(error.message)) + gave_up


def step_failure_line(event: dg.DagsterEvent) -> str:
    data = event.step_failure_data
    if data.user_failure_data is not None and data.user_failure_data.description:
        return first_line(data.user_failure_data.description)  # a dg.Failure: its one sentence
    return user_error_line(data.error)


def film_and_slot(tags: dict[str, str]) -> tuple[str | None, str | None]:
    """(film, slot) of a run from its partition tags; a film-level run has no slot."""
    if "dagster/partition/film" in tags:
        return tags["dagster/partition/film"], tags.get("dagster/partition/shot")
    return tags.get("dagster/partition"), None


def failure_rows(context: dg.RunFailureSensorContext) -> list[tuple[str, str]]:
    """(step key, error line) per failed step; ("run", why) when the run failed outside any step
    (a killed worker marked failed by run monitoring, a run that could not start)."""
    rows = [(e.step_key or "run", step_failure_line(e)) for e in context.get_step_failure_events()]
    if rows:
        return rows
    event = context.failure_event
    data = event.event_specific_data
    error = getattr(data, "error", None)
    return [("run", user_error_line(error) if error is not None else first_line(event.message or ""))]


@dg.run_failure_sensor(monitor_all_code_locations=True, default_status=dg.DefaultSensorStatus.RUNNING,
                       minimum_interval_seconds=15)
def record_run_failures(context: dg.RunFailureSensorContext, ichor: IchorResource):
    """Every failed run leaves a row per failed step in Ichor's `run_failures` (film, slot, step, error)."""
    run = context.dagster_run
    film_id, slot = film_and_slot(dict(run.tags))
    vault = ichor.vault()
    for step_key, line in failure_rows(context):
        vault.record_run_failure(run.run_id, run.job_name, step_key, line, film_id=film_id, slot=slot)

"""Shot renders on a render farm: Dagster's Celery executor, as `render_shot_on_farm` uses it.

`render_shot_on_farm` (`defs/automation.py`, beside `render_shot`) selects the same assets as
`render_shot` (one shot's chain, Prism to Anima, on a film/shot partition) but runs each step as a
Celery task (dagster-celery's `execute_plan`) that any worker listening on the broker picks up, so
several machines render a film's shots side by side; with the broker set, the studio's sensors
request it instead of `render_shot`.
The broker URL (Redis, e.g. `redis://farm-redis:6379/0`) comes from TALOS_CELERY_BROKER_URL when a run
starts and also serves as the result backend. Workers start with
`dagster-celery worker start -A dagster_celery.app -y celery_worker.yaml` (docs/deploy.md) and need the
same TALOS_HOME path (a shared mount: frames pass between steps as files, never through the broker),
the same instance (PostgreSQL via TALOS_DAGSTER_PG_URL) and the same code.
"""

import dagster as dg
from dagster_celery import celery_executor

CELERY_BROKER_ENV = "TALOS_CELERY_BROKER_URL"

farm_executor = celery_executor.configured(
    {
        "broker": {"env": CELERY_BROKER_ENV},
        "backend": {"env": CELERY_BROKER_ENV},
        # a worker takes one step at a time: a long Stokes step never holds a queue of short ones
        "config_source": {"worker_prefetch_multiplier": 1},
    },
    name="talos_celery",
)

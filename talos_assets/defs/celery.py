"""Shot renders on a render farm: the `render_shot` chain executed by Dagster's Celery executor.

`render_shot_on_farm` selects the same assets as `render_shot` (one shot's chain, Prism to Anima, on a
film/shot partition) but runs each step as a Celery task (dagster-celery's `execute_plan`) that any
worker listening on the broker picks up, so several machines render a film's shots side by side.
The broker URL (Redis, e.g. `redis://farm-redis:6379/0`) comes from TALOS_CELERY_BROKER_URL when a run
starts and also serves as the result backend. Workers start with
`dagster-celery worker start -A dagster_celery.app -y celery_worker.yaml` (docs/deploy.md) and need the
same TALOS_HOME path (a shared mount: frames pass between steps as files, never through the broker),
the same instance (PostgreSQL via TALOS_DAGSTER_PG_URL) and the same code.
"""

import dagster as dg
from dagster_celery import celery_executor

from talos_assets.defs.automation import render_shot

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

render_shot_on_farm = dg.define_asset_job(
    "render_shot_on_farm",
    selection=render_shot.selection,
    executor_def=farm_executor,
    description="One shot's whole chain, Prism to Anima, each step on a Celery worker (render farm).",
)

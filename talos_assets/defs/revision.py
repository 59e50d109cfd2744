"""Echo acts: the `revise_shots` sensor turns Echo's open revision tickets (Ichor) into runs.

Each tick, for every film with no revision in flight, the open tickets of each shot are claimed as
one round (at most MAX_ROUNDS per shot and plan; a shot re-planned since is given up): their
revisions are merged onto the one in force, written beside the shot (the studio store's override,
which `read_plan` applies for every stage) and recorded on the tickets, and one shot render run (on
the farm when the studio has one) is requested for exactly that shot partition, tagged with the ticket ids, its run key naming the
tickets and the round. Once every revision run of a film has succeeded the sensor requests
`edit_film` once (re-edit, re-evaluate, publish if Echo allows); that evaluation closes each ticket
as fixed, opens its next round with an escalated revision, or gives it up. A revision run that
failed gives its tickets up; so does a re-edit that failed before Echo could judge it.
"""


from collections import defaultdict

import dagster as dg

from resources.ichor import IchorResource
from resources.studio import StudioHome
from talos_assets.defs.automation import REVISION_TAG, SHOT_JOBS, edit_film, shot_job_name
from talos_assets.partitions import shot_key
from talos_assets.revision_spec import MAX_ROUNDS, ShotRevision, merged, plan_digest
from talos_assets.stores.ichor import IchorVault
from talos_assets.stores.studio import StudioStore
from talos_assets.stores.tickets import RevisionTicketRow

FILM_TAG = "talos/revision-film"
RUN_TAG = "talos/revision-run"  # the run key, on the run itself: how the sensor finds a round's run
ROUND_TAG = "talos/revision-round"
_FAILED = (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)


def _run_of(instance: dg.DagsterInstance, key: str | None):
    runs = instance.get_runs(filters=dg.RunsFilter(tags={RUN_TAG: key}), limit=1) if key else []
    return runs[0] if runs else None


def claim_shot(store: StudioStore, vault: IchorVault, film_id: str, slot: str,
               tickets: list[RevisionTicketRow]) -> dg.RunRequest | None:
    """One round for one shot: merged revision written beside it, tickets claimed, the run asked."""
    ids = [t.id for t in tickets]
    directed = next((s for s in store.read_directed_plan(film_id).shots if s.slot == slot), None)
    if directed is None or any(t.plan_digest != plan_digest(directed) for t in tickets):
        vault.set_ticket_run(ids, failed=f"shot {slot} of '{film_id}' was re-planned since Echo measured it")
        return None
    round_ = max(t.round for t in tickets) + 1
    run_key = f"revise-{film_id}-{slot}-t{'-'.join(map(str, ids))}-r{round_}"
    revision = merged(store.shot_revision(directed), *(ShotRevision.model_validate(t.revision) for t in tickets))
    if not vault.claim_tickets(ids, run_key, applied=revision.model_dump(mode="json"), max_rounds=MAX_ROUNDS):
        return None  # rounds spent: given up
    store.write_revision(directed, revision, tickets=ids)
    return dg.RunRequest(run_key=run_key, job_name=shot_job_name(), partition_key=shot_key(film_id, slot),
                         tags={REVISION_TAG: ",".join(map(str, ids)), FILM_TAG: film_id, RUN_TAG: run_key,
                               ROUND_TAG: str(round_)})


def settle_film(instance: dg.DagsterInstance, vault: IchorVault, film_id: str,
                running: list[RevisionTicketRow]) -> dg.RunRequest | None:
    """The film's re-edit once all its revision runs succeeded; tickets of failed runs given up."""
    waiting, done = [], []
    for t in running:
        if t.edit_run_key:  # re-edit asked: the evaluation settles it, unless the edit failed before Echo ran
            edit = _run_of(instance, t.edit_run_key)
            if edit is not None and edit.status in _FAILED:
                vault.set_ticket_run([t.id], failed=f"the re-edit run {edit.run_id[:8]} failed before Echo judged it")
            continue
        run = _run_of(instance, t.run_key)
        if run is None or not run.is_finished:
            waiting.append(t)
        elif run.status in _FAILED:
            vault.set_ticket_run([t.id], run_id=run.run_id, failed=f"revision run {run.run_id[:8]} failed")
        else:
            vault.set_ticket_run([t.id], run_id=run.run_id)
            done.append(t)
    if waiting or not done:
        return None
    ids = sorted(t.id for t in done)
    key = f"revise-edit-{film_id}-t{'-'.join(map(str, ids))}-r{max(t.round for t in done)}"
    vault.set_ticket_run(ids, edit_run_key=key)
    return dg.RunRequest(run_key=key, job_name=edit_film.name, partition_key=film_id,
                         tags={FILM_TAG: film_id, RUN_TAG: key})


@dg.sensor(jobs=[*SHOT_JOBS, edit_film], minimum_interval_seconds=20, default_status=dg.DefaultSensorStatus.RUNNING)
def revise_shots(context: dg.SensorEvaluationContext, studio: StudioHome, ichor: IchorResource):
    """Echo's open revision tickets -> one render per revised shot -> one re-edit per film."""
    vault, store = ichor.vault(), studio.store()
    requests: list[dg.RunRequest] = []
    running: dict[str, list[RevisionTicketRow]] = defaultdict(list)
    for t in vault.tickets(status="running"):
        running[t.film_id].append(t)
    for film_id, tickets in running.items():
        request = settle_film(context.instance, vault, film_id, tickets)
        requests += [request] if request else []
    shots: dict[tuple[str, str], list[RevisionTicketRow]] = defaultdict(list)
    for t in vault.tickets(status="open"):
        if t.film_id not in running:  # one batch of revisions per film at a time: the re-edit sees them all
            shots[(t.film_id, t.slot)].append(t)
    for (film_id, slot), tickets in shots.items():
        request = claim_shot(store, vault, film_id, slot, tickets)
        requests += [request] if request else []
    if not requests:
        return dg.SkipReason("no revision ticket to act on")
    return requests

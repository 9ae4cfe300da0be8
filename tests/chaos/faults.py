"""The scenarios that break a service while customers and partners keep coming: Redis
stopped, the Celery worker killed, PostgreSQL restarted."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.chaos import data
from tests.chaos.scenarios import (
    Outcome,
    consent_changes,
    five_hundreds,
    play,
    send,
    statuses,
    wait_until,
)
from tests.chaos.services import Managed, Postgres, Redis, WebhookReceiver


# 3 ------------------------------------------------------------------------------------------
def redis_outage(
    base: str,
    redis: Redis,
    survey: data.Survey,
    visitors: list[data.Browser],
    *,
    down_seconds: float,
    relay_timeout: float,
) -> Outcome:
    """Customers answer and change their consent while Redis is gone; nothing may be lost,
    and every event waiting in the outbox leaves once Redis is back."""
    redis.stop()
    stopped = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        answering = pool.submit(play, base, survey)
        deciding = pool.submit(consent_changes, base, visitors)
        answers, consents = answering.result(), deciding.result()
    load_seconds = time.monotonic() - stopped
    waiting = data.outbox_unrelayed()
    time.sleep(max(0.0, down_seconds - load_seconds))
    down = time.monotonic() - stopped
    redis.start()
    relayed_in = wait_until(lambda: data.outbox_unrelayed() == 0, relay_timeout)
    figures = data.survey_figures(survey.slug)
    consent_events = data.consent_event_count(visitors)
    expected_answers = len(survey.players) * len(survey.option_ids)
    errors = five_hundreds(answers + consents)
    passed = (
        figures.answers == expected_answers
        and consent_events == 2 * len(visitors)
        and errors == 0
        and relayed_in is not None
    )
    relayed = (
        f"{relayed_in:.0f} s" if relayed_in is not None else f"not within {relay_timeout:.0f} s"
    )
    return Outcome(
        "3 Redis down",
        passed,
        f"down {down:.0f} s; "
        f"answers {figures.answers}/{expected_answers} [{statuses(answers)}] in "
        f"{load_seconds:.0f} s, consent events {consent_events}/{2 * len(visitors)} "
        f"[{statuses(consents)}], 5xx={errors}; {waiting} outbox events waited, all relayed "
        f"{relayed} after Redis returned",
    )


# 4 ------------------------------------------------------------------------------------------
def worker_killed(
    worker: Managed,
    receiver: WebhookReceiver,
    *,
    endpoint_id: int,
    profile_id: int,
    deliveries: int,
    timeout: float,
) -> Outcome:
    """SIGKILL the worker (its pool too) while webhooks go out; every delivery must arrive,
    and the receiver, de-duplicating by webhook-id, applies each once."""
    made_before, _succeeded = data.webhook_figures(endpoint_id)
    received_before = len(receiver.received)
    expected = made_before + deliveries
    sender = threading.Thread(
        target=data.points_events_send, args=(profile_id, deliveries), daemon=True
    )
    sender.start()
    wait_until(
        lambda: len(receiver.received) >= received_before + deliveries // 5, timeout, step=0.05
    )
    arrived_before = len(receiver.received) - received_before
    worker.kill()
    time.sleep(2)
    worker.start()
    sender.join()

    def all_arrived() -> bool:
        made, succeeded = data.webhook_figures(endpoint_id)
        return made == succeeded == expected and len(receiver.received) >= expected

    arrived_in = wait_until(all_arrived, timeout)
    made, succeeded = data.webhook_figures(endpoint_id)
    with receiver.lock:
        distinct = len(receiver.received) - received_before
        total = sum(receiver.received.values()) - received_before
        applied = len(receiver.applied) - received_before
    made, succeeded = made - made_before, succeeded - made_before
    passed = made == succeeded == distinct == applied == deliveries
    took = f"{arrived_in:.0f} s" if arrived_in is not None else f"not within {timeout:.0f} s"
    stuck = "" if passed else f"; not delivered: {data.webhook_stuck(endpoint_id)}"
    return Outcome(
        "4 worker killed",
        passed,
        f"killed after {arrived_before} of {deliveries} arrived; deliveries made={made} "
        f"succeeded={succeeded}; received {total} ({total - distinct} duplicates), "
        f"distinct {distinct}, applied once {applied}; all arrived {took} after the restart"
        f"{stuck}",
    )


# 5 ------------------------------------------------------------------------------------------
def database_restart(
    base: str, postgres: Postgres, survey: data.Survey, *, pause: float, recovery_limit: float
) -> Outcome:
    """Restart PostgreSQL under a load of answers: failures must be explained (our error page
    or problem+json), no play may be half written, and the site must come back by itself."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        loading = pool.submit(play, base, survey, retry_until=time.monotonic() + 180)
        time.sleep(2)
        postgres.restart(pause=pause)
        recovered_in = wait_until(
            lambda: send("GET", f"{base}/").status == 200, recovery_limit, step=0.2
        )
        replies = loading.result()
    figures = data.survey_figures(survey.slug)
    failed = [reply for reply in replies if reply.status >= 500 or reply.status == 0]
    unexplained = sum(1 for reply in failed if not reply.explained)
    expected_answers = len(survey.players) * len(survey.option_ids)
    passed = (
        unexplained == 0
        and recovered_in is not None
        and figures.answers == expected_answers
        and figures.incomplete_but_finished == 0
        and figures.completed == figures.completions_published == len(survey.players)
    )
    recovered = (
        f"{recovered_in:.1f} s" if recovered_in is not None else f"not in {recovery_limit:.0f} s"
    )
    return Outcome(
        "5 PostgreSQL restart",
        passed,
        f"down {pause:.0f} s; {len(replies)} answer POSTs [{statuses(replies)}], failed "
        f"{len(failed)} (unexplained {unexplained}); served again {recovered} after PostgreSQL "
        f"was back; answers {figures.answers}/{expected_answers}, plays completed "
        f"{figures.completed}, "
        f"completions published {figures.completions_published}, half-written "
        f"{figures.incomplete_but_finished}",
    )

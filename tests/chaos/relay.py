"""Beat's two recovery sweeps, every few seconds instead of every minute: the outbox sweep and
the due-webhook sweep, each handed to the worker like beat would. A broker that is down makes
a round fail; the next round tries again."""

import logging
import os
import time

import django

INTERVAL_SECONDS = float(os.environ.get("CHAOS_RELAY_INTERVAL", "5"))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from apps.core.tasks import sweep_outbox_task
    from apps.partners.tasks import deliver_due_webhooks_task

    logger = logging.getLogger("chaos.relay")
    while True:
        for task in (sweep_outbox_task, deliver_due_webhooks_task):
            try:
                task.delay()
            except Exception as error:
                logger.warning("%s not sent: %s", task.name, error)
        time.sleep(INTERVAL_SECONDS)


if __name__ == "__main__":
    main()

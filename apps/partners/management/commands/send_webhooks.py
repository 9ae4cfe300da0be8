import time

from django.core.management.base import BaseCommand, CommandError

from apps.partners.services.webhook_delivery import webhook_deliveries_send_due


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries that are due, as the beat sweep does every minute. In the "
        "demo there is no worker and no beat: run this (with --every) beside runserver to see "
        "webhooks arrive. With a worker it hands them to the worker instead."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Keep sweeping at this interval until stopped (Ctrl-C); once if left out.",
        )

    def handle(self, *args, every: float, **options) -> None:
        if every < 0:
            raise CommandError("--every must not be negative.")
        while True:
            sent = webhook_deliveries_send_due()
            if sent or not every:
                self.stdout.write(f"Webhook deliveries sent or handed to a worker: {sent}.")
            if not every:
                return
            time.sleep(every)

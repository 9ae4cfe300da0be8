from django.core.management.base import BaseCommand

from apps.insights.services import rollups_refresh


class Command(BaseCommand):
    help = (
        "Bring the insights rollups up to date (the periodic task does the same). --full "
        "recomputes every day, e.g. after importing or generating data with past dates."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--full", action="store_true")

    def handle(self, *args, full: bool, **options) -> None:
        run = rollups_refresh(full=full)
        self.stdout.write(f"{run.days} days recomputed in {run.seconds:.1f} s.")

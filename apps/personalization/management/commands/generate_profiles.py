import os
import time

from django.core.management.base import BaseCommand, CommandError

from apps.personalization.synthetic.profiles import profiles_generate


class Command(BaseCommand):
    help = (
        "Create synthetic customers with consents, declarations, points and plays in bulk, "
        "for load tests and benchmarks (needs the demo vocabulary: run seed_demo first)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="Processes writing at once on PostgreSQL (default: one per core).",
        )

    def handle(self, *args, count: int, seed: int, jobs: int, **options) -> None:
        if count <= 0:
            raise CommandError("--count must be a positive number.")
        if jobs <= 0:
            raise CommandError("--jobs must be a positive number.")
        started = time.monotonic()
        for written in profiles_generate(count=count, seed=seed, jobs=jobs):
            self.stdout.write(f"{written:,} profiles ({time.monotonic() - started:.0f} s)")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.0f} s."))

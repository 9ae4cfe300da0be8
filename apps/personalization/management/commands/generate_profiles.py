import os
import time

from django.core.management.base import BaseCommand, CommandError

from apps.loyalty.demo import demo_ledger_exercise
from apps.personalization.synthetic.profiles import HISTORY_DAYS, profiles_generate


class Command(BaseCommand):
    help = (
        "Create synthetic customers with consents, declarations, points and plays in bulk, "
        "for load tests and benchmarks (needs the demo vocabulary: run seed_demo first)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--days",
            type=int,
            default=HISTORY_DAYS,
            help=f"How far back their history reaches (default {HISTORY_DAYS} days).",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="Processes writing at once on PostgreSQL (default: one per core).",
        )
        parser.add_argument(
            "--exercise-ledger",
            type=int,
            default=0,
            metavar="ACCOUNTS",
            help="Afterwards run this many accounts through the ledger services (credit, "
            "retry, debit, redemption, reversal, expiry), for a ledger check with real writes.",
        )

    def handle(
        self,
        *args,
        count: int,
        seed: int,
        days: int,
        jobs: int,
        exercise_ledger: int,
        **options,
    ) -> None:
        if count <= 0:
            raise CommandError("--count must be a positive number.")
        if days <= 0:
            raise CommandError("--days must be a positive number.")
        if jobs <= 0:
            raise CommandError("--jobs must be a positive number.")
        if exercise_ledger < 0:
            raise CommandError("--exercise-ledger must not be negative.")
        started = time.monotonic()
        for written in profiles_generate(count=count, seed=seed, jobs=jobs, days=days):
            self.stdout.write(f"{written:,} profiles ({time.monotonic() - started:.0f} s)")
        if exercise_ledger:
            called = demo_ledger_exercise(accounts=exercise_ledger, seed=seed)
            self.stdout.write(
                f"{called:,} ledger service calls ({time.monotonic() - started:.0f} s)"
            )
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.0f} s."))

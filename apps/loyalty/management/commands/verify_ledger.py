from django.core.management.base import BaseCommand, CommandError

from apps.loyalty.selectors import ledger_mismatches, ledger_size


class Command(BaseCommand):
    help = "Check that every account's balance equals the sum of its ledger entries."

    def handle(self, *args, **options) -> None:
        mismatches = list(ledger_mismatches().values("pk", "balance", "entries_total"))
        for row in mismatches:
            self.stderr.write(
                f"account {row['pk']}: balance {row['balance']} != entries {row['entries_total']}"
            )
        if mismatches:
            raise CommandError(f"{len(mismatches)} account(s) do not add up.")
        accounts, entries = ledger_size()
        self.stdout.write(
            self.style.SUCCESS(
                f"Every account adds up ({accounts:,} accounts, {entries:,} entries)."
            )
        )

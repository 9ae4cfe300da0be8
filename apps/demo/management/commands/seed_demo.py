from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from apps.campaigns.demo import demo_campaigns_ensure
from apps.challenges.demo import demo_challenges_ensure
from apps.consent.demo import demo_purposes_ensure
from apps.core.demo import demo_staff_ensure
from apps.insights.demo import demo_rollups_refresh
from apps.loyalty.demo import demo_loyalty_ensure
from apps.partners.demo import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_SHOP_KEY,
    demo_embed_origin_ensure,
    demo_partner_ensure,
    demo_shop_origin,
)
from apps.personalization.demo import (
    demo_offers_ensure,
    demo_population_ensure,
    demo_segments_ensure,
)
from apps.preferences.demo import demo_attributes_ensure


class Command(BaseCommand):
    help = "Create the demo data for a local run. Safe to run again: it changes nothing then."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even though DEBUG is off (never on a site with real customers).",
        )
        parser.add_argument(
            "--population",
            type=int,
            default=None,
            help="Synthetic customers with about 100 days of history (default: the "
            "DEMO_POPULATION setting, 3000); 0 for none.",
        )

    def handle(self, *args, allow_production: bool, population: int | None, **options) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError("seed_demo runs in demo mode only (DEBUG on).")
        purposes = demo_purposes_ensure()
        self.stdout.write(f"Consent purposes: {purposes} created.")
        attributes = demo_attributes_ensure()
        self.stdout.write(f"Preference attributes: {attributes} created.")
        loyalty = demo_loyalty_ensure()
        self.stdout.write(f"Tiers, earning rules and rewards: {loyalty} created.")
        campaigns = demo_campaigns_ensure()
        self.stdout.write(f"Live campaigns: {campaigns} created.")
        challenges = demo_challenges_ensure()
        self.stdout.write(f"Challenges and badges: {challenges} created.")
        segments = demo_segments_ensure() + demo_offers_ensure()
        self.stdout.write(f"Segments and offers: {segments} created.")
        partners = demo_partner_ensure()
        self.stdout.write(f"Partner shop (embedded sign-in, API): {partners} created.")
        allowed = demo_embed_origin_ensure()
        self.stdout.write(f"Partner shop's site allowed to embed campaigns: {allowed} created.")
        if population is None:
            population = settings.DEMO_POPULATION
        if population < 0:
            raise CommandError("--population must not be negative.")
        customers = demo_population_ensure(count=population)
        self.stdout.write(
            f"Synthetic customers with about 100 days of history: {customers} created."
        )
        days = demo_rollups_refresh(full=bool(customers))
        self.stdout.write(f"Insights rollups: {days} days brought up to date.")
        staff = demo_staff_ensure()
        state = "created" if staff.created else "already there, unchanged"
        self.stdout.write(self.style.SUCCESS(f"Demo staff account {state}."))
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(f"  Admin:    {site}{reverse('admin:index')}")
        self.stdout.write(f"  Username: {staff.username}")
        self.stdout.write(f"  Password: {staff.password}")
        self.stdout.write(
            f"  Second factor: the key {staff.totp_key} in an authenticator app, or one of the "
            f"backup codes {', '.join(staff.backup_codes)} (each works once)"
        )
        self.stdout.write(
            "  A shop customer arriving signed in: python manage.py embed_link "
            f"--partner {DEMO_SHOP_KEY} --customer 4711 --next /c/snack-typ/"
        )
        self.stdout.write(
            f"  Partner API: {site}{reverse('api-docs')}  (client id "
            f"{DEMO_CLIENT_ID}, secret {DEMO_CLIENT_SECRET})"
        )
        shop = demo_shop_origin()
        if shop:
            # Another host name, so the browser treats the shop as another site than ours.
            self.stdout.write(f"  A brand's shop embedding campaigns: {shop}{reverse('demo:shop')}")

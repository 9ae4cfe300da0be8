"""A demo shop that can send customers in signed in. Idempotent; demo mode only."""

from apps.partners.models import PartnerClient

DEMO_SHOP_KEY = "demo-shop"
# Demo data only: seed_demo refuses to run with DEBUG off.
DEMO_SHOP_SECRET = "demo-shop-shared-secret-for-embedded-sign-in"


def demo_partner_ensure() -> int:
    _partner, created = PartnerClient.objects.get_or_create(
        key=DEMO_SHOP_KEY,
        defaults={
            "name": "Demo-Shop",
            "contact_email": "technik@shop.example",
            "embed_algorithm": PartnerClient.EmbedAlgorithm.HS256,
            "embed_key": DEMO_SHOP_SECRET,
        },
    )
    return int(created)

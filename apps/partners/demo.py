"""A demo shop that sends customers in signed in and uses the partner API. Idempotent; demo
mode only."""

from urllib.parse import urlsplit

from django.conf import settings

from apps.consent.evidence import Evidence
from apps.consent.models import Channel, Purpose
from apps.consent.selectors import consent_is_granted
from apps.consent.services import consent_grant
from apps.partners.models import EmbedOrigin, PartnerClient, Scope
from apps.partners.services import embed_origin_save, oauth_client_create, partner_link_customer

DEMO_SHOP_KEY = "demo-shop"
# Demo data only: seed_demo refuses to run with DEBUG off.
DEMO_SHOP_SECRET = "demo-shop-shared-secret-for-embedded-sign-in"
DEMO_CLIENT_ID = "demo-shop"
DEMO_CLIENT_SECRET = "demo-shop-client-secret"
DEMO_CUSTOMER_ID = "4711"
DEMO_PURPOSES = ["partner_sharing", "personalization"]


def demo_partner_ensure() -> int:
    partner, created = PartnerClient.objects.get_or_create(
        key=DEMO_SHOP_KEY,
        defaults={
            "name": "Demo-Shop",
            "contact_email": "technik@shop.example",
            "embed_algorithm": PartnerClient.EmbedAlgorithm.HS256,
            "embed_key": DEMO_SHOP_SECRET,
            "scopes": list(Scope.values),
        },
    )
    if partner.application_id is None:
        partner.application = oauth_client_create(
            name=partner.name, client_secret=DEMO_CLIENT_SECRET, client_id=DEMO_CLIENT_ID
        )
        partner.save(update_fields=["application"])
        partner.allowed_purposes.set(Purpose.objects.filter(key__in=DEMO_PURPOSES))
    customer, _new = partner_link_customer(partner=partner, external_id=DEMO_CUSTOMER_ID)
    for purpose in Purpose.objects.filter(key__in=DEMO_PURPOSES).select_related("current_version"):
        if purpose.current_version and not consent_is_granted(
            profile=customer, purpose_key=purpose.key
        ):
            consent_grant(
                profile=customer,
                purpose_version=purpose.current_version,
                channel=Channel.WEB,
                collection_point="demo",
                evidence=Evidence(),
                language="de",
            )
    return int(created)


# THE DEMO SHOP'S OWN SITE ------------------------------------------------------------------
# The page at /demo/shop/ (apps/demo) plays the brand's site embedding our campaigns. Served by
# this same server under the other loopback name, it is another origin and another site to
# the browser, as a real brand's shop would be.
_OTHER_LOOPBACK_NAME = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}


def demo_shop_origin() -> str | None:
    """ "http://localhost:8000" for a site at http://127.0.0.1:8000 (and the other way round);
    None when the site runs under another name, where the demo shop cannot be another origin."""
    site = urlsplit(settings.SITE_URL)
    other = _OTHER_LOOPBACK_NAME.get(site.hostname or "")
    if other is None:
        return None
    return f"{site.scheme}://{other}" + (f":{site.port}" if site.port else "")


def demo_shop_seeded() -> bool:
    return PartnerClient.objects.filter(key=DEMO_SHOP_KEY).exists()


def demo_embed_origin_ensure() -> int:
    """Allows the demo shop's site to frame our pages."""
    origin = demo_shop_origin()
    partner = PartnerClient.objects.filter(key=DEMO_SHOP_KEY).first()
    if origin is None or partner is None or partner.embed_origins.filter(origin=origin).exists():
        return 0
    embed_origin_save(embed_origin=EmbedOrigin(partner=partner, origin=origin))
    return 1

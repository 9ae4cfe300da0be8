"""Saying "not interested" to an offer becomes a declared preference: the system attribute
`offers_not_interested` (one value per offer) and, for every customer who still grants
`personalization`, a declaration of the offers they declined. Declines of customers without
that grant are not carried over: they could not be stored as declarations today."""

from itertools import groupby

from django.db import migrations

ATTRIBUTE_KEY = "offers_not_interested"
PURPOSE_KEY = "personalization"
SOURCE = "offer_feedback"
BATCH_SIZE = 500


def not_interested_attribute(apps):
    """The system attribute with a value per offer; None while the purpose does not exist
    (the offer service makes it once the purpose is there)."""
    Attribute = apps.get_model("preferences", "Attribute")
    AttributeValue = apps.get_model("preferences", "AttributeValue")
    Offer = apps.get_model("personalization", "Offer")
    Purpose = apps.get_model("consent", "Purpose")

    purpose = Purpose.objects.filter(key=PURPOSE_KEY).first()
    if purpose is None:
        return None
    attribute, _created = Attribute.objects.get_or_create(
        key=ATTRIBUTE_KEY,
        defaults={
            "kind": "multiple_choice",
            "topic": "shopping",
            "purpose": purpose,
            "label_de": "Angebote, die dich nicht interessieren",
            "label_en": "Offers you are not interested in",
            "is_asked": False,
        },
    )
    stored = set(AttributeValue.objects.filter(attribute=attribute).values_list("key", flat=True))
    AttributeValue.objects.bulk_create(
        AttributeValue(
            attribute=attribute, key=offer.key, label_de=offer.title_de, label_en=offer.title_en
        )
        for offer in Offer.objects.exclude(key__in=stored)
    )
    return attribute


def declare_dismissals(apps, dismissals) -> int:
    """Turn (profile id, offer key, when) rows, ordered by profile, into declarations of the
    system attribute, each under the profile's latest grant of `personalization`. A profile
    without a current grant gets none. Returns how many declarations were written."""
    Attribute = apps.get_model("preferences", "Attribute")
    attribute = not_interested_attribute(apps)
    if attribute is None:
        return 0
    attribute = Attribute.objects.select_related("purpose").get(pk=attribute.pk)
    AttributeValue = apps.get_model("preferences", "AttributeValue")
    values = list(AttributeValue.objects.filter(attribute=attribute).order_by("position", "key"))
    order = {value.key: index for index, value in enumerate(values)}
    labels = {value.key: value.label_de for value in values}

    written = 0
    batch = []
    for profile_id, rows in groupby(dismissals, key=lambda row: row[0]):
        batch.append((profile_id, sorted(rows, key=lambda row: row[2])))
        if len(batch) == BATCH_SIZE:
            written += _declare_batch(apps, attribute, batch, order, labels)
            batch = []
    if batch:
        written += _declare_batch(apps, attribute, batch, order, labels)
    return written


def _declare_batch(apps, attribute, batch, order, labels) -> int:
    ConsentEvent = apps.get_model("consent", "ConsentEvent")
    ConsentState = apps.get_model("consent", "ConsentState")
    Declaration = apps.get_model("preferences", "Declaration")
    DeclarationHistory = apps.get_model("preferences", "DeclarationHistory")

    profile_ids = [profile_id for profile_id, _rows in batch]
    granted = set(
        ConsentState.objects.filter(
            profile_id__in=profile_ids, purpose=attribute.purpose, status="granted"
        ).values_list("profile_id", flat=True)
    )
    latest_grant = {}
    for event in ConsentEvent.objects.filter(
        profile_id__in=granted, purpose=attribute.purpose, action="grant"
    ).order_by("profile_id", "-occurred_at", "-id"):
        latest_grant.setdefault(event.profile_id, event)
    existing = {
        declaration.profile_id: declaration
        for declaration in Declaration.objects.filter(profile_id__in=granted, attribute=attribute)
    }

    written = 0
    for profile_id, rows in batch:
        grant = latest_grant.get(profile_id)
        if grant is None:
            continue
        declaration = existing.get(profile_id)
        keys = {key for _profile, key, _when in rows if key in order}
        if declaration is not None and isinstance(declaration.value, list):
            keys |= set(declaration.value)
        if not keys:
            continue
        _profile, last_key, last_at = rows[-1]
        action = "changed" if declaration is not None else "declared"
        if declaration is None:
            declaration = Declaration(profile_id=profile_id, attribute=attribute)
        declaration.value = sorted(keys, key=lambda key: order.get(key, len(order)))
        declaration.source = SOURCE
        declaration.source_ref = f"offer:{last_key}"
        declaration.source_label = labels.get(last_key, last_key)[:200]
        declaration.consent_event = grant
        declaration.declared_at = declaration.confirmed_at = last_at
        declaration.save()
        DeclarationHistory.objects.create(
            profile_id=profile_id,
            attribute=attribute,
            action=action,
            value=declaration.value,
            source=SOURCE,
            source_ref=declaration.source_ref,
            source_label=declaration.source_label,
            consent_event=grant,
            recorded_at=last_at,
        )
        written += 1
    return written


def forwards(apps, schema_editor):
    OfferDismissal = apps.get_model("personalization", "OfferDismissal")
    dismissals = (
        OfferDismissal.objects.order_by("profile_id", "created_at")
        .values_list("profile_id", "offer__key", "created_at")
        .iterator(chunk_size=2000)
    )
    declare_dismissals(apps, dismissals)


def backwards(apps, schema_editor):
    """The declarations stay (they are the customers' own record now); the dismissals they
    name come back so the older code hides the same offers."""
    Declaration = apps.get_model("preferences", "Declaration")
    Offer = apps.get_model("personalization", "Offer")
    OfferDismissal = apps.get_model("personalization", "OfferDismissal")
    offers = dict(Offer.objects.values_list("key", "pk"))
    declarations = Declaration.objects.filter(attribute__key=ATTRIBUTE_KEY).iterator()
    OfferDismissal.objects.bulk_create(
        (
            OfferDismissal(profile_id=d.profile_id, offer_id=offers[key], created_at=d.declared_at)
            for d in declarations
            for key in d.value
            if key in offers
        ),
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_append_only_triggers"),
        ("personalization", "0006_offer_invites_to_campaign"),
        ("preferences", "0004_attribute_is_asked_offer_feedback"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

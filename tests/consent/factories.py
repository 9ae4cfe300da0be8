import factory
from factory.django import DjangoModelFactory

from apps.consent.models import PURPOSE_WORDING_FIELDS, Purpose, PurposeVersion
from apps.consent.services import purpose_version_publish, purpose_version_save_draft
from apps.core.translated_fields import AVAILABLE_LANGUAGES


class PurposeFactory(DjangoModelFactory[Purpose]):
    class Meta:
        model = Purpose
        django_get_or_create = ["key"]

    key = factory.Sequence(lambda n: f"purpose_{n}")
    retention_days = 365


class PurposeVersionFactory(DjangoModelFactory[PurposeVersion]):
    """An unpublished draft; use `publish_new_version` for a published one."""

    class Meta:
        model = PurposeVersion

    purpose = factory.SubFactory(PurposeFactory)
    version = factory.Sequence(lambda n: n + 1)
    title_de = factory.LazyAttribute(lambda v: f"Zweck {v.purpose.key}")
    title_en = factory.LazyAttribute(lambda v: f"Purpose {v.purpose.key}")
    summary_de = "Kurz gesagt."
    summary_en = "In short."
    text_de = "Der vollständige Text."
    text_en = "The full text."

    # Wording is published only when written in every language: a language added in test
    # settings gets the German text unless the test writes its own.
    for _language in AVAILABLE_LANGUAGES:
        if _language not in ("de", "en"):
            for _field in PURPOSE_WORDING_FIELDS:
                vars()[f"{_field}_{_language}"] = factory.SelfAttribute(f"{_field}_de")


def publish_new_version(purpose: Purpose, *, is_material: bool = True, **text) -> PurposeVersion:
    draft = PurposeVersionFactory.build(purpose=purpose, is_material=is_material, **text)
    return purpose_version_publish(version=purpose_version_save_draft(version=draft))


def published_purpose(**purpose_fields) -> Purpose:
    purpose = PurposeFactory(**purpose_fields)
    publish_new_version(purpose)
    purpose.refresh_from_db()
    return purpose


def grant_consent(profile, purpose, *, collection_point: str = "preference-center"):
    """The customer agrees to the purpose's current wording, as from the web."""
    from apps.consent.evidence import Evidence
    from apps.consent.models import Channel
    from apps.consent.services import consent_grant

    purpose.refresh_from_db()
    return consent_grant(
        profile=profile,
        purpose_version=purpose.current_version,
        channel=Channel.WEB,
        collection_point=collection_point,
        evidence=Evidence(),
        language="de",
    )

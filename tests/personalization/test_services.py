import pytest

from apps.consent.models import Purpose
from apps.core.exceptions import ApplicationError
from apps.core.models import OutboxEvent
from apps.personalization.models import OFFERS_NOT_INTERESTED, Offer
from apps.personalization.services import offer_choice_sync, offer_dismiss, offer_save
from apps.preferences.models import Attribute, Declaration, DeclarationHistory, Source
from tests.consent.factories import grant_consent
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted_profile(purpose):
    profile = ProfileFactory()
    grant_consent(profile, purpose)
    return profile


def _offer(key: str, **fields) -> Offer:
    return offer_save(
        offer=Offer(key=key, title_de=f"{key} (de)", title_en=f"{key} (en)", **fields)
    )


def test_offer_save_makes_the_offer_a_value_of_the_system_attribute(purpose):
    _offer("vegan-box")

    attribute = Attribute.objects.get(key=OFFERS_NOT_INTERESTED)
    assert (attribute.kind, attribute.topic, attribute.purpose) == (
        Attribute.Kind.MULTIPLE_CHOICE,
        Attribute.Topic.SHOPPING,
        purpose,
    )
    assert (attribute.label_en, attribute.label_de) == (
        "Offers you are not interested in",
        "Angebote, die dich nicht interessieren",
    )
    assert not attribute.is_asked
    assert list(attribute.values.values_list("key", "label_de", "label_en")) == [
        ("vegan-box", "vegan-box (de)", "vegan-box (en)")
    ]


def test_offer_save_follows_a_new_title(purpose):
    offer = _offer("vegan-box")

    offer.title_en = "The vegan box"
    offer_save(offer=offer)

    attribute = Attribute.objects.get(key=OFFERS_NOT_INTERESTED)
    assert attribute.values.get().label_en == "The vegan box"


def test_offer_save_keeps_the_key(purpose):
    offer = _offer("vegan-box")

    offer.key = "renamed"
    with pytest.raises(ApplicationError):
        offer_save(offer=offer)


def test_offer_save_before_the_purpose_exists_saves_the_offer_only(db):
    _offer("vegan-box")

    assert Offer.objects.filter(key="vegan-box").exists()
    assert not Attribute.objects.exists()


def test_offer_choice_sync_covers_offers_made_before_the_purpose(db):
    Offer.objects.create(key="early", title_de="Früh", title_en="Early")
    assert offer_choice_sync() is None
    from tests.consent.factories import published_purpose

    published_purpose(key="personalization")

    attribute = offer_choice_sync()

    assert list(attribute.values.values_list("key", flat=True)) == ["early"]


def test_offer_dismiss_declares_with_provenance_and_consent(granted_profile, english):
    offer = _offer("vegan-box")

    declaration = offer_dismiss(profile=granted_profile, offer=offer)

    assert declaration.value == ["vegan-box"]
    assert (declaration.source, declaration.source_ref, declaration.source_label) == (
        Source.OFFER_FEEDBACK,
        "offer:vegan-box",
        "vegan-box (en)",
    )
    assert declaration.consent_event.purpose.key == "personalization"
    assert declaration.source_sentence.startswith(
        "when you said “not interested” to “vegan-box (en)” on "
    )
    assert DeclarationHistory.objects.get().action == DeclarationHistory.Action.DECLARED
    assert OutboxEvent.objects.filter(name="preference.declared").exists()


def test_offer_dismiss_adds_to_what_was_declined_before(granted_profile):
    first, second = _offer("vegan-box"), _offer("meat-box")
    offer_dismiss(profile=granted_profile, offer=first)

    declaration = offer_dismiss(profile=granted_profile, offer=second)

    assert sorted(declaration.value) == ["meat-box", "vegan-box"]
    assert declaration.source_ref == "offer:meat-box"
    assert list(DeclarationHistory.objects.order_by("id").values_list("action", flat=True)) == [
        "declared",
        "changed",
    ]


def test_offer_dismiss_twice_confirms_instead_of_changing(granted_profile):
    offer = _offer("vegan-box")
    offer_dismiss(profile=granted_profile, offer=offer)

    offer_dismiss(profile=granted_profile, offer=offer)

    assert Declaration.objects.get().value == ["vegan-box"]
    assert list(DeclarationHistory.objects.order_by("id").values_list("action", flat=True)) == [
        "declared",
        "confirmed",
    ]


def test_offer_dismiss_without_personalization_stores_nothing(profile, purpose, english):
    offer = _offer("vegan-box")

    with pytest.raises(ApplicationError, match="first agree to “Purpose personalization”"):
        offer_dismiss(profile=profile, offer=offer)

    assert not Declaration.objects.exists()
    assert not DeclarationHistory.objects.exists()


def test_offer_dismiss_without_the_purpose_at_all_stores_nothing(profile, english):
    offer = Offer.objects.create(key="vegan-box", title_de="V", title_en="V")

    with pytest.raises(ApplicationError, match="personalised offers"):
        offer_dismiss(profile=profile, offer=offer)

    assert not Attribute.objects.exists()
    assert not Purpose.objects.exists()


def test_offer_dismiss_makes_the_attribute_on_first_use(granted_profile):
    offer = Offer.objects.create(key="vegan-box", title_de="V", title_en="V")

    declaration = offer_dismiss(profile=granted_profile, offer=offer)

    assert declaration.attribute.key == OFFERS_NOT_INTERESTED
    assert list(declaration.attribute.values.values_list("key", flat=True)) == ["vegan-box"]


def test_the_demo_offers_can_be_declined(db):
    from apps.consent.demo import demo_purposes_ensure
    from apps.personalization.demo import OFFERS, demo_offers_ensure
    from apps.preferences.demo import demo_attributes_ensure

    demo_purposes_ensure()
    demo_attributes_ensure()

    demo_offers_ensure()

    attribute = Attribute.objects.get(key=OFFERS_NOT_INTERESTED)
    assert {key for key, *_rest in OFFERS} <= set(attribute.values.values_list("key", flat=True))

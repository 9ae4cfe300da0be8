"""A realistic vocabulary for the demo brand: what customers can tell it. Idempotent."""

from django.db import transaction

from apps.consent.models import Purpose, PurposeVersion
from apps.consent.services import purpose_save, purpose_version_publish, purpose_version_save_draft
from apps.preferences.models import Attribute, AttributeValue
from apps.preferences.services import attribute_save, attribute_value_save

K = Attribute.Kind
T = Attribute.Topic

HEALTH_PURPOSE = {
    "key": "health_personalization",
    "retention_days": 365,
    "allows_special_category": True,
    "title_de": "Ernährung aus gesundheitlichen Gründen",
    "title_en": "Diet for health reasons",
    "summary_de": "Du erlaubst uns ausdrücklich, Gesundheitsangaben für passende Produkte zu nutzen.",
    "summary_en": "You explicitly allow us to use health details to suggest suitable products.",
    "text_de": (
        "Ich willige ausdrücklich ein, dass die Angaben zu Unverträglichkeiten und Ernährung aus "
        "gesundheitlichen Gründen (Gesundheitsdaten nach Art. 9 DSGVO) genutzt werden, um mir "
        "passende Produkte zu zeigen. Sie werden nie an Partner weitergegeben und nach einem "
        "Jahr gelöscht. Ich kann die Einwilligung jederzeit widerrufen."
    ),
    "text_en": (
        "I explicitly consent to my details about intolerances and diet for health reasons "
        "(health data under Art. 9 GDPR) being used to show me suitable products. They are never "
        "shared with partners and are deleted after one year. I can withdraw at any time."
    ),
}

# key, kind, topic, purpose, label_de, label_en, freshness_days, extra, values
VOCABULARY = [
    (
        "favourite_category",
        K.SINGLE_CHOICE,
        T.TASTE,
        "personalization",
        "Lieblingskategorie",
        "Favourite category",
        365,
        {},
        [
            ("sweet", "Süß", "Sweet"),
            ("savory", "Herzhaft", "Savoury"),
            ("fresh", "Frisch und leicht", "Fresh and light"),
            ("spicy", "Scharf", "Spicy"),
        ],
    ),
    (
        "style",
        K.MULTIPLE_CHOICE,
        T.TASTE,
        "personalization",
        "Dein Stil",
        "Your style",
        365,
        {},
        [
            ("classic", "Klassisch", "Classic"),
            ("sporty", "Sportlich", "Sporty"),
            ("minimal", "Minimalistisch", "Minimal"),
            ("bold", "Auffällig", "Bold"),
        ],
    ),
    (
        "sizes",
        K.MULTIPLE_CHOICE,
        T.SHOPPING,
        "personalization",
        "Deine Größen",
        "Your sizes",
        180,
        {},
        [("xs", "XS", "XS"), ("s", "S", "S"), ("m", "M", "M"), ("l", "L", "L"), ("xl", "XL", "XL")],
    ),
    (
        "budget",
        K.SCALE,
        T.SHOPPING,
        "personalization",
        "Budget pro Einkauf (1 = klein, 5 = groß)",
        "Budget per purchase (1 = small, 5 = large)",
        180,
        {"min_value": 1, "max_value": 5},
        [],
    ),
    (
        "birthday",
        K.DATE,
        T.SHOPPING,
        "personalization",
        "Geburtstag (für eine Überraschung)",
        "Birthday (for a surprise)",
        None,
        {},
        [],
    ),
    (
        "diet",
        K.SINGLE_CHOICE,
        T.FOOD,
        "personalization",
        "Ernährungsweise",
        "Diet",
        365,
        {},
        [
            ("omnivore", "Alles", "Everything"),
            ("vegetarian", "Vegetarisch", "Vegetarian"),
            ("vegan", "Vegan", "Vegan"),
            ("pescatarian", "Pescetarisch", "Pescatarian"),
        ],
    ),
    (
        "intolerances",
        K.MULTIPLE_CHOICE,
        T.WELLBEING,
        "health_personalization",
        "Unverträglichkeiten",
        "Intolerances",
        365,
        {"is_special_category": True},
        [
            ("lactose", "Laktose", "Lactose"),
            ("gluten", "Gluten", "Gluten"),
            ("nuts", "Nüsse", "Nuts"),
        ],
    ),
    (
        "preferred_channel",
        K.SINGLE_CHOICE,
        T.COMMUNICATION,
        "email_marketing",
        "Bevorzugter Kanal",
        "Preferred channel",
        None,
        {},
        [("email", "E-Mail", "E-mail"), ("app", "App-Nachricht", "App message")],
    ),
    (
        "newsletter_topics",
        K.MULTIPLE_CHOICE,
        T.COMMUNICATION,
        "email_marketing",
        "Newsletter-Themen",
        "Newsletter topics",
        365,
        {},
        [
            ("offers", "Angebote", "Offers"),
            ("recipes", "Rezepte", "Recipes"),
            ("news", "Neuheiten", "New products"),
        ],
    ),
    (
        "contact_frequency",
        K.SINGLE_CHOICE,
        T.COMMUNICATION,
        "email_marketing",
        "Wie oft dürfen wir schreiben?",
        "How often may we write?",
        365,
        {},
        [("weekly", "Wöchentlich", "Weekly"), ("monthly", "Monatlich", "Monthly")],
    ),
    (
        "mood",
        K.SCALE,
        T.OPINIONS,
        "research",
        "Stimmung heute (1 = 😞, 5 = 😄)",
        "Mood today (1 = 😞, 5 = 😄)",
        7,
        {"min_value": 1, "max_value": 5},
        [],
    ),
    (
        "recommend_score",
        K.SCALE,
        T.OPINIONS,
        "research",
        "Wie wahrscheinlich empfiehlst du uns weiter? (0 bis 10)",
        "How likely are you to recommend us? (0 to 10)",
        90,
        {"min_value": 0, "max_value": 10},
        [],
    ),
    (
        "product_wish",
        K.TEXT,
        T.OPINIONS,
        "research",
        "Welches Produkt wünschst du dir?",
        "Which product do you wish for?",
        180,
        {"max_length": 280},
        [],
    ),
    (
        "shopping_frequency",
        K.SINGLE_CHOICE,
        T.SHOPPING,
        "partner_sharing",
        "Wie oft kaufst du bei Partnershops?",
        "How often do you shop at partner shops?",
        180,
        {},
        [
            ("weekly", "Wöchentlich", "Weekly"),
            ("monthly", "Monatlich", "Monthly"),
            ("rarely", "Selten", "Rarely"),
        ],
    ),
    (
        # A lead: counts for sales for 30 days, less each day (see personalization's leads).
        "expert_talk_requested",
        K.SINGLE_CHOICE,
        T.COMMUNICATION,
        "sales_contact",
        "Gespräch mit einer Expertin gewünscht",
        "Would like to talk to an expert",
        None,
        {"intent_horizon_days": 30},
        [("yes", "Ja", "Yes")],
    ),
]

VERSION_FIELDS = ["title_de", "title_en", "summary_de", "summary_en", "text_de", "text_en"]


def _ensure_health_purpose() -> None:
    if Purpose.objects.filter(key=HEALTH_PURPOSE["key"]).exists():
        return
    settings = {k: v for k, v in HEALTH_PURPOSE.items() if k not in VERSION_FIELDS}
    purpose = purpose_save(purpose=Purpose(position=10, **settings))
    version = purpose_version_save_draft(
        version=PurposeVersion(purpose=purpose, **{k: HEALTH_PURPOSE[k] for k in VERSION_FIELDS})
    )
    purpose_version_publish(version=version)


@transaction.atomic
def demo_attributes_ensure() -> int:
    """Create each missing attribute with its values; existing ones stay untouched."""
    _ensure_health_purpose()
    purposes = {p.key: p for p in Purpose.objects.all()}
    created = 0
    for position, (key, kind, topic, purpose, de, en, fresh, extra, values) in enumerate(
        VOCABULARY
    ):
        if Attribute.objects.filter(key=key).exists():
            continue
        attribute = attribute_save(
            attribute=Attribute(
                key=key,
                kind=kind,
                topic=topic,
                purpose=purposes[purpose],
                label_de=de,
                label_en=en,
                freshness_days=fresh,
                position=position,
                **extra,
            )
        )
        for i, (v, vde, ven) in enumerate(values):
            attribute_value_save(
                value=AttributeValue(
                    attribute=attribute, key=v, label_de=vde, label_en=ven, position=i
                )
            )
        created += 1
    return created

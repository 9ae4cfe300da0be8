"""The purposes a new brand starts with, in German and English. Idempotent."""

from django.db import transaction

from apps.consent.models import Purpose, PurposeVersion
from apps.consent.services import purpose_save, purpose_version_publish, purpose_version_save_draft

DEMO_PURPOSES = [
    {
        "key": "personalization",
        "retention_days": 730,
        "title_de": "Persönliche Empfehlungen",
        "title_en": "Personal recommendations",
        "summary_de": "Wir nutzen deine Antworten, um dir passende Angebote und Inhalte zu zeigen.",
        "summary_en": "We use your answers to show you offers and content that fit you.",
        "text_de": (
            "Wenn du zustimmst, nutzen wir die Vorlieben, die du uns in Quizzen, Umfragen und "
            "im Präferenzcenter mitteilst, um dir passende Angebote, Empfehlungen und Inhalte "
            "zu zeigen. Wir speichern diese Angaben bis zu zwei Jahre nach deiner letzten "
            "Bestätigung. Du kannst deine Zustimmung jederzeit mit einem Klick widerrufen."
        ),
        "text_en": (
            "If you agree, we use the preferences you tell us in quizzes, polls and the "
            "preference center to show you offers, recommendations and content that fit you. "
            "We keep them for up to two years after you last confirmed them. You can withdraw "
            "your consent at any time with one click."
        ),
    },
    {
        "key": "email_marketing",
        "retention_days": 730,
        "requires_double_opt_in": True,
        "title_de": "Newsletter per E-Mail",
        "title_en": "E-mail newsletter",
        "summary_de": "Wir schicken dir Neuigkeiten und Angebote per E-Mail, höchstens einmal pro Woche.",
        "summary_en": "We send you news and offers by e-mail, at most once a week.",
        "text_de": (
            "Wenn du zustimmst, senden wir dir höchstens einmal pro Woche Neuigkeiten und "
            "Angebote an die E-Mail-Adresse, die du bestätigst. Jede E-Mail enthält einen Link "
            "zum Abmelden."
        ),
        "text_en": (
            "If you agree, we send news and offers at most once a week to the e-mail address you "
            "confirm. Every e-mail has a link to unsubscribe."
        ),
    },
    {
        "key": "partner_sharing",
        "retention_days": 365,
        "is_sale_or_share": True,
        "title_de": "Weitergabe an Partner",
        "title_en": "Sharing with partners",
        "summary_de": "Wir geben deine Vorlieben an ausgewählte Partnershops weiter.",
        "summary_en": "We share your preferences with selected partner shops.",
        "text_de": (
            "Wenn du zustimmst, geben wir deine erklärten Vorlieben (nie deine Kontaktdaten) an "
            "die Partnershops weiter, die in unserer Datenschutzerklärung genannt sind, damit "
            "sie dir passende Angebote machen können."
        ),
        "text_en": (
            "If you agree, we share your declared preferences (never your contact details) with "
            "the partner shops named in our privacy policy so they can make you offers that fit."
        ),
    },
    {
        "key": "leaderboard",
        "retention_days": 365,
        "title_de": "Bestenliste",
        "title_en": "Leaderboard",
        "summary_de": "Dein Spitzname und deine Punkte erscheinen in der öffentlichen Bestenliste.",
        "summary_en": "Your nickname and points appear on the public leaderboard.",
        "text_de": (
            "Wenn du zustimmst, zeigen wir deinen Spitznamen und deine Punktzahl in der "
            "Bestenliste, die alle Besucher sehen können."
        ),
        "text_en": (
            "If you agree, we show your nickname and your points on the leaderboard that every "
            "visitor can see."
        ),
    },
    {
        "key": "research",
        "retention_days": 365,
        "title_de": "Marktforschung",
        "title_en": "Market research",
        "summary_de": "Deine Antworten fließen anonymisiert in Auswertungen für neue Produkte ein.",
        "summary_en": "Your answers feed, anonymised, into analyses for new products.",
        "text_de": (
            "Wenn du zustimmst, werten wir deine Antworten zusammen mit denen anderer aus, um "
            "neue Produkte zu entwickeln. Ergebnisse zeigen nie Gruppen mit weniger als fünf "
            "Personen."
        ),
        "text_en": (
            "If you agree, we analyse your answers together with others' to develop new "
            "products. Results never show groups of fewer than five people."
        ),
    },
    {
        "key": "sales_contact",
        "retention_days": 90,
        "title_de": "Gespräch mit einer Expertin",
        "title_en": "A talk with an expert",
        "summary_de": "Eine Expertin meldet sich bei dir, um über dein Ergebnis zu sprechen.",
        "summary_en": "An expert gets in touch to talk with you about your result.",
        "text_de": (
            "Wenn du zustimmst, merken wir uns, dass du ein Gespräch mit einer Expertin "
            "wünschst. Sie meldet sich innerhalb von 30 Tagen über die Kontaktdaten deines "
            "Kontos bei dir und darf dafür dein Ergebnis des Checks sehen. Nach 90 Tagen "
            "löschen wir den Wunsch. Du kannst jederzeit mit einem Klick widerrufen."
        ),
        "text_en": (
            "If you agree, we note that you would like to talk to an expert. She gets in touch "
            "within 30 days using your account's contact details and may see your check's "
            "result for it. We delete the request after 90 days. You can withdraw at any time "
            "with one click."
        ),
    },
]

VERSION_FIELDS = ["title_de", "title_en", "summary_de", "summary_en", "text_de", "text_en"]


@transaction.atomic
def demo_purposes_ensure() -> int:
    """Create and publish each missing demo purpose; existing ones stay untouched."""
    created = 0
    for position, spec in enumerate(DEMO_PURPOSES):
        if Purpose.objects.filter(key=spec["key"]).exists():
            continue
        settings = {k: v for k, v in spec.items() if k not in VERSION_FIELDS}
        purpose = purpose_save(purpose=Purpose(position=position, **settings))
        version = purpose_version_save_draft(
            version=PurposeVersion(purpose=purpose, **{k: spec[k] for k in VERSION_FIELDS})
        )
        purpose_version_publish(version=version)
        created += 1
    return created

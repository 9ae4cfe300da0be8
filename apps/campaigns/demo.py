"""Live demo campaigns in German and English. Idempotent."""

from django.db import transaction

from apps.campaigns.demo_assessments import (
    CUSTOMER_FOCUS,
    MARKETING_CONFIDENCE,
    demo_score_bands_ensure,
    demo_score_tallies_ensure,
)
from apps.campaigns.models import Campaign, Option, Outcome, Question
from apps.campaigns.services import (
    campaign_publish,
    campaign_set_hero_image,
    option_tallies_add,
    outcome_set_image,
)
from apps.consent.models import Purpose
from apps.core.demo import demo_artwork
from apps.preferences.models import Attribute

TRIVIA = {
    "slug": "snack-wissen",
    "theme": "#c2410c",
    "kind": Campaign.Kind.TRIVIA,
    "title": ("Snack-Wissen: 3 Fragen", "Snack trivia: 3 questions"),
    "intro": (
        "Teste dein Wissen rund um Snacks und sammle Punkte.",
        "Test what you know about snacks and collect points.",
    ),
    "questions": [
        (
            "Woraus wird Popcorn gemacht?",
            "What is popcorn made from?",
            "single",
            [
                ("Mais", "Corn", True, None),
                ("Reis", "Rice", False, None),
                ("Weizen", "Wheat", False, None),
            ],
            (
                "Popcorn ist eine eigene Maissorte, der Puffmais: Beim Erhitzen wird das Wasser "
                "im Korn zu Dampf, bis die harte Schale platzt.",
                "Popcorn is a corn of its own, popcorn maize: when heated, the water inside the "
                "kernel turns to steam until the hard hull bursts.",
            ),
        ),
        (
            "Welches Land isst die meisten Chips pro Kopf?",
            "Which country eats the most crisps per person?",
            "single",
            [
                ("Großbritannien", "United Kingdom", True, None),
                ("Italien", "Italy", False, None),
                ("Japan", "Japan", False, None),
            ],
            (
                "Chips, dort „crisps“ genannt, gehören in Großbritannien zu vielen Mittagessen: "
                "Pro Kopf wird dort weit mehr davon gegessen als in Italien oder Japan.",
                "In Britain crisps are part of many a lunch: per person, far more of them are "
                "eaten there than in Italy or Japan.",
            ),
        ),
        # An opinion: no answer is marked right, so it counts towards no score.
        (
            "Und du: Was magst du lieber?",
            "And you: what do you prefer?",
            "single",
            [
                ("Herzhaft", "Savoury", None, ("favourite_category", "savory")),
                ("Süß", "Sweet", None, ("favourite_category", "sweet")),
            ],
        ),
    ],
}

PERSONALITY = {
    "slug": "snack-typ",
    "theme": "#be185d",
    "kind": Campaign.Kind.PERSONALITY,
    "title": ("Welcher Snack-Typ bist du?", "Which snack type are you?"),
    "intro": ("Drei Fragen, ein Ergebnis.", "Three questions, one result."),
    "outcomes": [
        (
            "crunchy",
            "Der Knusper-Fan",
            "The crunch fan",
            "Du liebst es herzhaft und laut.",
            "You love it savoury and loud.",
        ),
        (
            "sweet",
            "Das Naschkätzchen",
            "The sweet tooth",
            "Schokolade ist dein bester Freund.",
            "Chocolate is your best friend.",
        ),
    ],
    "questions": [
        (
            "Dein perfekter Filmabend?",
            "Your perfect movie night?",
            "single",
            [
                (
                    "Chips und Action",
                    "Crisps and action",
                    "crunchy",
                    ("favourite_category", "savory"),
                ),
                (
                    "Schokolade und Romanze",
                    "Chocolate and romance",
                    "sweet",
                    ("favourite_category", "sweet"),
                ),
            ],
        ),
        (
            "Wie isst du am liebsten?",
            "How do you like to eat?",
            "single",
            [
                ("Vegetarisch", "Vegetarian", "sweet", ("diet", "vegetarian")),
                ("Alles", "Everything", "crunchy", ("diet", "omnivore")),
            ],
        ),
        (
            "Welcher Stil passt zu dir?",
            "Which style suits you?",
            "multiple",
            [
                ("Sportlich", "Sporty", "crunchy", ("style", "sporty")),
                ("Klassisch", "Classic", "sweet", ("style", "classic")),
            ],
        ),
    ],
}

POLL = {
    "slug": "sommer-sorte",
    "theme": "#1d4ed8",
    "kind": Campaign.Kind.POLL,
    "title": ("Umfrage: Die Sommersorte", "Poll: the summer flavour"),
    "intro": ("Stimm ab und sieh, was die anderen wollen.", "Vote and see what others want."),
    "questions": [
        (
            "Welche Sorte soll es diesen Sommer geben?",
            "Which flavour should we make this summer?",
            "single",
            [
                ("Zitrone-Minze", "Lemon mint", None, None),
                ("Mango-Chili", "Mango chilli", None, None),
                ("Himbeere", "Raspberry", None, None),
            ],
        ),
    ],
    # Votes cast before the demo starts, per question in order, so the result shows at once.
    "votes": [(11, 7, 5)],
}


NPS = {
    "slug": "weiterempfehlen",
    "theme": "#15803d",
    "kind": Campaign.Kind.SURVEY,
    "title": ("Würdest du uns weiterempfehlen?", "Would you recommend us?"),
    "intro": ("Eine Frage, zehn Sekunden.", "One question, ten seconds."),
    # Asked again each quarter, so the score can move.
    "repeat_after_days": 90,
    "scale_labels": (
        ("gar nicht wahrscheinlich", "not at all likely"),
        ("äußerst wahrscheinlich", "extremely likely"),
    ),
    "questions": [
        (
            "Wie wahrscheinlich ist es, dass du uns weiterempfiehlst?",
            "How likely are you to recommend us?",
            "scale",
            (0, 10, "", "recommend_score"),
        ),
    ],
}

DAILY_QUESTION = {
    "slug": "tagesfrage",
    "theme": "#0f766e",
    "kind": Campaign.Kind.POLL,
    "title": ("Die Tagesfrage", "The question of the day"),
    "intro": (
        "Jeden Tag eine Frage. Wer dranbleibt, baut eine Serie auf.",
        "One question a day. Keep at it and build a streak.",
    ),
    "repeat_after_days": 1,
    "questions": [
        (
            "Süß oder herzhaft: Was passt heute besser?",
            "Sweet or savoury: what fits today better?",
            "single",
            [
                ("Süß", "Sweet", None, None),
                ("Herzhaft", "Savoury", None, None),
            ],
        ),
    ],
    "votes": [(8, 6)],
}

MOOD = {
    "slug": "stimmung",
    "theme": "#7c3aed",
    "kind": Campaign.Kind.SURVEY,
    "title": ("Wie ist deine Snack-Laune?", "How is your snack mood?"),
    "intro": ("Ein Klick auf ein Gesicht genügt.", "One tap on a face is enough."),
    # Asked again each month, so the mood over time has a shape.
    "repeat_after_days": 30,
    "questions": [
        (
            "Wie zufrieden bist du gerade mit unseren Snacks?",
            "How happy are you with our snacks right now?",
            "mood",
            [],
        ),
    ],
}


def _create(spec: dict, position: int) -> None:
    campaign = Campaign.objects.create(
        slug=spec["slug"],
        kind=spec["kind"],
        title_de=spec["title"][0],
        title_en=spec["title"][1],
        intro_de=spec["intro"][0],
        intro_en=spec["intro"][1],
        theme_brand=spec["theme"],
        repeat_after_days=spec.get("repeat_after_days"),
        position=position,
    )
    outcomes = {
        key: Outcome.objects.create(
            campaign=campaign,
            key=key,
            title_de=de,
            title_en=en,
            text_de=tde,
            text_en=ten,
            # Every snack type is invited to the next game.
            next_step_label_de="Weiter zum Snack-Wissen-Quiz",
            next_step_label_en="On to the snack trivia",
            next_step_url=f"/c/{TRIVIA['slug']}/",
        )
        for key, de, en, tde, ten in spec.get("outcomes", [])
    }
    purposes = set()
    (low_de, low_en), (high_de, high_en) = spec.get("scale_labels", (("", ""), ("", "")))
    votes = iter(spec.get("votes", []))
    tallies: dict[int, int] = {}
    for position, (de, en, kind, options, *explained) in enumerate(spec["questions"], 1):
        explanation_de, explanation_en = explained[0] if explained else ("", "")
        if kind == "scale":
            low, high, dimension, attribute_key = options
            dimension_de, dimension_en = dimension or ("", "")
            attribute = Attribute.objects.get(key=attribute_key) if attribute_key else None
            if attribute:
                purposes.add(attribute.purpose_id)
            Question.objects.create(
                campaign=campaign,
                position=position,
                kind=kind,
                text_de=de,
                text_en=en,
                scale_min=low,
                scale_max=high,
                dimension_de=dimension_de,
                dimension_en=dimension_en,
                attribute=attribute,
                scale_label_low_de=low_de,
                scale_label_low_en=low_en,
                scale_label_high_de=high_de,
                scale_label_high_en=high_en,
            )
            continue
        question = Question.objects.create(
            campaign=campaign,
            position=position,
            kind=kind,
            text_de=de,
            text_en=en,
            explanation_de=explanation_de,
            explanation_en=explanation_en,
        )
        counts = next(votes, ())
        for option_position, (label_de, label_en, marker, tells) in enumerate(options):
            attribute = Attribute.objects.get(key=tells[0]) if tells else None
            if attribute:
                purposes.add(attribute.purpose_id)
            option = Option.objects.create(
                question=question,
                position=option_position,
                label_de=label_de,
                label_en=label_en,
                is_correct=marker is True,
                outcome=outcomes.get(marker) if isinstance(marker, str) else None,
                attribute=attribute,
                attribute_value=tells[1] if tells else "",
            )
            if option_position < len(counts):
                tallies[option.pk] = counts[option_position]
    option_tallies_add(counts=tallies)
    campaign.purposes.set(Purpose.objects.filter(pk__in=purposes))
    campaign_set_hero_image(
        campaign=campaign, upload=demo_artwork(spec["theme"], (1200, 600), spec["slug"])
    )
    for outcome in outcomes.values():
        outcome_set_image(
            outcome=outcome, upload=demo_artwork(spec["theme"], (600, 600), outcome.key)
        )
    campaign_publish(campaign=campaign)


@transaction.atomic
def demo_campaigns_ensure() -> int:
    created = 0
    for position, spec in enumerate(
        (
            TRIVIA,
            PERSONALITY,
            POLL,
            NPS,
            CUSTOMER_FOCUS,
            DAILY_QUESTION,
            MARKETING_CONFIDENCE,
            MOOD,
        )
    ):
        if not Campaign.objects.filter(slug=spec["slug"]).exists():
            _create(spec, position)
            created += 1
    demo_score_bands_ensure()
    demo_score_tallies_ensure()
    return created

"""The customer focus check: five areas, one statement each, with bands."""

from decimal import Decimal

from apps.campaigns.demo_assessments.marketing_confidence import statement
from apps.campaigns.models import Campaign

CUSTOMER_FOCUS = {
    "slug": "kundenfokus-check",
    "theme": "#5b21b6",
    "kind": Campaign.Kind.SURVEY,
    "title": ("Wie kundenorientiert ist dein Team?", "How customer-centric is your team?"),
    "intro": (
        "Fünf Bereiche, je eine Frage von 1 (gar nicht) bis 5 (voll und ganz).",
        "Five areas, one question each from 1 (not at all) to 5 (fully).",
    ),
    "scale_labels": (
        ("trifft gar nicht zu", "not at all"),
        ("trifft voll und ganz zu", "fully"),
    ),
    "questions": [
        statement(
            "Wir fragen unsere Kunden regelmäßig nach ihrer Meinung.",
            "We ask our customers for their opinion regularly.",
            ("Zuhören", "Listening"),
        ),
        statement(
            "Wir wissen, was unseren Kunden wichtig ist.",
            "We know what matters to our customers.",
            ("Verstehen", "Understanding"),
        ),
        statement(
            "Wir reagieren schnell auf Feedback.",
            "We act quickly on feedback.",
            ("Handeln", "Acting"),
        ),
        statement(
            "Jede Abteilung kennt ihren Beitrag zum Kundenerlebnis.",
            "Every team knows its part in the customer experience.",
            ("Teamwork", "Teamwork"),
        ),
        statement(
            "Wir messen Kundenzufriedenheit und handeln danach.",
            "We measure customer satisfaction and act on it.",
            ("Messen", "Measuring"),
        ),
    ],
}

STARTING = (Decimal("1.0"), "Am Anfang", "Getting started")
ON_THE_WAY = (Decimal("2.5"), "Auf dem Weg", "On the way")
EXEMPLARY = (Decimal("4.0"), "Vorbildlich", "Exemplary")

CUSTOMER_FOCUS_BANDS = [
    (
        "",
        STARTING,
        (
            "Eure Kunden kommen im Alltag noch selten zu Wort.",
            "Your customers rarely get a say in everyday work yet.",
        ),
        (
            "Fragt diese Woche fünf Kunden, was sie an euch schätzen und was nervt.",
            "This week, ask five customers what they value about you and what annoys them.",
        ),
    ),
    (
        "",
        ON_THE_WAY,
        (
            "Ihr hört zu; jetzt muss daraus regelmäßig etwas folgen.",
            "You listen; now it must regularly lead to something.",
        ),
        (
            "Setzt jeden Monat eine Verbesserung um, die Kunden vorgeschlagen haben.",
            "Every month, put one improvement customers suggested into practice.",
        ),
    ),
    (
        "",
        EXEMPLARY,
        (
            "Kundenorientierung gehört bei euch zum Alltag.",
            "Customer focus is part of your everyday work.",
        ),
        (
            "Erzählt euren Kunden, was ihr dank ihres Feedbacks geändert habt.",
            "Tell your customers what you changed thanks to their feedback.",
        ),
    ),
    *[
        (
            dimension,
            band,
            texts,
            steps,
        )
        for dimension, low, mid, high in [
            (
                "Zuhören",
                ("Ihr fragt selten nach.", "You rarely ask."),
                ("Ihr fragt, aber nicht regelmäßig.", "You ask, but not regularly."),
                ("Ihr fragt regelmäßig.", "You ask regularly."),
            ),
            (
                "Verstehen",
                ("Was Kunden wichtig ist, bleibt eine Vermutung.", "What matters is a guess."),
                ("Ihr kennt einiges, aber nicht alles.", "You know some of it, not all."),
                ("Ihr wisst, was zählt.", "You know what counts."),
            ),
            (
                "Handeln",
                ("Feedback bleibt oft liegen.", "Feedback often stays unanswered."),
                ("Ihr handelt, aber langsam.", "You act, but slowly."),
                ("Ihr handelt schnell.", "You act quickly."),
            ),
            (
                "Teamwork",
                ("Kunden sind Sache einer Abteilung.", "Customers are one team's job."),
                ("Einige Teams ziehen mit.", "Some teams join in."),
                ("Alle ziehen an einem Strang.", "Everyone pulls together."),
            ),
            (
                "Messen",
                ("Zufriedenheit wird nicht gemessen.", "Satisfaction is not measured."),
                ("Ihr messt, handelt aber selten danach.", "You measure but rarely act on it."),
                ("Ihr messt und handelt danach.", "You measure and act on it."),
            ),
        ]
        for band, texts, steps in [
            (
                STARTING,
                low,
                (
                    "Nehmt euch diesen Bereich als Erstes vor.",
                    "Make this area your first step.",
                ),
            ),
            (
                ON_THE_WAY,
                mid,
                (
                    "Macht daraus eine feste Gewohnheit.",
                    "Turn it into a fixed habit.",
                ),
            ),
            (
                EXEMPLARY,
                high,
                (
                    "Teilt, wie ihr das macht, mit den anderen Teams.",
                    "Share how you do it with the other teams.",
                ),
            ),
        ]
    ],
]

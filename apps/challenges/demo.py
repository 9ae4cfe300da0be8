"""Three challenges (a streak, a hidden one, a monthly one) and five badges. Idempotent."""

from django.db import transaction

from apps.challenges.models import Challenge, ChallengeStep
from apps.challenges.services import challenge_save
from apps.core.demo import demo_artwork
from apps.loyalty.models import Badge, Tier
from apps.loyalty.services import badge_save

BADGES = [
    # key, German, English, colour, hidden, tier key, challenges completed
    ("erste-challenge", "Erste Challenge", "First challenge", "#2563eb", False, None, 1),
    ("drei-challenges", "Dreifach stark", "Three times strong", "#7c3aed", False, None, 3),
    ("sieben-tage", "Sieben Tage am Stück", "Seven days in a row", "#0f766e", False, None, None),
    ("entdecker", "Entdeckerin", "Explorer", "#c2410c", True, None, None),
    ("silber-status", "Silberstatus", "Silver status", "#64748b", False, "silver", None),
]

CHALLENGES = [
    {
        "slug": "tagesfrage-serie",
        "title": ("Sieben Tage Tagesfrage", "Seven days of daily questions"),
        "description": (
            "Beantworte die Tagesfrage sieben Tage hintereinander. Einen Tag Pause verzeihen wir.",
            "Answer the question of the day seven days in a row. We forgive one day off.",
        ),
        "badge": "sieben-tage",
        "steps": [
            (
                ("Tagesfrage beantwortet", "Daily question answered"),
                ChallengeStep.Kind.STREAK,
                "quiz.completed",
                {"campaign": "tagesfrage"},
                7,
                1,
            ),
        ],
    },
    {
        "slug": "snack-entdecker",
        "title": ("Snack-Entdeckerin", "Snack explorer"),
        "description": (
            "Du hast beide Snack-Quizze gespielt. Überraschung!",
            "You played both snack quizzes. Surprise!",
        ),
        "hidden": True,
        "badge": "entdecker",
        "steps": [
            (
                ("Snack-Typ gespielt", "Snack type played"),
                ChallengeStep.Kind.COUNT,
                "quiz.completed",
                {"campaign": "snack-typ"},
                1,
                0,
            ),
            (
                ("Snack-Wissen gespielt", "Snack trivia played"),
                ChallengeStep.Kind.COUNT,
                "quiz.completed",
                {"campaign": "snack-wissen"},
                1,
                0,
            ),
        ],
    },
    {
        "slug": "quiz-monat",
        "title": ("Quiz-Fan des Monats", "Quiz fan of the month"),
        "description": (
            "Spiel in diesem Monat drei Quizze, Umfragen oder Checks.",
            "Play three quizzes, polls or checks this month.",
        ),
        "recurrence": Challenge.Recurrence.MONTHLY,
        "leaderboard": True,
        "steps": [
            (
                ("Quizze gespielt", "Quizzes played"),
                ChallengeStep.Kind.COUNT,
                "quiz.completed",
                {},
                3,
                0,
            ),
        ],
    },
]


@transaction.atomic
def demo_challenges_ensure() -> int:
    created = 0
    for position, (key, de, en, colour, hidden, tier_key, count) in enumerate(BADGES):
        if Badge.objects.filter(key=key).exists():
            continue
        badge = Badge(
            key=key,
            name_de=de,
            name_en=en,
            is_hidden=hidden,
            tier=Tier.objects.filter(key=tier_key).first() if tier_key else None,
            challenges_completed=count,
            position=position,
        )
        badge_save(badge=badge, image=demo_artwork(colour, (400, 400), key))
        created += 1
    for position, spec in enumerate(CHALLENGES):
        if Challenge.objects.filter(slug=spec["slug"]).exists():
            continue
        challenge = challenge_save(
            challenge=Challenge(
                slug=spec["slug"],
                title_de=spec["title"][0],
                title_en=spec["title"][1],
                description_de=spec["description"][0],
                description_en=spec["description"][1],
                recurrence=spec.get("recurrence", Challenge.Recurrence.ONCE),
                is_hidden=spec.get("hidden", False),
                has_leaderboard=spec.get("leaderboard", False),
                badge=Badge.objects.filter(key=spec.get("badge")).first(),
                position=position,
            )
        )
        for step_position, (label, kind, event, conditions, count, grace) in enumerate(
            spec["steps"]
        ):
            ChallengeStep.objects.create(
                challenge=challenge,
                position=step_position,
                label_de=label[0],
                label_en=label[1],
                kind=kind,
                event_name=event,
                conditions=conditions,
                required_count=count,
                grace_periods=grace,
            )
        created += 1
    return created

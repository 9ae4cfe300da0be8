"""A survey played by eleven people on one day, with figures counted by hand (EXPECTED)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client

from apps.campaigns.models import Campaign, Participation, Question
from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_withdraw
from apps.insights.periods import day_start, site_today
from apps.insights.services import answers_tally
from apps.loyalty.services import ledger_credit
from apps.preferences.models import Source
from apps.preferences.services import preference_declare
from apps.privacy.roles import ANALYST
from tests.campaigns.factories import (
    AnswerFactory,
    CampaignFactory,
    CampaignViewsFactory,
    OptionFactory,
    OutcomeFactory,
    ParticipationFactory,
    QuestionFactory,
)
from tests.consent.factories import grant_consent
from tests.factories import StaffUserFactory
from tests.loyalty.factories import EarningRuleFactory
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import ProfileFactory

# What the eleven plays add up to, counted by hand.
EXPECTED = {
    "views": 40,
    "starts": 11,
    "passed": [10, 9, 8],
    "completions": 8,
    "completion_rate": "73%",
    "average_seconds": 60,
    "new": 6,
    "returning": 5,
    "options": {"sweet": 6, "savoury": 1, "spicy": 1},
    "scale": {10: 2, 9: 3, 8: 1, 7: 1, 3: 1},
    "outcomes": {"sweet": 6, "savoury": 2},
    "agreed": 6,
    "declined": 2,
    "consent_rate": "75%",
    "points": 300,
    "declarations": 6,
    "nps": {"promoters": 5, "passives": 2, "detractors": 1, "score": 50},
    "words": {"lecker": 5},
}
CHOICES = ["sweet"] * 6 + ["savoury", "spicy"]
SCORES = [10, 10, 9, 9, 9, 8, 7, 3]
TEXTS = [
    "Lecker und frisch",
    "lecker, frisch!",
    "Sehr lecker",
    "lecker aber teuer",
    "Lecker",
    "zu teuer",
    "frisch",
    "ok",
]


def staff_with(username: str, *codenames: str):
    user = StaffUserFactory(username=username)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="insights", codename__in=codenames)
    )
    return user


@pytest.fixture
def analyst(db):
    """Staff in the Analyst role, made by the roles migration."""
    user = staff_with("analyst")
    user.groups.add(Group.objects.get(name=ANALYST))
    return user


@pytest.fixture
def analyst_client(analyst) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(analyst)
    return client


@pytest.fixture
def free_text_client(db) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(staff_with("reader", "view_dashboards", "view_free_text"))
    return client


@pytest.fixture
def staff_client(db) -> Client:
    """Staff without any insights permission."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(staff_with("editor"))
    return client


@dataclass
class Survey:
    campaign: Campaign
    day: date
    single: Question
    scale: Question
    text: Question
    options: dict
    outcomes: dict
    completed: list[Participation] = field(default_factory=list)
    unfinished: list[Participation] = field(default_factory=list)


def build_survey(*, day: date, purpose, slug: str = "umfrage") -> Survey:
    """Eleven plays started on `day`: eight completed, three left at question 2, 3 and 1.
    Five players had played another campaign before. Six of the finishers agree to the
    purpose at the end (and declare their taste, and get 50 points), two decline."""
    campaign = CampaignFactory(slug=slug, kind=Campaign.Kind.SURVEY)
    campaign.purposes.add(purpose)
    taste = AttributeFactory(
        key=f"taste_{slug}".replace("-", "_"),
        purpose=purpose,
        choices=["sweet", "savoury", "spicy"],
    )
    outcomes = {
        key: OutcomeFactory(campaign=campaign, key=key, title_de=key, title_en=key)
        for key in ("sweet", "savoury")
    }
    single = QuestionFactory(campaign=campaign, position=1, text_en="Sweet or savoury?")
    options = {
        key: OptionFactory(
            question=single,
            position=position,
            label_de=key,
            label_en=key,
            outcome=outcomes["sweet" if key == "sweet" else "savoury"],
            attribute=taste,
            attribute_value=key,
        )
        for position, key in enumerate(["sweet", "savoury", "spicy"])
    }
    scale = QuestionFactory(
        campaign=campaign, position=2, kind=Question.Kind.SCALE, scale_min=0, scale_max=10
    )
    text = QuestionFactory(campaign=campaign, position=3, kind=Question.Kind.TEXT)
    earlier = CampaignFactory(slug=f"{slug}-vorher")
    survey = Survey(campaign, day, single, scale, text, options, outcomes)
    morning = day_start(day) + timedelta(hours=9)
    for n in range(11):
        profile = ProfileFactory()
        started = morning + timedelta(minutes=n)
        if n < 5:
            ParticipationFactory(
                campaign=earlier, profile=profile, started_at=started - timedelta(days=1)
            )
        finished = n < 8
        play = ParticipationFactory(
            campaign=campaign,
            profile=profile,
            started_at=started,
            completed_at=started + timedelta(seconds=60) if finished else None,
            outcome=outcomes["sweet" if n < 6 else "savoury"] if finished else None,
        )
        answered = 3 if finished else {8: 2, 9: 1, 10: 0}[n]
        if answered >= 1:
            AnswerFactory(
                participation=play,
                question=single,
                answered_at=started,
                options=[options[CHOICES[n] if finished else "sweet"]],
            )
        if answered >= 2:
            AnswerFactory(participation=play, question=scale, number=SCORES[n] if finished else 5)
        if answered >= 3:
            AnswerFactory(participation=play, question=text, text=TEXTS[n])
        (survey.completed if finished else survey.unfinished).append(play)
    # What the subscriber does when a play is completed through the campaign pages.
    answers_tally(participation_ids=[play.pk for play in survey.completed])
    CampaignViewsFactory(campaign=campaign, day=day, count=40)
    rule = EarningRuleFactory(points=50)
    point = f"campaign:{campaign.slug}"
    for n, play in enumerate(survey.completed):
        if n < 6:
            grant_consent(play.profile, purpose, collection_point=point)
            preference_declare(
                profile=play.profile,
                attribute=taste,
                value=CHOICES[n],
                source=Source.QUIZ,
                source_ref=f"participation:{play.pk}",
                source_label=campaign.title,
            )
            ledger_credit(
                profile=play.profile,
                points=50,
                idempotency_key=f"rule:{rule.pk}:participation:{play.pk}",
                reason=rule.name,
                source_ref=f"rule:{rule.pk}",
            )
        else:
            consent_withdraw(
                profile=play.profile,
                purpose=purpose,
                channel=Channel.WEB,
                collection_point=point,
                evidence=Evidence(),
                language="de",
            )
    return survey


@pytest.fixture
def survey(purpose) -> Survey:
    """Played today: dashboards count it live."""
    return build_survey(day=site_today(), purpose=purpose)


@pytest.fixture
def past_survey(purpose) -> Survey:
    """Played three days ago: dashboards read it from the rollups."""
    return build_survey(day=site_today() - timedelta(days=3), purpose=purpose, slug="umfrage-alt")


@pytest.fixture
def small_campaign(purpose) -> Campaign:
    """Three players: every figure stands for fewer than five people."""
    campaign = CampaignFactory(slug="klein", kind=Campaign.Kind.POLL)
    campaign.purposes.add(purpose)
    question = QuestionFactory(campaign=campaign, position=1)
    option = OptionFactory(question=question, label_de="Ja", label_en="Yes")
    morning = day_start(site_today())
    plays = []
    for n in range(3):
        play = ParticipationFactory(
            campaign=campaign,
            started_at=morning + timedelta(minutes=n),
            completed_at=morning + timedelta(minutes=n, seconds=30),
        )
        AnswerFactory(participation=play, question=question, options=[option])
        plays.append(play.pk)
    answers_tally(participation_ids=plays)
    CampaignViewsFactory(campaign=campaign, day=site_today(), count=3)
    return campaign

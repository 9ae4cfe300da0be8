"""A customer touched by every app, for exports and erasures."""

from dataclasses import dataclass

import pytest

from apps.audit.services import access_log_record
from apps.campaigns.models import Campaign, Participation, Question
from apps.campaigns.services import (
    answer_submit,
    participation_complete,
    participation_keep_answers,
    participation_start,
)
from apps.challenges.services import leaderboard_join
from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_withdraw
from apps.loyalty.services import badge_award, ledger_credit, redemption_create
from apps.partners.models import PartnerClient
from apps.partners.services import partner_client_create
from apps.personalization.materialize import segment_materialize
from apps.personalization.services import offer_dismiss
from apps.preferences.models import Attribute, Source
from apps.preferences.services import preference_declare
from apps.profiles.models import Identifier, Profile
from apps.profiles.services import profile_sign_in_as
from config.celery import app as celery_app
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
from tests.challenges.factories import ChallengeFactory, StepFactory
from tests.consent.factories import grant_consent, published_purpose
from tests.loyalty.factories import BadgeFactory, EarningRuleFactory, RewardFactory
from tests.personalization.factories import ChurnScoreFactory, OfferFactory, SegmentFactory
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import IdentifierFactory, ProfileFactory

EMAIL = "kim.mustermann@example.com"
DISPLAY_NAME = "Kimberly Quizfan"
# Free text that exists nowhere else: the scan after an erasure looks for exactly these.
KEPT_TEXT = "Mein Lieblingsort ist die Schrebergartenkolonie Abendrot"
UNKEPT_TEXT = "Ich trinke am liebsten Holunderblütenschorle"
PARTNER_CUSTOMER_ID = "SHOP-CUSTOMER-8812"


@dataclass
class Customer:
    profile: Profile
    partner: PartnerClient
    kept_play: Participation
    open_play: Participation
    unkept_play: Participation
    personal_values: list[str]


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Jobs run in the test process, as in the demo; with REDIS_URL set (as in CI) they would
    otherwise go to a broker and the test could not see them run."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def export_root(settings, tmp_path):
    settings.PRIVACY_EXPORT_ROOT = tmp_path / "exports"
    return settings.PRIVACY_EXPORT_ROOT


def _play(campaign: Campaign, profile: Profile, answers: dict[Question, object]) -> Participation:
    play = participation_start(campaign=campaign, profile=profile, locale="de")
    for question, answer in answers.items():
        if isinstance(answer, str):
            answer_submit(participation=play, question_id=question.pk, text=answer)
        else:
            answer_submit(participation=play, question_id=question.pk, option_ids=[answer.pk])
    return play


def customer_touched_by_every_app(admin_user) -> Customer:
    """Consent granted and withdrawn, declarations from a quiz and the preference center, a
    kept and an unkept finished quiz with short text answers, one unfinished quiz, points,
    a redemption, challenge progress, a badge, a stored segment, a declined offer, a churn
    score, a leaderboard name, a partner link and access-log rows, and an anonymous device
    merged in."""
    purposes = {
        key: published_purpose(key=key)
        for key in ("personalization", "partner_sharing", "leaderboard", "email_marketing")
    }
    partner, _secret = partner_client_create(
        name="Shop",
        key="shop",
        scopes=["profiles:read"],
        purpose_keys=["partner_sharing", "personalization"],
    )
    snack = AttributeFactory(
        key="snack", purpose=purposes["personalization"], choices=["sweet", "savory"]
    )
    place = AttributeFactory(
        key="favourite_place", kind=Attribute.Kind.TEXT, purpose=purposes["personalization"]
    )
    drink = AttributeFactory(
        key="drink", kind=Attribute.Kind.TEXT, purpose=purposes["personalization"]
    )
    EarningRuleFactory(name="Quiz abgeschlossen", event_name="quiz.completed", points=50)

    member = profile_sign_in_as(
        kind=Identifier.Kind.EMAIL, value=EMAIL, current=ProfileFactory(), locale="de"
    )
    # A second device agrees to something and signs in: its tombstone merges into the member.
    device = ProfileFactory()
    grant_consent(device, purposes["personalization"])
    profile_sign_in_as(kind=Identifier.Kind.EMAIL, value=EMAIL, current=device, locale="de")
    IdentifierFactory(
        profile=member,
        kind=Identifier.Kind.EXTERNAL,
        namespace=partner.key,
        value=PARTNER_CUSTOMER_ID,
    )
    # `personalization` came with the device.
    for key in ("partner_sharing", "leaderboard", "email_marketing"):
        grant_consent(member, purposes[key])
    consent_withdraw(
        profile=member,
        purpose=purposes["email_marketing"],
        channel=Channel.WEB,
        collection_point="preference-center",
        evidence=Evidence(ip_hmac="a" * 64, user_agent_hmac="b" * 64),
        language="de",
    )

    challenge = ChallengeFactory(slug="drei-quiz", title_de="Drei Quiz", title_en="Three quizzes")
    StepFactory(challenge=challenge, event_name="quiz.completed", required_count=3)

    kept = CampaignFactory(slug="snack-quiz", kind=Campaign.Kind.SURVEY)
    kept.purposes.add(purposes["personalization"])
    choice = QuestionFactory(campaign=kept, position=1)
    savory = OptionFactory(question=choice, attribute=snack, attribute_value="savory")
    text_question = QuestionFactory(
        campaign=kept, position=2, kind=Question.Kind.TEXT, attribute=place, max_length=200
    )
    kept_play = _play(kept, member, {choice: savory, text_question: KEPT_TEXT})
    kept_play = participation_complete(participation=kept_play)
    participation_keep_answers(participation=kept_play)

    unkept = CampaignFactory(slug="drink-survey", kind=Campaign.Kind.SURVEY)
    drink_question = QuestionFactory(
        campaign=unkept, position=1, kind=Question.Kind.TEXT, attribute=drink, max_length=200
    )
    unkept_play = participation_complete(
        participation=_play(unkept, member, {drink_question: UNKEPT_TEXT})
    )

    unfinished = CampaignFactory(slug="long-survey", kind=Campaign.Kind.SURVEY)
    first = QuestionFactory(
        campaign=unfinished, position=1, kind=Question.Kind.TEXT, max_length=200
    )
    QuestionFactory(campaign=unfinished, position=2, kind=Question.Kind.TEXT, max_length=200)
    open_play = _play(unfinished, member, {first: "Halb fertig, Antwort eins"})

    preference_declare(
        profile=member, attribute=snack, value="sweet", source=Source.PREFERENCE_CENTER
    )
    ledger_credit(profile=member, points=100, idempotency_key="welcome", reason="Willkommen")
    reward = RewardFactory(title_de="Kaffee", title_en="Coffee", cost=30)
    redemption_create(profile=member, reward_id=reward.pk, idempotency_key="coffee")
    badge = BadgeFactory(key="first-steps", name_de="Erste Schritte", name_en="First steps")
    badge_award(profile=member, badge=badge, reason="Zum Start")
    leaderboard_join(profile=member, display_name=DISPLAY_NAME)

    segment = SegmentFactory(
        key="sweet-tooth",
        name="Naschkatzen",
        description="Sagt, dass sie Süßes mag.",
        rule={"attribute": "snack", "op": "eq", "value": "sweet"},
        materialize=True,
    )
    segment_materialize(segment=segment, full=True)
    offer = OfferFactory(key="crisps", title_de="Chips-Box", title_en="Crisps box")
    offer_dismiss(profile=member, offer=offer)
    ChurnScoreFactory(profile=member, computed_at=kept_play.completed_at)

    access_log_record(
        profiles=[member],
        data_category="declarations",
        staff_user=admin_user,
        reason=f"{EMAIL} called about missing points",
    )
    access_log_record(
        profiles=[member],
        data_category="declarations",
        partner_name="Shop",
        purpose_key="personalization",
    )
    member.refresh_from_db()
    return Customer(
        profile=member,
        partner=partner,
        kept_play=kept_play,
        open_play=open_play,
        unkept_play=unkept_play,
        personal_values=[EMAIL, DISPLAY_NAME, KEPT_TEXT, UNKEPT_TEXT, PARTNER_CUSTOMER_ID],
    )


@pytest.fixture
def customer(db, admin_user, export_root) -> Customer:
    return customer_touched_by_every_app(admin_user)

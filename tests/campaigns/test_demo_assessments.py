import pytest
from django.core.management import call_command

from apps.campaigns.models import Campaign
from apps.campaigns.services import (
    answer_submit,
    participation_complete,
    participation_keep_answers,
    participation_start,
)
from apps.consent.models import Purpose
from apps.personalization.leads import leads_for_topic
from tests.consent.factories import grant_consent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]

COMPETENCES = {
    "Strategie",
    "Organisation und Struktur",
    "Technologie",
    "Prozesse",
    "Erfolgskontrolle",
}


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    return Campaign.objects.get(slug="marketing-confidence-quotient")


def test_the_demo_ships_the_marketing_confidence_quotient(demo):
    statements = demo.questions.filter(kind="scale")
    bands = demo.score_bands.all()

    assert demo.status == Campaign.Status.LIVE
    assert statements.count() == 15
    assert {q.dimension_de for q in statements} == COMPETENCES
    assert all(q.dimension_en and q.text_en for q in statements)
    assert {b.dimension for b in bands} == COMPETENCES | {""}
    assert bands.count() == 18
    assert all(b.title_en and b.text_de and b.text_en and b.next_step_en for b in bands)


def test_the_customer_focus_check_has_bands_too(demo):
    check = Campaign.objects.get(slug="kundenfokus-check")

    assert check.score_bands.count() == 18
    assert {b.dimension for b in check.score_bands.all()} == {
        "",
        "Zuhören",
        "Verstehen",
        "Handeln",
        "Teamwork",
        "Messen",
    }


def test_asking_for_an_expert_with_consent_makes_a_lead(demo, profile):
    participation = participation_start(campaign=demo, profile=profile, locale="de")
    *statements, expert = demo.questions.order_by("position")
    for question in statements:
        answer_submit(participation=participation, question_id=question.pk, number=3)
    yes = expert.options.get(attribute__key="expert_talk_requested")
    answer_submit(participation=participation, question_id=expert.pk, option_ids=[yes.pk])
    participation_complete(participation=participation)
    grant_consent(
        profile,
        Purpose.objects.get(key="sales_contact"),
        collection_point="campaign:marketing-confidence-quotient",
    )

    participation_keep_answers(participation=participation)

    leads = leads_for_topic(topic="communication")
    assert [(lead.profile_id, lead.attribute.key) for lead in leads] == [
        (profile.pk, "expert_talk_requested")
    ]


def test_without_consent_the_expert_wish_is_no_lead(demo, profile):
    participation = participation_start(campaign=demo, profile=profile, locale="de")
    *statements, expert = demo.questions.order_by("position")
    for question in statements:
        answer_submit(participation=participation, question_id=question.pk, number=3)
    yes = expert.options.get(attribute__key="expert_talk_requested")
    answer_submit(participation=participation, question_id=expert.pk, option_ids=[yes.pk])
    participation_complete(participation=participation)

    participation_keep_answers(participation=participation)

    assert leads_for_topic(topic="communication") == []

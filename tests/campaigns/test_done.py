"""The page after "Done": what we keep, what to play next, what the points buy, picks."""

import pytest
from django.urls import reverse

from apps.campaigns.models import Campaign
from apps.profiles.models import Profile
from tests.campaigns.factories import CampaignFactory
from tests.loyalty.factories import EarningRuleFactory, RewardFactory
from tests.profiles.factories import ProfileFactory
from tests.profiles.helpers import browse_as, one_question_campaign, play

pytestmark = pytest.mark.django_db


@pytest.fixture
def rewards(db):
    EarningRuleFactory(points=50)
    return [
        RewardFactory(title_de="Versandfrei", title_en="Free shipping", cost=40),
        RewardFactory(title_de="Gutschein", title_en="Voucher", cost=100),
    ]


def _play_snack_quiz(client, options, decision: str | None = "grant"):
    client.post(reverse("campaigns:start", args=["snack-quiz"]))
    client.post(
        reverse("campaigns:answer", args=["snack-quiz", 1]), {"option": options["right"].pk}
    )
    client.post(
        reverse("campaigns:answer", args=["snack-quiz", 2]), {"option": options["salty"].pk}
    )
    if decision:
        client.post(
            reverse("consent:decide", args=["personalization"]),
            {"decision": decision, "collection_point": "campaign:snack-quiz"},
        )
    return client.post(reverse("campaigns:finish", args=["snack-quiz"]), follow=True)


def test_done_says_what_we_keep_and_what_comes_next(client, snack_quiz, rewards):
    CampaignFactory(slug="next-one", title_de="Die nächste Runde", position=5)
    _campaign, _first, _second, options = snack_quiz

    response = _play_snack_quiz(client, options)
    page = response.content.decode()

    assert response.redirect_chain == [(reverse("campaigns:done", args=["snack-quiz"]), 302)]
    assert "Wir behalten, was du erlaubt hast:" in page
    assert "Frage favourite_snack: <strong>salty (de)</strong>" in page
    assert f'href="{reverse("preferences:center")}#told">Meine Daten</a>' in page
    assert "Die nächste Runde" in page
    assert 'Du hast <span class="wallet__number">50</span> Punkte' in page
    assert "Versandfrei" in page
    # Anonymous players redeem after signing in, and come back to the reward.
    redeem = reverse("loyalty:redeem", args=[rewards[0].pk])
    assert f'href="/sign-in/?next={redeem}">Anmelden und einlösen</a>' in page
    assert "Gutschein" in page
    assert "Noch 50 Punkte" in page


def test_done_after_a_no_says_nothing_is_kept(client, snack_quiz, rewards):
    _campaign, _first, _second, options = snack_quiz

    page = _play_snack_quiz(client, options, decision="withdraw").content.decode()

    assert "Wir behalten keine deiner Antworten in deinem Profil." in page
    assert "salty (de)" not in page
    assert "Du hast alles gespielt, was gerade läuft." in page


def test_done_speaks_english(client, snack_quiz, rewards):
    _campaign, _first, _second, options = snack_quiz
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    page = _play_snack_quiz(client, options).content.decode()

    assert "We keep what you agreed to:" in page
    assert "Question favourite_snack: <strong>salty (en)</strong>" in page
    assert "What your points are good for" in page
    assert 'You have <span class="wallet__number">50</span> points' in page
    assert "Free shipping" in page
    assert "50 points to go" in page


def test_a_member_is_offered_a_members_only_campaign_and_a_guest_to_sign_in(client, profile):
    campaign, question, option = one_question_campaign("played")
    CampaignFactory(slug="members", title_de="Nur für Mitglieder", requires_sign_in=True)
    member = ProfileFactory(kind=Profile.Kind.MEMBER)
    guest = ProfileFactory()
    pages = {}
    for player in (member, guest):
        play(campaign, question, option, player)
        browse_as(client, player)
        client.post(reverse("campaigns:finish", args=["played"]))
        pages[player.kind] = client.get(reverse("campaigns:done", args=["played"])).content.decode()

    assert "Nur für Mitglieder" in pages[Profile.Kind.MEMBER]
    assert "Nur für Mitglieder" not in pages[Profile.Kind.ANONYMOUS]
    assert reverse("profiles:sign-in") not in pages[Profile.Kind.MEMBER]
    assert reverse("profiles:sign-in") in pages[Profile.Kind.ANONYMOUS]


def test_done_before_deciding_goes_back_to_the_result(client, snack_quiz):
    _campaign, _first, _second, options = snack_quiz
    url = reverse("campaigns:done", args=["snack-quiz"])

    before_playing = client.get(url)
    client.post(reverse("campaigns:start", args=["snack-quiz"]))
    client.post(
        reverse("campaigns:answer", args=["snack-quiz", 1]), {"option": options["right"].pk}
    )
    client.post(
        reverse("campaigns:answer", args=["snack-quiz", 2]), {"option": options["salty"].pk}
    )
    before_deciding = client.get(url)

    assert before_playing["Location"] == reverse("campaigns:intro", args=["snack-quiz"])
    assert before_deciding["Location"] == reverse("campaigns:result", args=["snack-quiz"])
    assert client.get(reverse("campaigns:done", args=["nope"])).status_code == 404


def test_the_next_campaign_is_one_not_finished_yet(client, profile):
    campaign, question, option = one_question_campaign("first")
    other, other_question, other_option = one_question_campaign("second")
    Campaign.objects.filter(pk=other.pk).update(position=1)
    CampaignFactory(slug="third", title_de="Die dritte", position=2)
    play(other, other_question, other_option, profile)
    play(campaign, question, option, profile)
    browse_as(client, profile)
    client.post(reverse("campaigns:finish", args=["first"]))

    page = client.get(reverse("campaigns:done", args=["first"])).content.decode()

    assert "Die dritte" in page
    assert "Quiz second" not in page


@pytest.mark.parametrize("many", [1, 4])
def test_the_done_page_runs_a_constant_number_of_queries(
    client, snack_quiz, many, django_assert_num_queries
):
    EarningRuleFactory(points=50)
    for n in range(many):
        RewardFactory(cost=20 + n * 40)
        CampaignFactory(slug=f"more-{n}", position=10 + n)
    _campaign, _first, _second, options = snack_quiz
    _play_snack_quiz(client, options)

    # session, profile, campaign, participation, what we keep (+ its allowed values), next
    # campaign, account, rewards (two), re-prompt, picks (consent, guardrails, offers...)
    with django_assert_num_queries(14):
        response = client.get(reverse("campaigns:done", args=["snack-quiz"]))

    assert response.status_code == 200

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.campaigns.models import Participation
from apps.campaigns.services import answer_submit, participation_complete, participation_start
from apps.core.exceptions import ApplicationError
from apps.loyalty.models import Account
from apps.profiles.models import Profile
from tests.loyalty.factories import EarningRuleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _finish(campaign, profile, first, second, options) -> Participation:
    participation = participation_start(campaign=campaign, profile=profile, locale="en")
    answer_submit(
        participation=participation, question_id=first.pk, option_ids=[options["right"].pk]
    )
    answer_submit(
        participation=participation, question_id=second.pk, option_ids=[options["salty"].pk]
    )
    return participation_complete(participation=participation)


def _days_ago(participation: Participation, days: int) -> None:
    Participation.objects.filter(pk=participation.pk).update(
        completed_at=timezone.now() - timedelta(days=days)
    )


def test_a_once_only_campaign_answers_every_later_start_with_the_finished_play(snack_quiz, profile):
    campaign, first, second, options = snack_quiz
    finished = _finish(campaign, profile, first, second, options)
    _days_ago(finished, 400)

    assert participation_start(campaign=campaign, profile=profile, locale="en") == finished
    assert Participation.objects.count() == 1


def test_a_repeatable_campaign_starts_a_new_round_once_the_wait_is_over(snack_quiz, profile):
    campaign, first, second, options = snack_quiz
    campaign.repeat_after_days = 7
    campaign.save()
    EarningRuleFactory(points=50)
    finished = _finish(campaign, profile, first, second, options)

    _days_ago(finished, 6)
    assert participation_start(campaign=campaign, profile=profile, locale="en") == finished
    _days_ago(finished, 7)
    second_round = _finish(campaign, profile, first, second, options)

    assert (finished.round, second_round.round) == (1, 2)
    assert Account.objects.get(profile=profile).balance == 100


def test_a_members_only_campaign_refuses_anonymous_players_and_stores_nothing(snack_quiz, profile):
    campaign, *_ = snack_quiz
    campaign.requires_sign_in = True
    campaign.save()

    for player in (None, profile):
        with pytest.raises(ApplicationError, match="Sign in to take part"):
            participation_start(campaign=campaign, profile=player, locale="en")

    assert not Participation.objects.exists()
    assert Profile.objects.count() == 1


def test_a_member_may_play_a_members_only_campaign(snack_quiz, profile):
    campaign, *_ = snack_quiz
    campaign.requires_sign_in = True
    campaign.save()
    profile.kind = Profile.Kind.MEMBER
    profile.save()

    assert participation_start(campaign=campaign, profile=profile, locale="en").round == 1


def test_the_intro_offers_another_round_only_when_it_is_due(visitor, snack_quiz, profile):
    campaign, first, second, options = snack_quiz
    campaign.repeat_after_days = 7
    campaign.save()
    finished = _finish(campaign, profile, first, second, options)
    url = reverse("campaigns:intro", args=[campaign.slug])

    waiting = visitor.get(url).content.decode()
    _days_ago(finished, 8)
    due = visitor.get(url).content.decode()

    assert "Zu deinem Ergebnis" in waiting
    assert "Du kannst ab " in waiting
    assert "Nochmal spielen" in due
    assert "Du kannst ab " not in due


def test_the_intro_of_a_members_only_campaign_asks_to_sign_in_instead_of_a_start_button(
    client, snack_quiz
):
    campaign, *_ = snack_quiz
    campaign.requires_sign_in = True
    campaign.save()

    response = client.get(reverse("campaigns:intro", args=[campaign.slug]))

    assert response.status_code == 200
    assert reverse("campaigns:start", args=[campaign.slug]).encode() not in response.content
    sign_in = (
        f"{reverse('profiles:sign-in')}?next={reverse('campaigns:intro', args=[campaign.slug])}"
    )
    assert sign_in.encode() in response.content


def test_a_daily_campaign_opens_again_at_the_players_midnight(snack_quiz, profile):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from apps.campaigns.selectors import participation_next_round_at

    campaign, first, second, options = snack_quiz
    campaign.repeat_after_days = 1
    campaign.save()
    finished = _finish(campaign, profile, first, second, options)
    berlin = ZoneInfo("Europe/Berlin")
    Participation.objects.filter(pk=finished.pk).update(
        completed_at=datetime(2026, 6, 1, 20, 0, tzinfo=berlin)
    )
    finished.refresh_from_db()

    assert participation_next_round_at(participation=finished) == datetime(
        2026, 6, 2, 0, 0, tzinfo=berlin
    )

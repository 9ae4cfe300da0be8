from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from apps.audit.models import AccessLog
from apps.campaigns.models import Participation
from apps.personalization.churn import churn_scores_compute
from apps.personalization.models import ChurnScore, Segment
from apps.personalization.selectors import segment_profiles
from tests.campaigns.factories import CampaignFactory
from tests.consent.factories import grant_consent
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _plays(profile, *days_ago: int) -> None:
    for number, days in enumerate(days_ago):
        campaign = CampaignFactory(slug=f"c-{profile.pk}-{number}")
        Participation.objects.create(
            campaign=campaign,
            profile=profile,
            started_at=NOW - timedelta(days=days),
            completed_at=NOW - timedelta(days=days),
        )


@pytest.fixture
def people():
    regular, fading, gone = (ProfileFactory(created_at=NOW - timedelta(days=400)) for _ in range(3))
    _plays(regular, 2, 10, 40, 70)
    _plays(fading, 35, 50, 60, 80)
    _plays(gone, 200)
    return {"regular": regular, "fading": fading, "gone": gone}


def test_scores_follow_the_customers_own_activity_with_the_reasons(people):
    churn_scores_compute(now=NOW)

    scores = {name: ChurnScore.objects.get(profile=p) for name, p in people.items()}
    assert scores["regular"].band == ChurnScore.Band.LOW
    assert scores["fading"].score > scores["regular"].score
    assert scores["gone"].band == ChurnScore.Band.HIGH
    assert scores["gone"].contributions[0]["feature"] == "recency"
    assert {item["feature"] for item in scores["fading"].contributions} >= {"trend", "recency"}


def test_scores_are_deterministic_for_a_fixed_dataset(people):
    churn_scores_compute(now=NOW, batch_size=2)
    first = list(
        ChurnScore.objects.order_by("profile").values("profile", "score", "band", "contributions")
    )

    churn_scores_compute(now=NOW, batch_size=1)

    assert (
        list(
            ChurnScore.objects.order_by("profile").values(
                "profile", "score", "band", "contributions"
            )
        )
        == first
    )


def test_each_batch_costs_the_same_number_of_queries(people, django_assert_num_queries):
    # Per batch: the ids, plays, expiring points, sign-up dates and one upsert; then the
    # empty batch that ends the run.
    with django_assert_num_queries(5 * 3 + 1):
        churn_scores_compute(now=NOW, batch_size=1)


def test_segments_can_target_a_churn_risk_band(people, purpose):
    for profile in people.values():
        grant_consent(profile, purpose)
    churn_scores_compute(now=NOW)

    members = set(segment_profiles(segment=Segment(key="risk", rule={"churn_risk": "high"})))

    assert members == {people["gone"]}


def test_staff_see_scores_and_reasons_and_the_read_is_logged(admin_client, admin_user, people):
    churn_scores_compute(now=NOW)

    response = admin_client.get(reverse("admin:personalization_churnscore_changelist"))

    assert response.status_code == 200
    assert b"recency +" in response.content
    assert AccessLog.objects.filter(staff_user=admin_user, data_category="churn risk").count() == 3

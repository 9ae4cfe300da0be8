import pytest
from django.db.models import Count

from apps.campaigns.models import Answer, Campaign, Participation, Question
from apps.insights.models import CampaignDayRollup, OptionDayTally, ValueDayTally
from apps.insights.periods import site_today
from apps.insights.selectors import program_dashboard
from apps.insights.services import rollups_refresh
from apps.personalization.synthetic.profiles import profiles_generate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]


@pytest.fixture
def demo_vocabulary() -> None:
    from apps.campaigns.demo import demo_campaigns_ensure
    from apps.consent.demo import demo_purposes_ensure
    from apps.preferences.demo import demo_attributes_ensure

    demo_purposes_ensure()
    demo_attributes_ensure()
    demo_campaigns_ensure()


def test_generated_customers_answer_most_of_the_live_questions(demo_vocabulary):
    list(profiles_generate(count=200, seed=3))

    answers = Answer.objects.count()
    # Each customer plays most live campaigns and finishes most plays.
    questions = Question.objects.filter(campaign__in=Campaign.objects.live()).count()
    assert 0.5 * questions * 200 <= answers <= 0.9 * questions * 200
    unfinished = Participation.objects.filter(completed_at__isnull=True)
    assert unfinished.exists()
    # Unfinished plays stop part-way: never every question answered.
    lengths = dict(Campaign.objects.annotate(n=Count("questions")).values_list("pk", "n"))
    answered = unfinished.annotate(n=Count("answers")).values_list("campaign_id", "n")
    assert all(n < lengths[campaign_id] for campaign_id, n in answered)


def test_generated_plays_fill_the_dashboards(demo_vocabulary):
    list(profiles_generate(count=200, seed=3))

    rollups_refresh(full=True)

    assert CampaignDayRollup.objects.exists()
    assert OptionDayTally.objects.exists()
    assert ValueDayTally.objects.filter(question__scale_max=10).exists()
    dashboard = program_dashboard(first=site_today().replace(day=1), last=site_today())
    assert not dashboard.key_figures.rows[0][1].hidden


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_processes_writing_at_once_make_the_same_customers_without_sharing_ids(
    demo_vocabulary,
):
    from apps.preferences.models import Declaration
    from apps.profiles.models import Profile

    # Many small chunks, so the two processes take keys from the same sequences often.
    assert list(profiles_generate(count=400, seed=5, chunk=20))[-1] == 400
    declared_alone = Declaration.objects.count()
    profiles_alone = set(Profile.objects.values_list("pk", flat=True))

    assert list(profiles_generate(count=400, seed=5, jobs=2, chunk=20))[-1] == 400

    together = set(Profile.objects.values_list("pk", flat=True)) - profiles_alone
    assert len(together) == 400
    # The same random streams per chunk: as many answers about the customers as before.
    assert Declaration.objects.count() == 2 * declared_alone
    assert (
        not Declaration.objects.filter(profile_id__in=together)
        .values("profile_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=20)
    )

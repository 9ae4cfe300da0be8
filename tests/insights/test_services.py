from datetime import timedelta

import pytest
from django.utils import timezone

from apps.campaigns.models import Answer, Participation
from apps.insights import figures
from apps.insights.models import (
    CampaignDayRollup,
    ConsentDayRollup,
    DeclarationDayRollup,
    DistributionDayRollup,
    OptionDayTally,
    OutcomeDayRollup,
    ProgramDayRollup,
    QuestionDayRollup,
    RollupRun,
    TalliedPlay,
    ValueDayTally,
    WordDayTally,
)
from apps.insights.periods import day_start, site_today
from apps.insights.services import answers_tally, answers_tally_sweep, rollups_refresh, text_words
from tests.insights.conftest import EXPECTED

pytestmark = pytest.mark.django_db

ROLLUPS = [
    CampaignDayRollup,
    QuestionDayRollup,
    OutcomeDayRollup,
    DeclarationDayRollup,
    ConsentDayRollup,
    ProgramDayRollup,
    DistributionDayRollup,
]
TALLIES = [OptionDayTally, ValueDayTally, WordDayTally]


def _rows(model) -> list[tuple]:
    """Every row of a table without its id, in a stable order."""
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    return sorted(tuple(row) for row in model.objects.values_list(*fields))


def _snapshot() -> dict:
    return {model.__name__: _rows(model) for model in ROLLUPS + TALLIES}


def _stored(model, *, first, last, columns: list[str]) -> list[tuple]:
    return sorted(
        tuple(row)
        for row in model.objects.filter(day__gte=first, day__lte=last).values_list(*columns)
    )


def _computed(rows: list[dict], columns: list[str]) -> list[tuple]:
    return sorted(tuple(row[column] for column in columns) for row in rows)


def test_rollups_refresh_twice_writes_the_same_rows(past_survey, survey):
    rollups_refresh()
    first = _snapshot()

    rollups_refresh()
    rollups_refresh(full=True)

    assert _snapshot() == first
    assert first["CampaignDayRollup"]


def test_rollups_agree_with_the_live_figures(past_survey):
    rollups_refresh()
    first, last = past_survey.day - timedelta(days=1), site_today()

    live = figures.campaign_figures(first=first, last=last)
    checks = [
        (
            CampaignDayRollup,
            live["campaign_days"],
            [
                "day",
                "campaign_id",
                "views",
                "starts",
                "completions",
                "completion_seconds",
                "new_participants",
                "returning_participants",
                "points_paid",
                "points_people",
            ],
        ),
        (QuestionDayRollup, live["question_days"], ["day", "campaign_id", "question_id", "passed"]),
        (
            OutcomeDayRollup,
            live["outcome_days"],
            ["day", "campaign_id", "outcome_id", "completions"],
        ),
        (
            DeclarationDayRollup,
            live["declaration_days"],
            ["day", "campaign_id", "attribute_id", "declarations"],
        ),
        (
            ConsentDayRollup,
            figures.consent_figures(first=first, last=last),
            ["day", "purpose_id", "collection_point", "grants", "refusals", "withdrawals"],
        ),
    ]
    for model, rows, columns in checks:
        assert _stored(model, first=first, last=last, columns=columns) == _computed(rows, columns)
    flows = figures.program_flows(first=first, last=last)
    stored = {
        row["day"]: row
        for row in ProgramDayRollup.objects.filter(day__gte=first, day__lte=last).values()
    }
    for row in flows:
        assert all(stored[row["day"]][column] == row[column] for column in figures.FLOW_COLUMNS)


def test_the_rolled_up_day_matches_the_hand_count(past_survey):
    rollups_refresh()

    day = CampaignDayRollup.objects.get(campaign=past_survey.campaign, day=past_survey.day)
    assert (day.views, day.starts, day.completions) == (40, 11, 8)
    assert day.completion_seconds == 8 * EXPECTED["average_seconds"]
    assert (day.new_participants, day.returning_participants) == (6, 5)
    passed = dict(
        QuestionDayRollup.objects.filter(day=past_survey.day).values_list(
            "question__position", "passed"
        )
    )
    assert passed == {1: 10, 2: 9, 3: 8}
    outcomes = dict(
        OutcomeDayRollup.objects.filter(day=past_survey.day).values_list(
            "outcome__key", "completions"
        )
    )
    assert outcomes == EXPECTED["outcomes"]


def test_a_second_run_recomputes_only_the_days_touched_since(past_survey):
    first_run = rollups_refresh()
    assert first_run.full
    assert first_run.days >= 5

    second = rollups_refresh()

    assert not second.full
    assert second.days == 1  # today only: nothing happened since the first run began


def test_a_play_finished_today_recomputes_the_day_it_started(past_survey):
    rollups_refresh()
    play = past_survey.unfinished[0]
    Participation.objects.filter(pk=play.pk).update(completed_at=timezone.now())

    run = rollups_refresh()

    assert run.days == 2
    day = CampaignDayRollup.objects.get(campaign=past_survey.campaign, day=past_survey.day)
    assert day.completions == 9


def test_answers_are_tallied_once_per_play(past_survey):
    before = {model.__name__: _rows(model) for model in TALLIES}

    assert answers_tally(participation_ids=[p.pk for p in past_survey.completed]) == 0
    assert answers_tally_sweep() == 0

    assert {model.__name__: _rows(model) for model in TALLIES} == before
    counts = dict(
        OptionDayTally.objects.filter(question=past_survey.single).values_list(
            "option__label_en", "answers"
        )
    )
    assert counts == EXPECTED["options"]
    values = dict(
        ValueDayTally.objects.filter(question=past_survey.scale).values_list("value", "answers")
    )
    assert values == EXPECTED["scale"]


def test_unfinished_plays_are_not_tallied(past_survey):
    assert answers_tally(participation_ids=[p.pk for p in past_survey.unfinished]) == 0
    assert TalliedPlay.objects.count() == len(past_survey.completed)


def test_the_sweep_tallies_plays_completed_without_the_campaign_pages(past_survey):
    play = past_survey.unfinished[0]  # answered question 1 (sweet) and question 2 (5)
    Participation.objects.filter(pk=play.pk).update(completed_at=timezone.now())

    assert answers_tally_sweep() == 1

    assert ValueDayTally.objects.get(question=past_survey.scale, value=5).answers == 1
    assert OptionDayTally.objects.get(option=past_survey.options["sweet"]).answers == 7


def test_completing_a_play_tallies_its_answers_before_they_are_deleted(snack_quiz_played):
    participation, option = snack_quiz_played

    assert OptionDayTally.objects.get(option=option).answers == 1
    assert TalliedPlay.objects.filter(participation=participation).exists()
    # The campaign forgets the answers once the customer answered the consent prompt.
    from apps.campaigns.services import participation_keep_answers

    participation_keep_answers(participation=participation)
    assert not Answer.objects.filter(participation=participation).exists()
    assert OptionDayTally.objects.get(option=option).answers == 1


@pytest.fixture
def snack_quiz_played(purpose):
    from apps.campaigns.services import answer_submit, participation_complete, participation_start
    from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
    from tests.profiles.factories import ProfileFactory

    campaign = CampaignFactory(slug="snacks")
    question = QuestionFactory(campaign=campaign, position=1)
    option = OptionFactory(question=question)
    participation = participation_start(campaign=campaign, profile=ProfileFactory(), locale="de")
    answer_submit(participation=participation, question_id=question.pk, option_ids=[option.pk])
    participation_complete(participation=participation)
    return participation, option


def test_the_snapshot_counts_profile_depth_and_outstanding_points(survey):
    rollups_refresh()

    today = ProgramDayRollup.objects.get(day=site_today())
    assert today.profiles == 11
    assert today.declarations == 6
    assert today.liability == 300
    depth = dict(
        DistributionDayRollup.objects.filter(day=site_today(), kind="depth").values_list(
            "key", "count"
        )
    )
    assert depth == {"0": 5, "1": 6, "2": 0, "3-5": 0, "6-10": 0, "11+": 0}


def test_days_before_the_first_run_keep_no_snapshot(past_survey):
    rollups_refresh()

    assert ProgramDayRollup.objects.get(day=past_survey.day).profiles is None


def test_a_run_is_recorded(db):
    run = rollups_refresh(now=day_start(site_today()) + timedelta(hours=12))

    assert RollupRun.objects.get() == run
    assert run.finished_at is not None
    assert run.seconds is not None


def test_free_text_is_reduced_to_distinct_words():
    assert text_words("Lecker, lecker und sehr frisch! 100% ok") == {"lecker", "frisch"}


def test_consent_figures_count_refusals_and_withdrawals_apart(purpose):
    from apps.consent.evidence import Evidence
    from apps.consent.models import Channel
    from apps.consent.services import consent_grant, consent_withdraw
    from tests.consent.legacy import legacy_no
    from tests.profiles.factories import ProfileFactory

    decision_context = {
        "channel": Channel.WEB,
        "collection_point": "preference-center",
        "evidence": Evidence(),
        "language": "de",
    }
    refusing, withdrawing, refused_long_ago, withdrew_long_ago = ProfileFactory.create_batch(4)
    consent_withdraw(profile=refusing, purpose=purpose, **decision_context)
    for profile in (withdrawing, withdrew_long_ago):
        consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)
    consent_withdraw(profile=withdrawing, purpose=purpose, **decision_context)
    # Stored before a refusal had its own action: a first "no" was a withdrawal too.
    legacy_no(refused_long_ago, purpose)
    legacy_no(withdrew_long_ago, purpose)

    (row,) = figures.consent_figures(first=site_today(), last=site_today())

    assert (row["grants"], row["refusals"], row["withdrawals"]) == (2, 2, 2)


def test_consent_figures_count_a_no_after_a_yes_given_before_signing_in_as_a_withdrawal(purpose):
    from apps.consent.evidence import Evidence
    from apps.consent.models import Channel
    from apps.consent.services import consent_grant, consent_withdraw
    from apps.profiles.models import Profile
    from apps.profiles.services import profile_merge
    from tests.consent.legacy import legacy_no
    from tests.profiles.factories import ProfileFactory

    decision_context = {
        "channel": Channel.WEB,
        "collection_point": "preference-center",
        "evidence": Evidence(),
        "language": "de",
    }
    for takes_back in (consent_withdraw, None):
        device = ProfileFactory()
        consent_grant(profile=device, purpose_version=purpose.current_version, **decision_context)
        member = ProfileFactory(kind=Profile.Kind.MEMBER)
        profile_merge(source=device, target=member)
        if takes_back:
            takes_back(profile=member, purpose=purpose, **decision_context)
        else:
            # Stored before a refusal had its own action.
            legacy_no(member, purpose)

    (row,) = figures.consent_figures(first=site_today(), last=site_today())

    assert (row["grants"], row["refusals"], row["withdrawals"]) == (2, 0, 2)

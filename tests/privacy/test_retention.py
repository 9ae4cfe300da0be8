from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from apps.campaigns.models import Answer, Participation
from apps.preferences.models import Declaration, DeclarationHistory, Source
from apps.preferences.services import preference_declare
from apps.privacy.models import RetentionRule, RetentionRun
from apps.privacy.services.retention import retention_effective, retention_sweep
from tests.campaigns.factories import OptionFactory, QuestionFactory
from tests.consent.factories import grant_consent
from tests.preferences.conftest import withdraw
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

DAY_ONE = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def diet(purpose):
    return AttributeFactory(key="diet", purpose=purpose, choices=["vegan", "vegetarian"])


def _told(profile, attribute, value):
    grant_consent(profile, attribute.purpose)
    return preference_declare(
        profile=profile, attribute=attribute, value=value, source=Source.PREFERENCE_CENTER
    )


def _answered(profile, attribute, text="I love oat milk"):
    question = QuestionFactory(attribute=attribute)
    option = OptionFactory(question=question)
    participation = Participation.objects.create(campaign=question.campaign, profile=profile)
    answer = Answer.objects.create(participation=participation, question=question, text=text)
    answer.options.add(option)
    return answer


def test_without_rules_the_purposes_retention_and_30_days_after_withdrawal_apply(purpose):
    effective = {(r.purpose.key, r.data_kind): r for r in retention_effective()}

    rule = effective[("personalization", "declarations")]
    assert (rule.days_after_withdrawal, rule.max_age_days) == (30, purpose.retention_days)


def test_a_withdrawal_older_than_its_grace_removes_declarations_history_and_answers(purpose, diet):
    kept_profile, leaving = ProfileFactory(), ProfileFactory()
    with time_machine.travel(DAY_ONE, tick=False):
        _told(kept_profile, diet, "vegan")
        _told(leaving, diet, "vegan")
        _answered(leaving, diet)
        _answered(kept_profile, diet)
        withdraw(leaving, purpose)

    with time_machine.travel(DAY_ONE + timedelta(days=29), tick=False):
        assert retention_sweep().total_removed == 0

    with time_machine.travel(DAY_ONE + timedelta(days=31), tick=False):
        run = retention_sweep()

    assert run.removed == {"declarations": 1, "declaration_history": 1, "answers": 1}
    assert not Declaration.objects.filter(profile=leaving).exists()
    assert not DeclarationHistory.objects.filter(profile=leaving).exists()
    assert not Answer.objects.filter(participation__profile=leaving).exists()
    assert Declaration.objects.filter(profile=kept_profile).count() == 1
    assert Answer.objects.filter(participation__profile=kept_profile).count() == 1


def test_data_older_than_the_rule_goes_and_a_reconfirmation_keeps_it(purpose, diet):
    RetentionRule.objects.create(
        purpose=purpose, data_kind=RetentionRule.DataKind.DECLARATIONS, max_age_days=90
    )
    old, renewed = ProfileFactory(), ProfileFactory()
    with time_machine.travel(DAY_ONE, tick=False):
        _told(old, diet, "vegan")
        _told(renewed, diet, "vegan")
    with time_machine.travel(DAY_ONE + timedelta(days=60), tick=False):
        # Said again: confirmed, not a new value.
        preference_declare(
            profile=renewed, attribute=diet, value="vegan", source=Source.PREFERENCE_CENTER
        )

    with time_machine.travel(DAY_ONE + timedelta(days=100), tick=False):
        run = retention_sweep()

    assert run.removed["declarations"] == 1
    assert list(Declaration.objects.values_list("profile", flat=True)) == [renewed.pk]


def test_the_sweep_is_idempotent_and_reports_counts_only(purpose, diet):
    leaving = ProfileFactory()
    with time_machine.travel(DAY_ONE, tick=False):
        _told(leaving, diet, "vegan")
        withdraw(leaving, purpose)

    with time_machine.travel(DAY_ONE + timedelta(days=40), tick=False):
        first, second = retention_sweep(), retention_sweep()

    assert first.removed["declarations"] == 1
    assert second.total_removed == 0
    assert RetentionRun.objects.count() == 2
    assert "vegan" not in str(RetentionRun.objects.values_list("removed", flat=True))


def test_answers_that_tell_nothing_stay_with_the_game(purpose, diet):
    leaving = ProfileFactory()
    with time_machine.travel(DAY_ONE, tick=False):
        grant_consent(leaving, purpose)
        question = QuestionFactory(attribute=None)
        participation = Participation.objects.create(campaign=question.campaign, profile=leaving)
        Answer.objects.create(participation=participation, question=question)
        withdraw(leaving, purpose)

    with time_machine.travel(DAY_ONE + timedelta(days=400), tick=False):
        retention_sweep()

    assert Answer.objects.filter(participation__profile=leaving).count() == 1


def test_batches_remove_everything_due(purpose, diet, monkeypatch):
    monkeypatch.setattr("apps.privacy.services.retention.BATCH_SIZE", 2)
    profiles = [ProfileFactory() for _ in range(5)]
    with time_machine.travel(DAY_ONE, tick=False):
        for leaving in profiles:
            _told(leaving, diet, "vegan")
            withdraw(leaving, purpose)

    with time_machine.travel(DAY_ONE + timedelta(days=31), tick=False):
        run = retention_sweep()

    assert run.removed["declarations"] == 5
    assert not Declaration.objects.exists()


def test_the_nightly_task_runs_the_sweep_and_is_scheduled(purpose, diet, settings):
    from apps.privacy.tasks import retention_sweep_task

    leaving = ProfileFactory()
    with time_machine.travel(DAY_ONE, tick=False):
        _told(leaving, diet, "vegan")
        withdraw(leaving, purpose)

    with time_machine.travel(DAY_ONE + timedelta(days=31), tick=False):
        removed = retention_sweep_task.apply().get()

    assert removed["declarations"] == 1
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "apps.privacy.tasks.retention_sweep_task" in scheduled

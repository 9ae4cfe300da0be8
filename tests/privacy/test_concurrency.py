"""Requests that meet, on PostgreSQL, for real."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.campaigns.models import Answer, Question
from apps.campaigns.services import answer_submit, participation_start
from apps.core.models import OutboxEvent
from apps.loyalty.services import ledger_credit
from apps.privacy.models import DataRequest
from apps.privacy.services.data_requests import data_request_create
from apps.privacy.services.erasure import data_request_erase_run
from apps.profiles.models import Profile
from tests.campaigns.factories import CampaignFactory, QuestionFactory
from tests.concurrency import run_in_parallel
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def jobs_wait(monkeypatch):
    """Requests are made without starting their job, so the test runs it itself."""
    monkeypatch.setattr(
        "apps.privacy.services.data_requests.data_request_start", lambda **kwargs: None
    )


def _ledger_adds_up() -> None:
    output = StringIO()
    call_command("verify_ledger", stdout=output)
    assert "Every account adds up" in output.getvalue()


def test_two_erasure_requests_at_once_make_one_request(jobs_wait):
    profile = ProfileFactory()

    failures = run_in_parallel(6, lambda n: data_request_create(profile=profile, kind="erasure"))

    assert failures == []
    assert DataRequest.objects.filter(kind="erasure").count() == 1


def test_one_erasure_run_by_several_workers_at_once_erases_once(jobs_wait, export_root):
    profile = ProfileFactory()
    ledger_credit(profile=profile, points=40, idempotency_key="played", reason="quiz")
    data_request = data_request_create(profile=profile, kind="erasure")

    failures = run_in_parallel(4, lambda n: data_request_erase_run(data_request_id=data_request.pk))

    assert failures == []
    data_request.refresh_from_db()
    assert data_request.status == DataRequest.Status.DONE
    assert OutboxEvent.objects.filter(name="profile.erased").count() == 1
    assert Profile.objects.get(pk=profile.pk).kind == Profile.Kind.ERASED
    _ledger_adds_up()


def test_an_export_asked_for_twenty_times_at_once_is_made_once(export_root):
    profile = ProfileFactory()

    failures = run_in_parallel(20, lambda n: data_request_create(profile=profile, kind="export"))

    assert failures == []
    (data_request,) = DataRequest.objects.all()
    assert data_request.status == DataRequest.Status.DONE
    assert len(list(export_root.rglob("*.zip"))) == 1


def test_an_answer_given_while_the_player_is_erased_is_refused_or_erased(jobs_wait, export_root):
    profile = ProfileFactory()
    campaign = CampaignFactory(slug="mid-quiz")
    first = QuestionFactory(campaign=campaign, position=1, kind=Question.Kind.TEXT, max_length=200)
    QuestionFactory(campaign=campaign, position=2, kind=Question.Kind.TEXT, max_length=200)
    play = participation_start(campaign=campaign, profile=profile, locale="de")
    data_request = data_request_create(profile=profile, kind="erasure")

    def work(n: int) -> None:
        if n == 0:
            data_request_erase_run(data_request_id=data_request.pk)
        else:
            answer_submit(participation=play, question_id=first.pk, text=f"Antwort {n}")

    failures = run_in_parallel(4, work)

    assert failures == []
    assert DataRequest.objects.get().status == DataRequest.Status.DONE
    assert not Answer.objects.exists()

"""The jobs behind data-subject requests, and the periodic work that keeps them moving."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from kombu.exceptions import OperationalError

from apps.privacy.models import DataRequest
from apps.privacy.services.data_requests import data_request_create
from apps.privacy.tasks import (
    build_export_task,
    erase_profile_task,
    forget_old_exports_task,
    run_waiting_data_requests_task,
)
from apps.profiles.models import Profile

pytestmark = pytest.mark.django_db


def test_the_export_task_builds_the_file(profile, export_root):
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)

    build_export_task(data_request.pk)

    data_request.refresh_from_db()
    assert data_request.status == DataRequest.Status.DONE
    assert data_request.file


def test_the_erasure_task_erases(profile, export_root):
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.ERASURE)

    erase_profile_task(data_request.pk)

    profile.refresh_from_db()
    assert profile.kind == Profile.Kind.ERASED


def test_a_request_made_while_the_broker_is_down_waits_and_the_sweep_starts_it(
    profile, export_root, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(build_export_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        data_request = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)
    assert DataRequest.objects.get().status == DataRequest.Status.PENDING
    monkeypatch.undo()

    assert run_waiting_data_requests_task() == 0  # give its own task a moment first
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert run_waiting_data_requests_task() == 1

    data_request.refresh_from_db()
    assert data_request.status == DataRequest.Status.DONE


def test_old_export_files_are_forgotten(profile, export_root):
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)
    build_export_task(data_request.pk)

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert forget_old_exports_task() == 1

    data_request.refresh_from_db()
    assert (data_request.status, data_request.file.name) == (DataRequest.Status.DONE, "")

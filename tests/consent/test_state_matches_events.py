"""ConsentState always equals the latest ConsentEvent per (profile, purpose)."""

import itertools
import random
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.consent.evidence import Evidence
from apps.consent.models import Channel, ConsentEvent, ConsentState
from apps.consent.services import (
    consent_apply_gpc,
    consent_confirm_double_opt_in,
    consent_grant,
    consent_withdraw,
    double_opt_in_token,
)
from apps.core.exceptions import ApplicationError
from tests.consent.factories import publish_new_version, published_purpose
from tests.profiles.factories import ProfileFactory

STATUS_OF = {
    "grant": "granted",
    "refuse": "refused",
    "withdraw": "withdrawn",
    "request": "pending",
}
NO = {"refuse", "withdraw"}
CONTEXT = {
    "channel": Channel.WEB,
    "collection_point": "preference-center",
    "evidence": Evidence(),
    "language": "de",
}


def _assert_state_is_latest_event(profile, purpose) -> None:
    latest = ConsentEvent.objects.filter(profile=profile, purpose=purpose).order_by("-id").first()
    state = ConsentState.objects.filter(profile=profile, purpose=purpose).first()
    if latest is None:
        assert state is None
        return
    assert state.event_id == latest.pk
    assert state.status == STATUS_OF[latest.action]
    assert state.version_id == latest.purpose_version_id


def _apply(step: str, profile, purpose) -> None:
    purpose.refresh_from_db()
    try:
        if step == "grant":
            consent_grant(profile=profile, purpose_version=purpose.current_version, **CONTEXT)
        elif step == "withdraw":
            consent_withdraw(profile=profile, purpose=purpose, **CONTEXT)
        else:
            publish_new_version(purpose, is_material=step == "publish_material")
    except ApplicationError:
        pass


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.sampled_from(["grant", "withdraw", "publish_material", "publish_minor"]), max_size=15
    )
)
def test_state_equals_the_latest_event_for_any_sequence(steps):
    purpose = published_purpose(key=f"p_{uuid.uuid4().hex[:12]}")
    profile = ProfileFactory()

    for step in steps:
        _apply(step, profile, purpose)
        _assert_state_is_latest_event(profile, purpose)

    actions = list(
        ConsentEvent.objects.filter(profile=profile).order_by("id").values_list("action", flat=True)
    )
    assert all(a != b or a == "grant" for a, b in itertools.pairwise(actions))
    # A no never follows a no; a withdrawal always takes back the grant just before it.
    assert not any(a in NO and b in NO for a, b in itertools.pairwise(actions))
    assert all(a == "grant" for a, b in itertools.pairwise(actions) if b == "withdraw")
    assert actions[:1] != ["withdraw"]


def _apply_double_opt_in(step: str, profile, purpose) -> None:
    purpose.refresh_from_db()
    try:
        if step == "request":
            consent_grant(
                profile=profile,
                purpose_version=purpose.current_version,
                email="kim@example.com",
                **CONTEXT,
            )
        elif step == "confirm":
            pending = ConsentState.objects.filter(profile=profile, purpose=purpose).first()
            receipt_id = pending.event.receipt_id if pending else uuid.uuid4()
            consent_confirm_double_opt_in(
                token=double_opt_in_token(receipt_id=receipt_id), evidence=Evidence()
            )
        elif step == "gpc":
            consent_apply_gpc(
                profile=profile,
                evidence=Evidence(gpc_signal=True),
                collection_point="gpc:/",
                language="de",
            )
        else:
            _apply(step, profile, purpose)
    except ApplicationError:
        pass
    # The resend pause would hide most sequences; age every pending request past it.
    ConsentState.objects.filter(profile=profile).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.sampled_from(
            ["request", "confirm", "withdraw", "gpc", "publish_material", "publish_minor"]
        ),
        max_size=15,
    )
)
def test_state_equals_the_latest_event_with_double_opt_in_and_gpc(steps):
    purpose = published_purpose(
        key=f"n_{uuid.uuid4().hex[:12]}", requires_double_opt_in=True, is_sale_or_share=True
    )
    profile = ProfileFactory()

    for step in steps:
        _apply_double_opt_in(step, profile, purpose)
        _assert_state_is_latest_event(profile, purpose)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_state_equals_the_latest_event_under_concurrent_requests():
    purpose = published_purpose(key="personalization")
    profile = ProfileFactory()
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def customer_clicking(seed: int) -> None:
        chooser = random.Random(seed)
        try:
            barrier.wait()
            for _ in range(15):
                _apply(chooser.choice(["grant", "withdraw"]), profile, purpose)
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=customer_clicking, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert ConsentEvent.objects.filter(profile=profile).count() > 1
    _assert_state_is_latest_event(profile, purpose)
    actions = list(
        ConsentEvent.objects.filter(profile=profile).order_by("id").values_list("action", flat=True)
    )
    # Serialised on the profile row: a grant never follows a grant of the same version, and a
    # withdrawal never follows a withdrawal, however the clicks interleave.
    assert all(a != b for a, b in itertools.pairwise(actions))
    assert not any(a in NO and b in NO for a, b in itertools.pairwise(actions))

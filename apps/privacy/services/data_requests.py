"""Data-subject requests: asking for an export or an erasure, and the signed download link.

Asking is idempotent: one request of each kind is open per person at a time (a partial unique
constraint decides between requests made at the same moment), and asking again returns the
open one. The job starts after commit; if the broker is down the request waits, and
`run_waiting_data_requests_task` starts it a few minutes later.
"""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from apps.core.events import publish
from apps.core.exceptions import ApplicationError
from apps.privacy.models import DataRequest
from apps.profiles.models import Profile

logger = logging.getLogger(__name__)

DOWNLOAD_SALT = "resonanz.privacy.export-download"
# A request the worker has held this long without finishing is taken to have died with it.
RUNNING_LEASE = timedelta(minutes=30)


def data_request_start(*, data_request: DataRequest) -> None:
    """Hand the request's job to a worker. A worker that finds it taken or done does nothing."""
    from apps.privacy.tasks import build_export_task, erase_profile_task

    task = build_export_task if data_request.kind == DataRequest.Kind.EXPORT else erase_profile_task
    try:
        task.delay(data_request.pk)
    except (BrokerError, RedisError, OSError):
        logger.warning("Broker unreachable; data request %s waits for the sweep.", data_request.pk)


def _refuse_unless_requestable(profile: Profile) -> None:
    if profile.is_merged:
        raise ApplicationError(_("This profile was merged into another one."))
    if profile.is_erased:
        raise ApplicationError(_("Your data has already been deleted."))


@transaction.atomic
def data_request_create(
    *,
    profile: Profile,
    kind: str,
    channel: str = DataRequest.Channel.WEB,
    requested_by: AbstractBaseUser | None = None,
) -> DataRequest:
    """Ask for a copy (export) or the erasure of everything about the profile.

    Asking again while one is open returns the open one; an export finished in the last
    PRIVACY_EXPORT_MIN_INTERVAL seconds is offered instead of making another. An erasure
    already begun refuses new requests of either kind.
    """
    profile = Profile.objects.get(pk=profile.pk)
    open_request = DataRequest.objects.open().filter(profile=profile, kind=kind).first()
    if open_request is not None:
        return open_request
    _refuse_unless_requestable(profile)
    now = timezone.now()
    if kind == DataRequest.Kind.EXPORT:
        recent = (
            DataRequest.objects.filter(
                profile=profile,
                kind=kind,
                status=DataRequest.Status.DONE,
                completed_at__gte=now - timedelta(seconds=settings.PRIVACY_EXPORT_MIN_INTERVAL),
            )
            .exclude(file="")
            .order_by("-completed_at")
            .first()
        )
        if recent is not None:
            return recent
    try:
        with transaction.atomic():
            data_request = DataRequest.objects.create(
                profile=profile,
                kind=kind,
                channel=channel,
                requested_by=requested_by,
                requested_at=now,
                due_at=now + timedelta(days=settings.PRIVACY_REQUEST_DUE_DAYS),
            )
    except IntegrityError:
        # The same request made a moment ago, in another tab or by a double click.
        return DataRequest.objects.open().get(profile=profile, kind=kind)
    publish(
        "data_request.created",
        {"request": str(data_request.public_id), "kind": kind, "channel": channel},
    )
    transaction.on_commit(partial(data_request_start, data_request=data_request))
    return data_request


def data_request_claim(*, data_request_id: int, kind: str) -> DataRequest | None:
    """Take a waiting request for this run; None when another run has it or it is done, so
    a task delivered twice works once."""
    with transaction.atomic():
        data_request = (
            DataRequest.objects.select_for_update(of=("self",))
            .select_related("profile")
            .filter(pk=data_request_id, kind=kind)
            .first()
        )
        if data_request is None or data_request.status != DataRequest.Status.PENDING:
            return None
        data_request.status = DataRequest.Status.RUNNING
        data_request.started_at = timezone.now()
        data_request.error = ""
        data_request.save(update_fields=["status", "started_at", "error"])
        return data_request


def data_request_fail(*, data_request: DataRequest, error: str) -> DataRequest:
    """Record why a run failed; staff retry it from the requests desk."""
    data_request.status = DataRequest.Status.FAILED
    data_request.error = error[:500]
    DataRequest.objects.filter(pk=data_request.pk).update(
        status=data_request.status, error=data_request.error
    )
    return data_request


@transaction.atomic
def data_request_finish(*, data_request: DataRequest, **fields) -> DataRequest:
    data_request.status = DataRequest.Status.DONE
    data_request.completed_at = timezone.now()
    for name, value in fields.items():
        setattr(data_request, name, value)
    data_request.save(update_fields=["status", "completed_at", *fields])
    publish(
        "data_request.completed",
        {"request": str(data_request.public_id), "kind": data_request.kind},
    )
    return data_request


def data_requests_retryable() -> QuerySet[DataRequest]:
    """Failed requests, and running ones whose worker has evidently died."""
    stale = timezone.now() - RUNNING_LEASE
    return DataRequest.objects.filter(
        status=DataRequest.Status.FAILED
    ) | DataRequest.objects.filter(status=DataRequest.Status.RUNNING, started_at__lt=stale)


@transaction.atomic
def data_request_retry(*, data_request: DataRequest) -> DataRequest:
    """Run a failed (or evidently abandoned) request again. Every step is safe to repeat: an
    erasure goes on where it stopped."""
    locked = DataRequest.objects.select_for_update().get(pk=data_request.pk)
    if not data_requests_retryable().filter(pk=locked.pk).exists():
        raise ApplicationError(
            _("Only a failed request, or one stuck for half an hour, can be retried.")
        )
    locked.status = DataRequest.Status.PENDING
    locked.save(update_fields=["status"])
    transaction.on_commit(partial(data_request_start, data_request=locked))
    return locked


def data_requests_start_waiting(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Start requests still waiting a while after they were made (their task was lost, or the
    broker was down when they were made)."""
    waiting = list(
        DataRequest.objects.filter(
            status=DataRequest.Status.PENDING, requested_at__lt=timezone.now() - older_than
        ).order_by("due_at")[:100]
    )
    for data_request in waiting:
        data_request_start(data_request=data_request)
    return len(waiting)


# The download link -----------------------------------------------------------------------


class DownloadRefused(ApplicationError):
    """A download link that does not lead to a file, with the HTTP status that says why."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def export_download_token(*, data_request: DataRequest) -> str:
    """A link to one export for the person it belongs to; it works for PRIVACY_EXPORT_MAX_AGE."""
    return signing.dumps(
        {"r": str(data_request.public_id), "p": str(data_request.profile.public_id)},
        salt=DOWNLOAD_SALT,
        compress=True,
    )


def export_available_until(*, data_request: DataRequest) -> datetime | None:
    if data_request.completed_at is None:
        return None
    return data_request.completed_at + timedelta(seconds=settings.PRIVACY_EXPORT_MAX_AGE)


def export_download_check(*, token: str, profile: Profile | None) -> DataRequest:
    """The export a link leads to, for the person it belongs to, while it is kept."""
    try:
        claims = signing.loads(token, salt=DOWNLOAD_SALT, max_age=settings.PRIVACY_EXPORT_MAX_AGE)
    except signing.SignatureExpired as error:
        raise DownloadRefused(
            _("This download link has expired. Ask for a new copy of your data."), status=410
        ) from error
    except signing.BadSignature as error:
        raise DownloadRefused(_("This download link is not valid."), status=403) from error
    if profile is None or str(profile.public_id) != claims.get("p"):
        raise DownloadRefused(
            _(
                "This download belongs to someone else. Open it in the browser where the copy "
                "was requested, or sign in with the address it was sent to."
            ),
            status=403,
        )
    data_request = (
        DataRequest.objects.select_related("profile")
        .filter(public_id=claims.get("r"), profile=profile, kind=DataRequest.Kind.EXPORT)
        .first()
    )
    available_until = data_request and export_available_until(data_request=data_request)
    if (
        data_request is None
        or not data_request.file
        or available_until is None
        or available_until <= timezone.now()
    ):
        raise DownloadRefused(
            _("This copy of your data is no longer kept. Ask for a new one."), status=410
        )
    return data_request

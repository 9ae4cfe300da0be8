"""The privacy app's own part of a data-subject export and erasure (see registry.py), which
also covers the audit app's access log: the export shows it beside the requests it answers."""

from django.db import transaction

from apps.audit.selectors import access_log_for_profile
from apps.audit.services import access_log_reasons_forget
from apps.privacy.models import DataRequest, PartnerNotice
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_and_merged_ids


def export(profile: Profile) -> dict:
    requests = DataRequest.objects.filter(profile=profile).order_by("requested_at", "pk")
    notices = (
        PartnerNotice.objects.filter(profile__in=profile_and_merged_ids(profile=profile))
        .select_related("partner")
        .order_by("told_at", "pk")
    )
    return {
        "access_log": [
            {
                "at": entry.occurred_at,
                "who": entry.partner_name if entry.partner_name else entry.actor_kind,
                "action": entry.action,
                "data": entry.data_category,
                "purpose": entry.purpose_key,
            }
            for entry in access_log_for_profile(profile=profile).order_by("occurred_at", "pk")
        ],
        "requests": [
            {
                "reference": request.public_id,
                "request": request.kind,
                "channel": request.channel,
                "status": request.status,
                "requested_at": request.requested_at,
                "due_at": request.due_at,
                "completed_at": request.completed_at,
            }
            for request in requests
        ],
        "partners_told": [
            {
                "partner": notice.partner.name,
                "notice": notice.kind,
                "purpose": notice.purpose_key,
                "told_at": notice.told_at,
                "acknowledged_at": notice.acknowledged_at,
            }
            for notice in notices
        ],
    }


@transaction.atomic
def erase(profile: Profile) -> dict[str, int]:
    """Export files go. The requests stay as proof they were answered, the access log as
    proof of who read what, and the partner notices until every partner acknowledged; all
    point at the tombstone and name nobody."""
    profiles = profile_and_merged_ids(profile=profile)
    with_files = DataRequest.objects.filter(profile__in=profiles).exclude(file="")
    files = [request.file for request in with_files]
    with_files.update(file="")
    reasons = access_log_reasons_forget(profiles=profiles)
    # The files go once the rows no longer name them, so a rollback never points at nothing.
    transaction.on_commit(lambda: [file.storage.delete(file.name) for file in files])
    return {"export_files": len(files), "access_reasons": reasons}

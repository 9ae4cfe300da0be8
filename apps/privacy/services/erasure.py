"""Erasure of everything about a person (Art. 17 GDPR), app by app.

How the data stops pointing at a person. Consent events and ledger entries are kept, as proof
of what was agreed (Art. 7(1)) and for accounting, and append-only triggers protect them, so
they keep their foreign key to the profile row. That row therefore stays, as a tombstone that
no longer describes anybody: its identifiers (e-mail addresses, partner customer ids) are
deleted with every pending sign-in link, it gets a new random public id (the old one, which
partners and e-mails knew, leads nowhere), its language and time zone fall back to the
defaults, its sessions end, and its kind becomes "erased". Everything that said something
about the person goes: declarations and their history, answers, unfinished plays, challenge
progress, the leaderboard name, badges, segment memberships, offers shown, churn risk, export
files, the address a double opt-in link went to, and partners' own event properties. What
remains - consent events with their keyed hashes, ledger entries, finished plays with score
and outcome, the access log, the request itself - hangs off a row that nobody can be
recognised by.

The one link left from the old public id to the tombstone is kept by the privacy desk: the
partner notices of this request name the id the partners knew, because that is how the
privacy officer chases their acknowledgements. The partners themselves receive
`profile.erased` with that id and nothing else.

The job runs one transaction per app, in `ERASE_ORDER`, identity last. It is safe to run
again: every step deletes what is still there, so a retry goes on where a failure stopped.
"""

import logging

from django.db import transaction
from django.utils import timezone

from apps.core.events import publish
from apps.privacy.models import DataRequest
from apps.privacy.registry import privacy_parts_for_erasure
from apps.privacy.services.data_requests import (
    data_request_claim,
    data_request_fail,
    data_request_finish,
)
from apps.profiles.models import Identifier, Profile
from apps.profiles.services import profile_erasure_begin

logger = logging.getLogger(__name__)


def _subject(profile: Profile) -> dict:
    """What the end of the run must still know once the identity is gone: the id partners
    knew and which partners knew it."""
    partners = Identifier.objects.filter(profile=profile, kind=Identifier.Kind.EXTERNAL)
    return {
        "public_id": str(profile.public_id),
        "partners": sorted(set(partners.values_list("namespace", flat=True))),
    }


def data_request_erase_run(*, data_request_id: int) -> DataRequest | None:
    """Erase everything about the request's profile; see the module docstring."""
    data_request = data_request_claim(
        data_request_id=data_request_id, kind=DataRequest.Kind.ERASURE
    )
    if data_request is None:
        return None
    result = dict(data_request.result or {})
    try:
        with transaction.atomic():
            # Kept on the request while the run lasts, so a retry still knows it.
            result.setdefault("subject", _subject(data_request.profile))
            DataRequest.objects.filter(pk=data_request.pk).update(result=result)
            profile = profile_erasure_begin(profile=data_request.profile)
    except Exception as error:
        logger.exception("Erasure %s could not begin.", data_request.pk)
        return data_request_fail(
            data_request=data_request, error=f"{type(error).__name__}: {error}"
        )
    erased = result.setdefault("erased", {})
    for part in privacy_parts_for_erasure():
        try:
            with transaction.atomic():
                erased[part.label] = part.erase(profile)
        except Exception as error:
            logger.exception("Erasure %s failed in %s.", data_request.pk, part.label)
            DataRequest.objects.filter(pk=data_request.pk).update(result=result)
            return data_request_fail(
                data_request=data_request,
                error=f"{part.label}: {type(error).__name__}: {error}",
            )
        DataRequest.objects.filter(pk=data_request.pk).update(result=result)
    subject = result.pop("subject")
    result["erased_at"] = timezone.now().isoformat()
    with transaction.atomic():
        data_request_finish(data_request=data_request, result=result)
        publish(
            "profile.erased",
            {
                "profile": subject["public_id"],
                "partners": subject["partners"],
                "request": str(data_request.public_id),
            },
        )
    return data_request

"""What the load test's simulated people need in the database, written through the services
and the demo's own campaign builder, then handed to locust as one JSON file.

    python -m tests.load.world OUT.json --members 400 --partners 3

Runs with the same environment as gunicorn, after `migrate` and `seed_demo`.
"""

import argparse
import contextlib
import json
import secrets
import sys
import uuid
from pathlib import Path

import django


def _quizzes_ensure(count: int) -> list[dict]:
    """Quizzes shaped like the demo's trivia (same questions, the demo's loyalty program,
    the opinion that feeds a preference), with 5 to 8 questions each."""
    from apps.campaigns.demo import TRIVIA, _create
    from apps.campaigns.models import Campaign

    quizzes = []
    for number in range(1, count + 1):
        length = 5 + (number - 1) % 4
        slug = f"last-quiz-{number}"
        if not Campaign.objects.filter(slug=slug).exists():
            questions = (TRIVIA["questions"] * 3)[:length]
            _create({**TRIVIA, "slug": slug, "questions": questions}, 100 + number)
        quizzes.append({"slug": slug, "questions": length})
    return quizzes


def _signed_in_session(profile) -> str:
    from django.contrib.sessions.backends.db import SessionStore

    from apps.profiles.selectors import SESSION_GENERATION_KEY, SESSION_KEY

    session = SessionStore()
    session[SESSION_KEY] = profile.pk
    session[SESSION_GENERATION_KEY] = profile.session_generation
    session.create()
    return session.session_key


def _members_build(count: int) -> list[str]:
    """Verified members, signed in: one per simulated player, as if they had used the
    e-mail link (mailing and clicking it is not what this test measures)."""
    from django.db import transaction

    from apps.profiles.models import Identifier
    from apps.profiles.services import profile_sign_in_as

    sessions = []
    for _ in range(count):
        with transaction.atomic():
            member = profile_sign_in_as(
                kind=Identifier.Kind.EMAIL,
                value=f"last-{uuid.uuid4().hex[:12]}@example.org",
                current=None,
                locale="de",
            )
        sessions.append(_signed_in_session(member))
    return sessions


def _partners_build(count: int, customers: int) -> list[dict]:
    """Partners with every scope and their default request budget, each with linked
    customers who share with partners and told us one preference."""
    from apps.consent.evidence import Evidence
    from apps.consent.models import Channel, Purpose
    from apps.consent.services import consent_grant
    from apps.core.exceptions import ApplicationError
    from apps.partners.models import Scope
    from apps.partners.services import partner_client_create, partner_link_customer
    from apps.preferences.models import Attribute, Source
    from apps.preferences.services import preference_declare

    purposes = list(Purpose.objects.filter(key__in=["partner_sharing", "personalization"]))
    attribute = Attribute.objects.get(key="favourite_category")
    partners = []
    for _ in range(count):
        key = f"last-shop-{secrets.token_hex(4)}"
        partner, secret = partner_client_create(
            name=key, key=key, scopes=list(Scope.values), purpose_keys=[p.key for p in purposes]
        )
        profile_ids = []
        for number in range(customers):
            profile, _new = partner_link_customer(partner=partner, external_id=f"c-{number}")
            for purpose in purposes:
                consent_grant(
                    profile=profile,
                    purpose_version=purpose.current_version,
                    channel=Channel.WEB,
                    collection_point="load-test",
                    evidence=Evidence(),
                    language="de",
                )
            # A preference refused here leaves an empty read, still a read.
            with contextlib.suppress(ApplicationError):
                preference_declare(
                    profile=profile,
                    attribute=attribute,
                    value="savory",
                    source=Source.PREFERENCE_CENTER,
                )
            profile_ids.append(str(profile.public_id))
        partners.append(
            {"client_id": partner.application.client_id, "secret": secret, "profiles": profile_ids}
        )
    return partners


def _staff_sessions(count: int) -> list[str]:
    """Sessions of the demo staff member past both factors, as the two-factor sign-in leaves
    them. Signing in through the form for each would reuse one TOTP code, which django-otp
    rightly refuses within its 30 seconds."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from apps.core.demo import DEMO_STAFF_USERNAME

    user = get_user_model().objects.get(username=DEMO_STAFF_USERNAME)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    sessions = []
    for _ in range(count):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        sessions.append(session.session_key)
    return sessions


def _staff_urls() -> dict[str, str]:
    from django.urls import reverse

    from apps.personalization.demo import SEGMENTS

    _key, _name, rule = SEGMENTS[0]
    return {
        "dashboard": reverse("admin:insights_program"),
        "segment_count": reverse("admin:personalization_segment_preview"),
        "segment_rule": json.dumps(rule),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.load.world")
    parser.add_argument("out", type=Path)
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--partners", type=int, default=3)
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--staff", type=int, default=2)
    parser.add_argument("--quizzes", type=int, default=12)
    options = parser.parse_args()
    django.setup()
    world = {
        "quizzes": _quizzes_ensure(options.quizzes),
        "members": _members_build(options.members),
        "partners": _partners_build(options.partners, options.customers),
        "staff": _staff_sessions(options.staff),
        "staff_urls": _staff_urls(),
    }
    options.out.write_text(json.dumps(world))
    sys.stdout.write(
        f"{len(world['members'])} members, {len(world['partners'])} partners, "
        f"{len(world['quizzes'])} quizzes\n"
    )


if __name__ == "__main__":
    main()

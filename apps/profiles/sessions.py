"""Which profile a browser session belongs to. HTTP state, kept out of the services.

Customer sign-in lives in its own session keys, apart from Django's staff authentication: a
customer never gets a staff session, and a staff login never makes anyone a customer.
"""

import secrets

from django.contrib.sessions.backends.base import SessionBase

from apps.profiles.models import Profile
from apps.profiles.selectors import SESSION_GENERATION_KEY, SESSION_KEY

SIGN_IN_NONCE_KEY = "resonanz_sign_in_nonce"


def session_remember_profile(*, session: SessionBase, profile: Profile) -> None:
    """Call after the write that created or used the profile has committed. A staff user's
    test customer is never remembered: it belongs to their login, not to the browser."""
    if profile.is_test:
        return
    if session.get(SESSION_KEY) != profile.pk:
        session.cycle_key()
        session[SESSION_KEY] = profile.pk
        session[SESSION_GENERATION_KEY] = profile.session_generation


def session_sign_in(*, session: SessionBase, profile: Profile) -> None:
    """A new session key on every sign-in, so a planted session id is worth nothing."""
    session.pop(SIGN_IN_NONCE_KEY, None)
    session.cycle_key()
    session[SESSION_KEY] = profile.pk
    session[SESSION_GENERATION_KEY] = profile.session_generation


def session_sign_out(*, session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)
    session.pop(SESSION_GENERATION_KEY, None)
    session.cycle_key()


def session_sign_in_nonce(*, session: SessionBase) -> str:
    """A secret of this browser that its sign-in links are bound to; one per session."""
    if SIGN_IN_NONCE_KEY not in session:
        session[SIGN_IN_NONCE_KEY] = secrets.token_urlsafe(32)
    return session[SIGN_IN_NONCE_KEY]

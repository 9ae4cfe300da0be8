from django.conf import settings
from django.http import HttpRequest

from apps.consent.selectors import PurposeChoice, consent_reprompt_choices


def consent_reprompt(request: HttpRequest) -> dict[str, object]:
    """Purposes whose wording changed materially since the visitor agreed. A callable, so the
    query runs only on pages that show the prompt; a visitor without a session has no profile,
    so nothing to ask again."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return {"consent_reprompt": ()}

    def choices() -> list[PurposeChoice]:
        return consent_reprompt_choices(profile=getattr(request, "profile", None) or None)

    return {"consent_reprompt": choices}

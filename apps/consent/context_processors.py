from django.http import HttpRequest

from apps.consent.selectors import PurposeChoice, consent_reprompt_choices


def consent_reprompt(request: HttpRequest) -> dict[str, object]:
    """Purposes whose wording changed materially since the visitor agreed. A callable, so the
    query runs only on pages that show the prompt, and only for visitors with a profile."""

    def choices() -> list[PurposeChoice]:
        return consent_reprompt_choices(profile=getattr(request, "profile", None) or None)

    return {"consent_reprompt": choices}

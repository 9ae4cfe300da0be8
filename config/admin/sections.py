"""The admin's sections: its pages grouped by the job staff do there, not by app.

Each role sees a section only when it may see one of its pages. System holds staff accounts
and the machinery (the outbox, OAuth tables, rollup runs); the machinery, and anything not
named here until someone gives it a place, only superusers see, whatever permissions others
were given."""

from dataclasses import dataclass

from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Section:
    slug: str
    title: Promise
    # "app_label.model_name", in the order the section lists them; "app_label.*" for all.
    models: tuple[str, ...]


SYSTEM = "system"

SECTIONS = (
    Section(
        "campaigns",
        pgettext_lazy("admin section", "Campaigns & challenges"),
        (
            "campaigns.campaign",
            "campaigns.question",
            "challenges.challenge",
            "challenges.leaderboardname",
        ),
    ),
    Section(
        "loyalty",
        pgettext_lazy("admin section", "Loyalty & rewards"),
        ("loyalty.reward", "loyalty.earningrule", "loyalty.tier", "loyalty.badge"),
    ),
    Section(
        "customers",
        pgettext_lazy("admin section", "Customers"),
        (
            "profiles.profile",
            "loyalty.account",
            "loyalty.ledgerentry",
            "loyalty.redemption",
            "preferences.declaration",
            "preferences.declarationhistory",
            "personalization.careflag",
        ),
    ),
    Section(
        "personalisation",
        pgettext_lazy("admin section", "Personalisation"),
        (
            "personalization.segment",
            "personalization.offer",
            "personalization.churnscore",
            "preferences.attribute",
        ),
    ),
    Section("insights", pgettext_lazy("admin section", "Insights"), ("insights.dashboard",)),
    Section(
        "privacy",
        pgettext_lazy("admin section", "Privacy"),
        (
            "privacy.datarequest",
            "consent.purpose",
            "consent.purposeversion",
            "consent.consentstate",
            "consent.consentevent",
            "privacy.partnernotice",
            "privacy.retentionrule",
            "privacy.retentionrun",
            "audit.accesslog",
            "audit.configchange",
        ),
    ),
    Section(
        "partners",
        pgettext_lazy("admin section", "Partners"),
        ("partners.partnerclient", "partners.webhookendpoint", "partners.webhookdelivery"),
    ),
    Section(
        SYSTEM,
        pgettext_lazy("admin section", "System"),
        (
            "auth.user",
            "auth.group",
            # Locked-out sign-ins (delete an attempt to lift the lock) and sign-in logs.
            "axes.accessattempt",
            "axes.*",
            "core.outboxevent",
            "insights.rolluprun",
            "oauth2_provider.*",
        ),
    ),
)
MACHINERY = (
    "core.outboxevent",
    "insights.rolluprun",
    "oauth2_provider.*",
    # Staff's addresses and sign-ins: superusers only, whatever else a role is given.
    "axes.*",
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}


def _key(model: type[Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _names(model: type[Model]) -> tuple[str, str]:
    return _key(model), f"{model._meta.app_label}.*"


def section_place(model: type[Model]) -> tuple[Section, int] | None:
    """The section a model belongs to and its place in it; None for a model not named."""
    names = _names(model)
    for section in SECTIONS:
        for place, name in enumerate(section.models):
            if name in names:
                return section, place
    return None


def is_superuser_only(model: type[Model]) -> bool:
    return section_place(model) is None or any(name in MACHINERY for name in _names(model))

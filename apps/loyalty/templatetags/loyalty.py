from django import template

from apps.loyalty.models import Account
from apps.loyalty.selectors import account_for_profile

register = template.Library()


@register.simple_tag(takes_context=True)
def points_account_for_visitor(context) -> Account | None:
    """The visitor's points account with its tier, for pages of apps that sit beside loyalty
    (the preference center) and so may not import it; nothing (and no query) for a new visitor."""
    request = context.get("request")
    profile = (getattr(request, "profile", None) if request else None) or None
    return account_for_profile(profile=profile)

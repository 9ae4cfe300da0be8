from django import template

from apps.personalization.selectors import next_best_action
from apps.personalization.services import offers_shown

register = template.Library()


@register.inclusion_tag("personalization/next-action.html", takes_context=True)
def next_best_action_for_visitor(context) -> dict:
    """The home page's suggestion for a returning customer; nothing (and no query) for a
    first visit."""
    request = context.get("request")
    profile = (getattr(request, "profile", None) if request else None) or None
    action = next_best_action(profile=profile)
    if action and action.offer:
        offers_shown(profile=profile, offers=[action.offer])
    return {"action": action}

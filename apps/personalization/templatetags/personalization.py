from django import template

from apps.personalization.selectors import next_best_action, recommendations
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


@register.inclusion_tag("personalization/picks.html", takes_context=True)
def recommendations_for_visitor(context, limit: int = 2, show_empty: bool = False) -> dict:
    """A few offers with their reasons, where a customer has just told us something; with
    `show_empty`, a pointer to the "For you" page when there is nothing to pick yet."""
    request = context.get("request")
    profile = (getattr(request, "profile", None) if request else None) or None
    picks = recommendations(profile=profile, limit=limit) if profile else []
    if picks:
        offers_shown(profile=profile, offers=[pick.offer for pick in picks])
    return {"picks": picks, "show_empty": show_empty}

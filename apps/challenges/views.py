from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.challenges.forms import DisplayNameForm
from apps.challenges.models import Challenge
from apps.challenges.periods import period_of
from apps.challenges.selectors import (
    badge_shelf,
    challenges_for_profile,
    leaderboard_name_of,
    leaderboard_rank_of,
    leaderboard_ranking,
    local_today,
)
from apps.challenges.services import LEADERBOARD_PURPOSE, leaderboard_join, leaderboard_leave
from apps.consent.selectors import consent_is_granted
from apps.core.exceptions import ApplicationError
from apps.core.ratelimits import limit_posts
from apps.profiles.http import HtmxHttpRequest


def _page(request: HtmxHttpRequest, form: DisplayNameForm | None = None, status: int = 200):
    profile = request.profile or None
    name = leaderboard_name_of(profile=profile)
    context = {
        "challenges": challenges_for_profile(profile=profile),
        "badges": badge_shelf(profile=profile),
        "leaderboard_name": name,
        "leaderboard_allowed": bool(profile)
        and consent_is_granted(profile=profile, purpose_key=LEADERBOARD_PURPOSE),
        "form": form
        or DisplayNameForm(initial={"display_name": name.display_name if name else ""}),
    }
    return render(request, "challenges/page.html", context, status=status)


@require_GET
def challenges_page(request: HtmxHttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@limit_posts(key="ip", rate="20/m")
def leaderboard_join_view(request: HtmxHttpRequest) -> HttpResponse:
    form = DisplayNameForm(request.POST)
    profile = request.profile or None
    if form.is_valid():
        if profile is None:
            form.add_error(None, _("Take part in a campaign or challenge first."))
        else:
            try:
                leaderboard_join(profile=profile, display_name=form.cleaned_data["display_name"])
            except ApplicationError as error:
                form.add_error("display_name", error.message)
    if not form.is_valid():
        return _page(request, form, status=400)
    messages.success(request, _("You are on the leaderboards now."))
    return redirect("challenges:page")


@require_POST
def leaderboard_leave_view(request: HtmxHttpRequest) -> HttpResponse:
    if request.profile:
        leaderboard_leave(profile=request.profile)
    messages.success(request, _("You are no longer shown on leaderboards."))
    return redirect("challenges:page")


@require_GET
def leaderboard_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    challenge = Challenge.objects.running().filter(slug=slug, has_leaderboard=True).first()
    if challenge is None or challenge.is_hidden:
        raise Http404
    profile = request.profile or None
    period = period_of(challenge, local_today(profile))
    rank = (
        leaderboard_rank_of(challenge=challenge, period=period, profile=profile)
        if profile
        else None
    )
    context = {
        "challenge": challenge,
        "rows": leaderboard_ranking(challenge=challenge, period=period),
        "my_rank": rank,
        "my_profile_id": profile.pk if profile else None,
    }
    return render(request, "challenges/leaderboard.html", context)

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.campaigns.assessments import assessment_result
from apps.campaigns.cards import share_card_png
from apps.campaigns.models import Campaign, Participation
from apps.campaigns.selectors import (
    answer_was_correct,
    campaign_get_live,
    campaign_list_live,
    campaign_questions_with_options,
    learned_from,
    next_unanswered_number,
    participation_for,
    participation_next_round_at,
    poll_results,
    question_at,
    question_step,
)
from apps.campaigns.services import (
    campaign_count_view,
    campaign_publish_problems,
    participation_answer,
    participation_keep_answers,
    participation_show_question,
    participation_start,
    participation_withhold,
)
from apps.consent.evidence import gpc_signal
from apps.consent.selectors import consent_choices
from apps.core.exceptions import ApplicationError
from apps.core.ratelimits import limit_posts
from apps.loyalty.selectors import points_earned_for
from apps.profiles.http import HtmxHttpRequest
from apps.profiles.models import Profile
from apps.profiles.sessions import session_remember_profile


def _campaign_or_404(slug: str) -> Campaign:
    campaign = campaign_get_live(slug=slug)
    if campaign is None:
        raise Http404(_("This campaign is not running."))
    return campaign


def _own_participation(request: HtmxHttpRequest, campaign: Campaign) -> Participation | None:
    return participation_for(campaign=campaign, profile=request.profile or None)


def _step_url(campaign: Campaign, number: int) -> str:
    return reverse("campaigns:question", args=[campaign.slug, number])


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Leave the player for a whole page: htmx must not swap it into the question card."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _participant_campaign_or_404(slug: str) -> Campaign:
    """Any campaign, running or not: a player may see their result and decide what we keep
    after the campaign ended."""
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        raise Http404(_("This campaign is not running."))
    return campaign


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    # The live list is cached with the page content (see the template). It is handed over as
    # a callable, so on a cache hit not even the queryset is built.
    return render(request, "campaigns/home.html", {"live_campaigns": campaign_list_live})


@require_GET
def campaign_intro(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign_or_404(slug)
    campaign_count_view(campaign=campaign)
    participation = _own_participation(request, campaign)
    again_at = participation and participation_next_round_at(participation=participation)
    profile = request.profile or None
    return render(
        request,
        "campaigns/intro.html",
        {
            "campaign": campaign,
            "participation": participation,
            "may_play_again": again_at is not None and again_at <= timezone.now(),
            "play_again_at": again_at,
            "members_only": campaign.requires_sign_in
            and (profile is None or profile.kind != Profile.Kind.MEMBER),
        },
    )


# Fair play without tracking people: counters per session and per (hashed) address, kept in
# the shared cache for a minute.
START_LIMIT = "20/m"
ANSWER_LIMIT = "120/m"


@require_POST
@limit_posts(key="ip", rate=START_LIMIT)
def campaign_start(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign_or_404(slug)
    try:
        participation = participation_start(
            campaign=campaign, profile=request.profile or None, locale=get_language()
        )
    except ApplicationError as problem:
        messages.error(request, problem.message)
        return redirect("home")
    session_remember_profile(session=request.session, profile=participation.profile)
    if participation.is_completed:
        return redirect("campaigns:result", slug=slug)
    return redirect(_step_url(campaign, next_unanswered_number(participation=participation) or 1))


MAX_ID = 2**31 - 1


def _integers(values: list[str]) -> list[int]:
    """Posted ids or numbers; anything else, or out of range, becomes an id nothing has."""
    try:
        numbers = [int(value) for value in values]
    except ValueError:
        return [-1]
    return [n if -MAX_ID <= n <= MAX_ID else -1 for n in numbers]


def _render_step(request, campaign, participation, number, *, error="", feedback=None):
    step = question_step(participation=participation, number=number)
    if step is None:
        raise Http404(_("This question is not part of this campaign."))
    seconds_left = participation_show_question(participation=participation, question=step.question)
    context = {
        "campaign": campaign,
        "step": step,
        "seconds_left": seconds_left,
        "error": error,
        "feedback": feedback,
    }
    template = "campaigns/play.html#question-card" if request.htmx else "campaigns/play.html"
    return render(request, template, context)


@require_GET
def question_show(request: HtmxHttpRequest, slug: str, number: int) -> HttpResponse:
    campaign = _campaign_or_404(slug)
    participation = _own_participation(request, campaign)
    if participation is None:
        return redirect("campaigns:intro", slug=slug)
    if participation.is_completed:
        return redirect("campaigns:result", slug=slug)
    return _render_step(request, campaign, participation, number)


@require_POST
@limit_posts(key="ip", rate=ANSWER_LIMIT)
def question_answer(request: HtmxHttpRequest, slug: str, number: int) -> HttpResponse:
    campaign = _campaign_or_404(slug)
    participation = _own_participation(request, campaign)
    if participation is None:
        return redirect("campaigns:intro", slug=slug)
    if participation.is_completed:
        # A double click on "finish", or a replayed POST: the result is already there.
        return _go(request, reverse("campaigns:result", args=[slug]))
    question = question_at(campaign=campaign, number=number)
    if question is None:
        raise Http404(_("This question is not part of this campaign."))
    option_ids = _integers(request.POST.getlist("option"))
    scale_value = next(iter(_integers(request.POST.getlist("value"))), None)
    timed_out = request.POST.get("timed_out") == "1"
    try:
        upcoming = participation_answer(
            participation=participation,
            question_id=question.pk,
            option_ids=option_ids,
            number=scale_value,
            text=request.POST.get("text", "")[:2000],
            timed_out=timed_out,
        )
    except ApplicationError as problem:
        return _render_step(request, campaign, participation, number, error=problem.message)
    feedback = None
    if timed_out and not option_ids and scale_value is None:
        feedback = _("Time is up.")
    elif campaign.kind == Campaign.Kind.TRIVIA:
        right = answer_was_correct(answer_option_ids=set(option_ids), question=question)
        feedback = _("Right!") if right else _("Not quite.")
    if upcoming is None:
        return _go(request, reverse("campaigns:result", args=[slug]))
    if request.htmx:
        return _render_step(request, campaign, participation, upcoming, feedback=feedback)
    if feedback:
        messages.info(request, feedback)
    return redirect(_step_url(campaign, upcoming))


@require_GET
def campaign_result(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    campaign = _participant_campaign_or_404(slug)
    participation = _own_participation(request, campaign)
    if participation is None or not participation.is_completed:
        return redirect("campaigns:intro", slug=slug)
    purpose_keys = campaign.purposes.values_list("key", flat=True)
    return render(
        request,
        "campaigns/result.html",
        {
            "campaign": campaign,
            "participation": participation,
            "total": campaign.questions.count(),
            "points": points_earned_for(
                profile=participation.profile, occurrence=f"participation:{participation.pk}"
            ),
            "learned": learned_from(participation=participation),
            "poll": poll_results(campaign=campaign) if campaign.kind == Campaign.Kind.POLL else [],
            "assessment": assessment_result(participation=participation),
            "choices": consent_choices(profile=participation.profile, purpose_keys=purpose_keys),
            "gpc": gpc_signal(request),
            "next_url": request.get_full_path(),
            "collection_point": f"campaign:{campaign.slug}",
        },
    )


@require_POST
def campaign_finish(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    campaign = _participant_campaign_or_404(slug)
    participation = _own_participation(request, campaign)
    if participation is None:
        return redirect("campaigns:intro", slug=slug)
    try:
        kept = participation_keep_answers(participation=participation)
    except ApplicationError as problem:
        messages.error(request, problem.message)
        return redirect("campaigns:intro", slug=slug)
    if kept:
        messages.success(request, _("Thank you. We keep what you agreed to; see it in My data."))
    else:
        messages.success(request, _("Thank you. We keep none of your answers on your profile."))
    return redirect("preferences:center")


@require_POST
def answer_withhold(request: HtmxHttpRequest, slug: str, attribute_id: int) -> HttpResponse:
    campaign = _participant_campaign_or_404(slug)
    participation = _own_participation(request, campaign)
    if participation is None:
        return redirect("campaigns:intro", slug=slug)
    try:
        participation_withhold(participation=participation, attribute_id=attribute_id)
    except ApplicationError as problem:
        messages.error(request, problem.message)
    return redirect("campaigns:result", slug=slug)


@require_GET
@cache_control(max_age=300, public=True)
def campaign_theme(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The campaign's colours as CSS variables: a stylesheet, so the CSP needs no inline style."""
    campaign = _campaign_or_404(slug)
    css = (
        ":root {"
        f" --color-brand: {campaign.theme_brand};"
        f" --color-bg: {campaign.theme_background};"
        " }\n"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@staff_member_required
@require_GET
def campaign_preview(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Staff see any campaign, draft or live, as customers will, with what each answer means;
    nothing is recorded."""
    campaign = get_object_or_404(Campaign, slug=slug)
    return render(
        request,
        "campaigns/preview.html",
        {
            "campaign": campaign,
            "questions": campaign_questions_with_options(campaign=campaign),
            "problems": campaign_publish_problems(campaign=campaign),
        },
    )


@require_GET
@cache_control(max_age=86400, public=True)
def campaign_share_card(request: HtmxHttpRequest, slug: str, outcome_key: str) -> HttpResponse:
    """A result to share: the outcome (or the campaign) in its colours, never the player."""
    campaign = _campaign_or_404(slug)
    outcome = campaign.outcomes.filter(key=outcome_key).first()
    if outcome is None and outcome_key != "taken-part":
        raise Http404(_("This result does not exist."))
    headline = outcome.title if outcome else _("I took part!")
    png = share_card_png(
        headline=headline,
        campaign_title=campaign.title,
        brand=settings.BRAND_NAME,
        colour=campaign.theme_brand,
    )
    return HttpResponse(png, content_type="image/png")


@require_GET
@never_cache
def campaign_poll_results(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Live totals for a poll's result screen; counts only, never who voted what."""
    campaign = _participant_campaign_or_404(slug)
    participation = _own_participation(request, campaign)
    if campaign.kind != Campaign.Kind.POLL or not (participation and participation.is_completed):
        raise Http404(_("This campaign is not a poll."))
    context = {"campaign": campaign, "poll": poll_results(campaign=campaign)}
    return render(request, "campaigns/result.html#poll-results", context)

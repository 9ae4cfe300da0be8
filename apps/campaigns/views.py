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
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url

from apps.campaigns.assessments import assessment_result
from apps.campaigns.cards import share_card_png
from apps.campaigns.framing import play_started_announce, play_started_remember
from apps.campaigns.models import Campaign, Participation
from apps.campaigns.selectors import (
    Step,
    answer_feedback,
    answer_is_fixed,
    campaign_get_live,
    campaign_next_for,
    campaign_questions_with_options,
    home_cards_for,
    learned_from,
    learned_purpose_keys,
    next_unanswered_number,
    participation_for,
    participation_kept,
    participation_next_round_at,
    participation_points,
    participation_resume_at,
    poll_results,
    question_at,
    question_step,
    scored_question_count,
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
from apps.campaigns.sharing import TAKEN_PART, ShareCard, share_card_for, share_card_of, share_links
from apps.campaigns.test_play import is_test_play
from apps.consent.evidence import gpc_signal
from apps.consent.selectors import consent_choices
from apps.core.exceptions import ApplicationError
from apps.core.ratelimits import limit_posts
from apps.loyalty.selectors import account_for_profile, reward_list_within_reach
from apps.loyalty.velocity import earning_allowed, earning_count
from apps.profiles.http import HtmxHttpRequest
from apps.profiles.models import Profile
from apps.profiles.sessions import session_remember_profile


def _campaign_or_404(request: HtmxHttpRequest, slug: str) -> Campaign:
    campaign = campaign_get_live(slug=slug)
    if campaign is None and is_test_play(request):
        campaign = Campaign.objects.filter(slug=slug).first()  # staff try drafts too
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


def _share(request: HtmxHttpRequest, campaign: Campaign, card: ShareCard | None) -> dict:
    return {"share": share_links(campaign=campaign, card=card, absolute=request.build_absolute_uri)}


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    # What every card says to everybody is kept by each process (`campaign_cards_live`); only
    # where this customer stands is asked for, in one query, and nothing for a first visit.
    cards = home_cards_for(profile=request.profile or None)
    return render(request, "campaigns/home.html", {"cards": cards})


@require_GET
def campaign_intro(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign_or_404(request, slug)
    if not is_test_play(request):
        campaign_count_view(campaign=campaign)
    participation = _own_participation(request, campaign)
    again_at = participation and participation_next_round_at(participation=participation)
    profile = request.profile or None
    # A shared result: the page shows the campaign, its preview in messengers shows the card.
    shared = request.GET.get("result", "")[:80]
    card = share_card_for(campaign=campaign, key=shared) if shared else None
    return render(
        request,
        "campaigns/intro.html",
        {
            **_share(request, campaign, card),
            "shared": card if card and card.key != TAKEN_PART else None,
            "campaign": campaign,
            "participation": participation,
            "may_play_again": again_at is not None and again_at <= timezone.now(),
            "play_again_at": again_at,
            "resume_at": participation_resume_at(participation=participation),
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
    campaign = _campaign_or_404(request, slug)
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
    play_started_remember(request, campaign_slug=slug)
    return redirect(_step_url(campaign, next_unanswered_number(participation=participation) or 1))


MAX_ID = 2**31 - 1


def _integers(values: list[str]) -> list[int]:
    """Posted ids or numbers; anything else, or out of range, becomes an id nothing has."""
    try:
        numbers = [int(value) for value in values]
    except ValueError:
        return [-1]
    return [n if -MAX_ID <= n <= MAX_ID else -1 for n in numbers]


# The next question is not known yet: look it up.
_LOOK_UP = object()


def _render_step(
    request: HtmxHttpRequest,
    campaign: Campaign,
    participation: Participation,
    step: Step,
    *,
    error: str = "",
    feedback: str | None = None,
    upcoming: object = _LOOK_UP,
) -> HttpResponse:
    answered = answer_feedback(step=step)
    # Once finished, only a trivia answer's feedback is shown again; the rest is the result.
    if answered is None and participation.is_completed:
        return _go(request, reverse("campaigns:result", args=[campaign.slug]))
    context = {
        "campaign": campaign,
        "step": step,
        "error": error,
        "feedback": feedback,
        "answer_feedback": answered,
    }
    if answered is None:
        seconds_left = None
        if step.number == step.upcoming:
            # Looking back at an answered question neither starts nor restarts a countdown.
            seconds_left = participation_show_question(
                participation=participation, question=step.question
            )
        context["seconds_left"] = seconds_left
        context["play_started"] = play_started_announce(request, campaign_slug=campaign.slug)
    else:
        if upcoming is _LOOK_UP:
            upcoming = None if participation.is_completed else step.upcoming
        # "Next" leads to the next question on the player's way, or to the result.
        context["next_is_result"] = not upcoming
        app = request.resolver_match.namespace  # in the admin's preview the link stays in it
        context["next_url"] = (
            reverse("campaigns:question", args=[campaign.slug, upcoming], current_app=app)
            if upcoming
            else reverse("campaigns:result", args=[campaign.slug], current_app=app)
        )
    # htmx restoring a page from history wants the whole page, not the card.
    card = request.htmx and not request.htmx.history_restore_request
    template = "campaigns/play.html#question-card" if card else "campaigns/play.html"
    return render(request, template, context)


def _step_or_404(participation: Participation, number: int) -> Step:
    step = question_step(participation=participation, number=number)
    if step is None:
        raise Http404(_("This question is not part of this campaign."))
    return step


def _show_answered(
    request: HtmxHttpRequest,
    campaign: Campaign,
    participation: Participation,
    number: int,
    upcoming: object = _LOOK_UP,
) -> HttpResponse:
    """A trivia answer's feedback on the same screen and at the same address; without
    JavaScript by a redirect to that address, so a reload or Back shows it again."""
    if request.htmx:
        step = _step_or_404(participation, number)
        return _render_step(request, campaign, participation, step, upcoming=upcoming)
    return redirect(_step_url(campaign, number))


# Each question has its own address, shown while it is played: a reload, Back and a later
# visit must find the page as it was, never a stored copy or a bare card.
@require_GET
@never_cache
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def question_show(request: HtmxHttpRequest, slug: str, number: int) -> HttpResponse:
    campaign = _campaign_or_404(request, slug)
    participation = _own_participation(request, campaign)
    if participation is None:
        return redirect("campaigns:intro", slug=slug)
    question = question_at(campaign=campaign, number=number)
    if participation.is_completed and not (question and answer_is_fixed(question=question)):
        return redirect("campaigns:result", slug=slug)
    step = _step_or_404(participation, number)
    if not step.reachable:
        # Skipped ahead in the address, or off the way the answers chose.
        return redirect(_step_url(campaign, step.upcoming or 1))
    return _render_step(request, campaign, participation, step)


@require_POST
@limit_posts(key="ip", rate=ANSWER_LIMIT)
def question_answer(request: HtmxHttpRequest, slug: str, number: int) -> HttpResponse:
    campaign = _campaign_or_404(request, slug)
    participation = _own_participation(request, campaign)
    if participation is None:
        return redirect("campaigns:intro", slug=slug)
    question = question_at(campaign=campaign, number=number)
    if participation.is_completed:
        # A double click on "finish", or a replayed POST: the answers stand.
        if question and answer_is_fixed(question=question):
            return _show_answered(request, campaign, participation, number)
        return _go(request, reverse("campaigns:result", args=[slug]))
    if question is None:
        raise Http404(_("This question is not part of this campaign."))
    option_ids = _integers(request.POST.getlist("option"))
    scale_value = next(iter(_integers(request.POST.getlist("value"))), None)
    timed_out = request.POST.get("timed_out") == "1"
    # Past the address's earning limit the play still finishes, without points. Test plays
    # count nowhere, so neither against the limit.
    counted = not is_test_play(request)
    may_earn = not counted or earning_allowed(request)
    try:
        upcoming = participation_answer(
            participation=participation,
            question_id=question.pk,
            option_ids=option_ids,
            number=scale_value,
            text=request.POST.get("text", "")[:2000],
            timed_out=timed_out,
            may_earn=may_earn,
        )
    except ApplicationError as problem:
        step = _step_or_404(participation, number)
        return _render_step(request, campaign, participation, step, error=problem.message)
    if upcoming is None and counted and may_earn:
        occurrence = f"participation:{participation.pk}"
        earning_count(request, profile=participation.profile, occurrence=occurrence)
    if answer_is_fixed(question=question):
        return _show_answered(request, campaign, participation, number, upcoming)
    feedback = None
    if timed_out and not option_ids and scale_value is None:
        feedback = _("Time is up.")
    if upcoming is None:
        return _go(request, reverse("campaigns:result", args=[slug]))
    if request.htmx:
        step = _step_or_404(participation, upcoming)
        response = _render_step(request, campaign, participation, step, feedback=feedback)
        # The address bar follows the question now shown, so a reload or Back finds it.
        return push_url(response, _step_url(campaign, upcoming))
    if feedback:
        messages.info(request, feedback)
    return redirect(_step_url(campaign, upcoming))


@require_GET
def campaign_result(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    campaign = _participant_campaign_or_404(slug)
    participation = _own_participation(request, campaign)
    if participation is None or not participation.is_completed:
        return redirect("campaigns:intro", slug=slug)
    learned = learned_from(participation=participation)
    purpose_keys = learned_purpose_keys(participation=participation, learned=learned)
    total = scored_question_count(campaign=campaign)
    poll = campaign.kind == Campaign.Kind.POLL
    return render(
        request,
        "campaigns/result.html",
        {
            **_share(request, campaign, share_card_of(participation=participation, total=total)),
            "campaign": campaign,
            "participation": participation,
            "total": total,
            "points": participation_points(participation=participation),
            "learned": learned,
            "poll": poll_results(campaign=campaign, participation=participation) if poll else [],
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
        participation_keep_answers(participation=participation)
    except ApplicationError as problem:
        messages.error(request, problem.message)
        return redirect("campaigns:intro", slug=slug)
    return redirect("campaigns:done", slug=slug)


@require_GET
def campaign_done(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """After "Done": what we keep, the next campaign, what the points buy, and picks."""
    campaign = _participant_campaign_or_404(slug)
    participation = _own_participation(request, campaign)
    if participation is None or not participation.is_completed:
        return redirect("campaigns:intro", slug=slug)
    if participation.answers_kept_at is None:
        return redirect("campaigns:result", slug=slug)
    account = account_for_profile(profile=participation.profile)
    return render(
        request,
        "campaigns/done.html",
        {
            "campaign": campaign,
            "kept": participation_kept(participation=participation),
            "next_campaign": campaign_next_for(profile=participation.profile, after=campaign),
            "balance": account.balance if account else 0,
            "rewards": reward_list_within_reach(account=account),
            "signed_in": participation.profile.kind == Profile.Kind.MEMBER,
        },
    )


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
    campaign = _campaign_or_404(request, slug)
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
    """A result to share: the outcome, the trivia score (or that they took part) in the
    campaign's colours, never the player."""
    campaign = _campaign_or_404(request, slug)
    card = share_card_for(campaign=campaign, key=outcome_key)
    if card is None:
        raise Http404(_("This result does not exist."))
    png = share_card_png(
        headline=card.headline,
        campaign_title=campaign.title,
        brand=settings.BRAND_NAME,
        colour=campaign.theme_brand,
        image_name=card.image_name,
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
    context = {
        "campaign": campaign,
        "poll": poll_results(campaign=campaign, participation=participation),
    }
    return render(request, "campaigns/result.html#poll-results", context)

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.exceptions import ApplicationError
from apps.loyalty.errors import MemberRequired, RedemptionLimitReached
from apps.loyalty.selectors import (
    account_for_profile,
    earned_in_window,
    ledger_entries_for,
    redemptions_for,
    reward_catalogue,
    tier_progress,
    upcoming_expiry,
)
from apps.loyalty.services import redemption_create
from apps.loyalty.velocity import redeeming_allowed
from apps.profiles.http import HtmxHttpRequest
from apps.profiles.models import Profile

FRESH_CREDIT = timedelta(minutes=2)


def _is_member(request: HtmxHttpRequest) -> bool:
    return bool(request.profile) and request.profile.kind == Profile.Kind.MEMBER


def _balance_before_fresh_credit(account, entries) -> int | None:
    """The balance before a credit made moments ago, so the page can count up from it."""
    if not entries or entries[0].amount <= 0:
        return None
    if timezone.now() - entries[0].created_at > FRESH_CREDIT:
        return None
    return account.balance - entries[0].amount


@require_GET
def wallet(request: HtmxHttpRequest) -> HttpResponse:
    account = account_for_profile(profile=request.profile or None)
    since = timezone.now() - timedelta(days=settings.LOYALTY_TIER_WINDOW_DAYS)
    earned = earned_in_window(account=account, since=since)
    entries = ledger_entries_for(account=account)
    return render(
        request,
        "loyalty/wallet.html",
        {
            "account": account,
            "balance": account.balance if account else 0,
            "progress": tier_progress(account=account, earned_in_window=earned),
            "expiry": upcoming_expiry(account=account),
            "entries": entries,
            "count_up_from": _balance_before_fresh_credit(account, entries),
            "offers": [
                (reward, max(reward.cost - (account.balance if account else 0), 0))
                for reward in reward_catalogue()
            ],
            "redemptions": redemptions_for(account=account)[:20],
            "is_member": _is_member(request),
        },
    )


# Why a redemption was refused, as the status the page answers with.
REFUSED_STATUS = {MemberRequired: 403, RedemptionLimitReached: 429}


@require_http_methods(["GET", "POST"])
def reward_redeem(request: HtmxHttpRequest, reward_id: int) -> HttpResponse:
    reward = reward_catalogue().filter(pk=reward_id).first()
    if reward is None:
        raise Http404(_("This reward is not available."))
    account = account_for_profile(profile=request.profile or None)
    # A fresh key per confirm screen: a double click on "redeem" redeems once.
    context = {
        "reward": reward,
        "balance": account.balance if account else 0,
        "key": uuid.uuid4(),
        "is_member": _is_member(request),
    }
    if request.method == "GET":
        return render(request, "loyalty/redeem.html", context)
    try:
        key = str(uuid.UUID(request.POST.get("key", "")))
    except ValueError:
        context["error"] = _("Please confirm again.")
        return render(request, "loyalty/redeem.html", context, status=400)
    try:
        if not context["is_member"]:
            # Refused before anything is counted or written; the service would refuse too.
            raise MemberRequired()
        if not redeeming_allowed(request):
            raise RedemptionLimitReached(
                _(
                    "Too many redemptions from your connection in a short time. Please try again later."
                )
            )
        redemption = redemption_create(
            profile=request.profile, reward_id=reward.pk, idempotency_key=key
        )
    except ApplicationError as problem:
        context["error"] = problem.message
        return render(
            request, "loyalty/redeem.html", context, status=REFUSED_STATUS.get(type(problem), 409)
        )
    messages.success(request, _("Enjoy! Your code is below."))
    return redirect(f"{reverse('loyalty:wallet')}#redemption-{redemption.pk}")

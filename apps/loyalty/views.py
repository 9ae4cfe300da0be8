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
from apps.profiles.http import HtmxHttpRequest

FRESH_CREDIT = timedelta(minutes=2)


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
        },
    )


@require_http_methods(["GET", "POST"])
def reward_redeem(request: HtmxHttpRequest, reward_id: int) -> HttpResponse:
    reward = reward_catalogue().filter(pk=reward_id).first()
    if reward is None:
        raise Http404(_("This reward is not available."))
    account = account_for_profile(profile=request.profile or None)
    balance = account.balance if account else 0
    if request.method == "GET":
        # A fresh key per confirm screen: a double click on "redeem" redeems once.
        context = {"reward": reward, "balance": balance, "key": uuid.uuid4()}
        return render(request, "loyalty/redeem.html", context)
    key = request.POST.get("key", "")
    try:
        uuid.UUID(key)
        if not request.profile:
            raise ApplicationError(
                _("You need %(missing)s more points for this reward.") % {"missing": reward.cost}
            )
        redemption = redemption_create(
            profile=request.profile, reward_id=reward.pk, idempotency_key=key
        )
    except ValueError:
        return render(
            request,
            "loyalty/redeem.html",
            {
                "reward": reward,
                "balance": balance,
                "key": uuid.uuid4(),
                "error": _("Please confirm again."),
            },
            status=400,
        )
    except ApplicationError as problem:
        return render(
            request,
            "loyalty/redeem.html",
            {"reward": reward, "balance": balance, "key": uuid.uuid4(), "error": problem.message},
            status=409,
        )
    messages.success(request, _("Enjoy! Your code is below."))
    return redirect(f"{reverse('loyalty:wallet')}#redemption-{redemption.pk}")

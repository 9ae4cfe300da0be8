from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.exceptions import ApplicationError
from apps.core.http import safe_local_path
from apps.core.ratelimits import ip_limit_reached, limit_reached
from apps.core.views import rate_limited
from apps.profiles.forms import SignInForm
from apps.profiles.http import HtmxHttpRequest
from apps.profiles.identifiers import email_normalise, mailbox
from apps.profiles.services import (
    profile_sign_out_everywhere,
    sign_in_link_check,
    sign_in_link_complete,
    sign_in_link_request,
)
from apps.profiles.sessions import (
    SIGN_IN_NONCE_KEY,
    session_sign_in,
    session_sign_in_nonce,
    session_sign_out,
)


def _next_path(request: HtmxHttpRequest, candidate: str) -> str:
    return safe_local_path(request, candidate, default=reverse("preferences:center"))


@require_http_methods(["GET", "POST"])
def sign_in(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = SignInForm(initial={"next": _next_path(request, request.GET.get("next", ""))})
        return render(request, "profiles/sign-in.html", {"form": form})
    if ip_limit_reached(request, group="sign-in:ip", limit=settings.SIGN_IN_LIMIT_PER_IP):
        return rate_limited(request, None, retry_after=settings.SIGN_IN_LIMIT_PER_IP[1])
    form = SignInForm(request.POST)
    if form.is_valid():
        try:
            address = email_normalise(form.cleaned_data["email"])
        except ApplicationError as error:
            form.add_error("email", error.message)
    if not form.is_valid():
        return render(request, "profiles/sign-in.html", {"form": form}, status=400)
    if limit_reached(
        request,
        group="sign-in:address",
        value=mailbox(address),
        limit=settings.SIGN_IN_LIMIT_PER_ADDRESS,
    ):
        return rate_limited(request, None, retry_after=settings.SIGN_IN_LIMIT_PER_ADDRESS[1])
    sign_in_link_request(
        email=address,
        language=get_language(),
        next_path=_next_path(request, form.cleaned_data.get("next", "")),
        browser_nonce=session_sign_in_nonce(session=request.session),
    )
    return redirect("profiles:sign-in-sent")


def sign_in_sent(request: HtmxHttpRequest) -> HttpResponse:
    minutes = settings.SIGN_IN_LINK_MAX_AGE // 60
    return render(request, "profiles/sign-in-sent.html", {"valid_minutes": minutes})


@require_http_methods(["GET", "POST"])
def sign_in_link(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """GET asks for a tap and changes nothing: mail scanners that open links must not use
    them up. POST signs in."""
    try:
        if request.method == "GET":
            link = sign_in_link_check(token=token)
            return render(request, "profiles/sign-in-confirm.html", {"email": link.email})
        member, link = sign_in_link_complete(
            token=token,
            current=request.profile or None,
            browser_nonce=request.session.get(SIGN_IN_NONCE_KEY, ""),
        )
    except ApplicationError as error:
        context = {
            "message": error.message,
            "action_url": reverse("profiles:sign-in"),
            "action_label": _("Ask for a new link"),
        }
        return render(request, "core/problem.html", context, status=400)
    session_sign_in(session=request.session, profile=member)
    messages.success(request, _("You are signed in."))
    return HttpResponseRedirect(_next_path(request, link.next_path))


@require_POST
def sign_out(request: HtmxHttpRequest) -> HttpResponse:
    session_sign_out(session=request.session)
    messages.success(request, _("You are signed out."))
    return redirect("home")


@require_POST
def sign_out_everywhere(request: HtmxHttpRequest) -> HttpResponse:
    profile = request.profile or None
    if profile is not None and profile.is_member:
        profile_sign_out_everywhere(profile=profile)
    session_sign_out(session=request.session)
    messages.success(request, _("You are signed out on every device."))
    return redirect("home")

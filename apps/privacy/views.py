import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.exceptions import ApplicationError
from apps.core.http import HtmxHttpRequest
from apps.core.ratelimits import limit_posts, limit_reached
from apps.core.views import rate_limited
from apps.privacy.forms import ErasureConfirmForm
from apps.privacy.models import AccessLog, DataRequest
from apps.privacy.selectors import (
    access_log_for_profile,
    data_request_latest,
    data_request_open,
    exchange_receipts,
    participations_unfinished,
)
from apps.privacy.services.data_requests import (
    DownloadRefused,
    data_request_create,
    export_available_until,
    export_download_check,
    export_download_token,
)
from apps.profiles.identifiers import mailbox
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_email, sign_in_link_used_for
from apps.profiles.services import sign_in_link_request
from apps.profiles.sessions import session_sign_in_nonce, session_sign_out

ACCESS_LOG_PAGE_SIZE = 25
# Asking again shows the copy being made; this only stops a script hammering the button.
EXPORT_LIMIT = "10/m"
ERASURE_LINK_LIMIT = "5/m"
# A secret of the browser that asked to delete everything; the e-mailed link carries it back.
ERASURE_NONCE_KEY = "resonanz_erasure_nonce"


def _export_context(profile: Profile | None) -> dict:
    export = data_request_latest(profile=profile, kind=DataRequest.Kind.EXPORT)
    download_url = available_until = None
    if export is not None and export.status == DataRequest.Status.DONE and export.file:
        available_until = export_available_until(data_request=export)
        if available_until > timezone.now():
            download_url = reverse(
                "privacy:export-download",
                kwargs={"token": export_download_token(data_request=export)},
            )
    return {
        "export": export,
        "download_url": download_url,
        "available_until": available_until,
        "has_email": bool(profile_email(profile=profile)),
    }


@never_cache
@require_GET
def privacy_center(request: HtmxHttpRequest) -> HttpResponse:
    profile = request.profile or None
    log = access_log_for_profile(profile=profile) if profile else AccessLog.objects.none()
    return render(
        request,
        "privacy/center.html",
        {
            **_export_context(profile),
            "has_data": profile is not None,
            "erasure": profile
            and data_request_open(profile=profile, kind=DataRequest.Kind.ERASURE),
            "receipts": exchange_receipts(profile=profile),
            "access_log": Paginator(log, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page")),
        },
    )


@never_cache
@require_GET
def export_status(request: HtmxHttpRequest) -> HttpResponse:
    """What the page polls while a copy is being made; without JavaScript the page itself is
    reloaded instead."""
    if not request.htmx:
        return redirect(f"{reverse('privacy:center')}#export")
    return render(
        request, "privacy/center.html#export-status", _export_context(request.profile or None)
    )


@require_POST
@limit_posts(key="ip", rate=EXPORT_LIMIT)
def export_request(request: HtmxHttpRequest) -> HttpResponse:
    profile = request.profile or None
    error = ""
    if profile is None:
        error = _("We have nothing about you yet, so there is nothing to copy.")
    else:
        try:
            data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)
        except ApplicationError as problem:
            error = problem.message
    if request.htmx:
        context = {**_export_context(profile), "error": error}
        return render(request, "privacy/center.html#export-status", context)
    if error:
        messages.error(request, error)
    return redirect(f"{reverse('privacy:center')}#export")


@never_cache
@require_GET
def export_download(request: HtmxHttpRequest, token: str) -> HttpResponse:
    profile = request.profile or None
    try:
        data_request = export_download_check(token=token, profile=profile)
    except DownloadRefused as problem:
        context = {
            "message": problem.message,
            "action_url": reverse("privacy:center"),
            "action_label": _("Go to your data and privacy page"),
        }
        if problem.status == 403 and profile is None:
            context["action_url"] = (
                f"{reverse('profiles:sign-in')}?{urlencode({'next': request.path})}"
            )
            context["action_label"] = _("Sign in")
        return render(request, "core/problem.html", context, status=problem.status)
    day = timezone.localdate(data_request.completed_at)
    response = FileResponse(
        data_request.file.open("rb"),
        as_attachment=True,
        filename=f"{settings.BRAND_NAME.lower()}-export-{day:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _erasure_context(profile: Profile | None) -> dict:
    return {
        "has_data": profile is not None,
        "email": profile_email(profile=profile),
        "unfinished": participations_unfinished(profile=profile),
        "erasure": profile and data_request_open(profile=profile, kind=DataRequest.Kind.ERASURE),
    }


@require_http_methods(["GET", "POST"])
@limit_posts(key="ip", rate=ERASURE_LINK_LIMIT)
def erasure_start(request: HtmxHttpRequest) -> HttpResponse:
    """The first step. A customer with an e-mail address confirms by a link we send there
    (the magic link of sign-in, leading back to the confirmation); one without confirms on
    the next page."""
    profile = request.profile or None
    context = _erasure_context(profile)
    if request.method == "GET" or not context["email"]:
        return render(request, "privacy/erase.html", context)
    if limit_reached(
        request,
        group="sign-in:address",
        value=mailbox(context["email"]),
        limit=settings.SIGN_IN_LIMIT_PER_ADDRESS,
    ):
        return rate_limited(request, None, retry_after=settings.SIGN_IN_LIMIT_PER_ADDRESS[1])
    nonce = secrets.token_urlsafe(24)
    request.session[ERASURE_NONCE_KEY] = nonce
    sign_in_link_request(
        email=context["email"],
        language=get_language(),
        next_path=f"{reverse('privacy:erase-confirm')}?{urlencode({'r': nonce})}",
        browser_nonce=session_sign_in_nonce(session=request.session),
    )
    return render(request, "privacy/erase.html", {**context, "link_sent": True})


def _confirmed_by_mail(request: HtmxHttpRequest, profile: Profile, nonce: str) -> bool:
    """The link we e-mailed was followed just now, in this browser: the one that asked."""
    expected = request.session.get(ERASURE_NONCE_KEY, "")
    if not nonce or not expected or not constant_time_compare(nonce, expected):
        return False
    return sign_in_link_used_for(
        profile=profile,
        next_path=f"{reverse('privacy:erase-confirm')}?{urlencode({'r': nonce})}",
        since=timezone.now() - timedelta(seconds=settings.SIGN_IN_LINK_MAX_AGE),
    )


def _problem(request: HtmxHttpRequest, message: str, *, status: int) -> HttpResponse:
    context = {
        "message": message,
        "action_url": reverse("privacy:erase"),
        "action_label": _("Back to deleting your data"),
    }
    return render(request, "core/problem.html", context, status=status)


@require_http_methods(["GET", "POST"])
def erasure_confirm(request: HtmxHttpRequest) -> HttpResponse:
    profile = request.profile or None
    if profile is None:
        return _problem(request, _("We have nothing about you on this device."), status=400)
    form = ErasureConfirmForm(request.POST or None, initial={"r": request.GET.get("r", "")})
    nonce = request.POST.get("r", "") if request.method == "POST" else request.GET.get("r", "")
    context = {**_erasure_context(profile), "form": form}
    if context["email"] and not _confirmed_by_mail(request, profile, nonce):
        return _problem(
            request,
            _(
                "To delete everything, open the link we e-mailed you, in the browser where "
                "you asked for it, within %(minutes)s minutes."
            )
            % {"minutes": settings.SIGN_IN_LINK_MAX_AGE // 60},
            status=403,
        )
    if request.method == "GET":
        return render(request, "privacy/erase-confirm.html", context)
    if not form.is_valid():
        return render(request, "privacy/erase-confirm.html", context, status=400)
    try:
        data_request_create(profile=profile, kind=DataRequest.Kind.ERASURE)
    except ApplicationError as problem:
        return _problem(request, problem.message, status=409)
    request.session.pop(ERASURE_NONCE_KEY, None)
    session_sign_out(session=request.session)
    return redirect("privacy:erase-started")


@require_GET
def erasure_started(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "privacy/erase-started.html")

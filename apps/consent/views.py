import uuid

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.consent.collection_points import collection_point_in_frame, collection_points_name
from apps.consent.double_opt_in import PendingConsent, consent_confirm_link, consent_link_check
from apps.consent.evidence import Evidence, gpc_signal
from apps.consent.forms import ConsentDecisionForm
from apps.consent.models import Channel, ConsentEvent, Purpose
from apps.consent.receipts import public_jwk, receipt_build, receipt_sign
from apps.consent.selectors import (
    consent_choices,
    consent_event_get_for_receipt,
    consent_event_list,
    purpose_get_published,
)
from apps.consent.services import consent_decide
from apps.core.embedding import embed_of
from apps.core.exceptions import ApplicationError
from apps.core.http import safe_local_path
from apps.core.ratelimits import limit_posts, limit_reached
from apps.profiles.http import HtmxHttpRequest
from apps.profiles.identifiers import email_normalise, mailbox
from apps.profiles.sessions import session_remember_profile

HISTORY_PAGE_SIZE = 50

# What a framed page tells its host about a decision (protocol "consent" event): a yes only
# once it is granted, so a double opt-in's first step tells nothing.
FRAME_DECISIONS = {
    ConsentEvent.Action.GRANT: "granted",
    ConsentEvent.Action.REFUSE: "refused",
    ConsentEvent.Action.WITHDRAW: "refused",
}

DECISION_MESSAGES = {
    ConsentEvent.Action.GRANT: gettext_lazy("Thank you. Your consent is saved."),
    ConsentEvent.Action.REQUEST: gettext_lazy(
        "Almost done: confirm the link we sent to your e-mail address."
    ),
    ConsentEvent.Action.REFUSE: gettext_lazy("Saved: you said no. This costs you nothing."),
    ConsentEvent.Action.WITHDRAW: gettext_lazy(
        "Saved: you withdrew your consent. This costs you nothing."
    ),
}


def _problem(request: HtmxHttpRequest, message: str, status: int) -> HttpResponse:
    context = {
        "message": message,
        "action_url": reverse("consent:center"),
        "action_label": _("Go to your privacy choices"),
    }
    return render(request, "core/problem.html", context, status=status)


def _opt_in_limit_reached(request: HtmxHttpRequest, purpose: Purpose, data: dict) -> bool:
    """Confirmation mails per mailbox, counted like sign-in links and before anything is
    written: a client without cookies cannot fill someone's inbox."""
    if data["decision"] != "grant" or not purpose.requires_double_opt_in or not data["email"]:
        return False
    try:
        address = mailbox(email_normalise(data["email"]))
    except ApplicationError:
        return False  # the service explains what is wrong with the address
    return limit_reached(
        request,
        group="consent-opt-in:address",
        value=address,
        limit=settings.CONSENT_DOUBLE_OPT_IN_LIMIT_PER_ADDRESS,
    )


def _safe_next(request: HtmxHttpRequest, candidate: str) -> str:
    """A path on this site to go back to; anything else goes to the consent center."""
    return safe_local_path(request, candidate, default=reverse("consent:center"))


@require_GET
def consent_center(request: HtmxHttpRequest) -> HttpResponse:
    profile = request.profile or None
    history = Paginator(consent_event_list(profile=profile), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    history.object_list = collection_points_name(history.object_list)
    return render(
        request,
        "consent/center.html",
        {
            "choices": consent_choices(profile=profile),
            "history": history,
            "gpc": gpc_signal(request),
            "next_url": request.get_full_path(),
            "collection_point": "preference-center",
        },
    )


@require_POST
@limit_posts(key="ip", rate="60/m")
def consent_decision(request: HtmxHttpRequest, purpose_key: str) -> HttpResponse:
    purpose = purpose_get_published(key=purpose_key)
    if purpose is None:
        return _problem(request, _("This purpose does not exist."), status=404)
    form = ConsentDecisionForm(request.POST)
    error = success = decided = ""
    profile = request.profile or None
    embed = embed_of(request)
    if not form.is_valid():
        error = next(iter(form.errors.values()))[0]
    elif _opt_in_limit_reached(request, purpose, form.cleaned_data):
        error = _(
            "We have sent several confirmation links to this address already. Please check "
            "your inbox, or try again in an hour."
        )
    else:
        collection_point = form.cleaned_data["collection_point"]
        if embed:
            collection_point = collection_point_in_frame(embed=embed, posted=collection_point)
        try:
            event = consent_decide(
                profile=profile,
                purpose=purpose,
                decision=form.cleaned_data["decision"],
                channel=Channel.WEB,
                collection_point=collection_point,
                evidence=Evidence.from_request(request),
                language=get_language(),
                email=form.cleaned_data["email"],
            )
        except ApplicationError as problem:
            error = problem.message
        else:
            # No event: the request waits in the link we mailed, nothing is stored yet.
            success = DECISION_MESSAGES[event.action if event else ConsentEvent.Action.REQUEST]
            if event:
                decided = FRAME_DECISIONS.get(event.action, "")
                profile = event.profile
                session_remember_profile(session=request.session, profile=profile)
    next_url = _safe_next(
        request, str(form.cleaned_data.get("next", "")) if form.is_valid() else ""
    )

    if request.htmx:
        (choice,) = consent_choices(profile=profile, purpose_keys=[purpose.key])
        context = {
            "choice": choice,
            "error": error,
            "success": success,
            "decided": decided,
            "next_url": next_url,
            "collection_point": form.cleaned_data.get("collection_point", "preference-center")
            if form.is_valid()
            else "preference-center",
            "gpc": gpc_signal(request),
        }
        return render(request, "consent/panel.html#purpose-row", context)

    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)
    return HttpResponseRedirect(next_url)


RECEIPT_JWS_CONTENT_TYPE = "application/jose"


def _receipt_alternate(request: HtmxHttpRequest, receipt_id: uuid.UUID) -> str:
    """A `Link` header pointing at the compact JWS form (RFC 8288), for verifiers that look
    for a signature where RFC 7515 puts one, not inside the JSON."""
    url = request.build_absolute_uri(reverse("consent:receipt-jwt", args=[receipt_id]))
    return f'<{url}>; rel="alternate"; type="{RECEIPT_JWS_CONTENT_TYPE}"'


@require_GET
def consent_receipt(request: HtmxHttpRequest, receipt_id: uuid.UUID) -> HttpResponse:
    event = consent_event_get_for_receipt(profile=request.profile or None, receipt_id=receipt_id)
    if event is None:
        return _problem(request, _("We could not find this receipt."), status=404)
    receipt = receipt_build(event=event, site_url=settings.SITE_URL)
    collection_points_name([event])
    response = render(
        request,
        "consent/receipt.html",
        {"event": event, "receipt": receipt, "jws": receipt_sign(receipt)},
    )
    response["Link"] = _receipt_alternate(request, receipt_id)
    return response


@require_GET
def consent_receipt_json(request: HtmxHttpRequest, receipt_id: uuid.UUID) -> JsonResponse:
    event = consent_event_get_for_receipt(profile=request.profile or None, receipt_id=receipt_id)
    if event is None:
        return JsonResponse({"error": _("We could not find this receipt.")}, status=404)
    receipt = receipt_build(event=event, site_url=settings.SITE_URL)
    # The `jws` member stays for readers written against it: the same compact JWS as
    # receipt.jwt, over this body without that member.
    response = JsonResponse({**receipt, "jws": receipt_sign(receipt)})
    response["Content-Disposition"] = f'inline; filename="consent-receipt-{receipt_id}.json"'
    response["Link"] = _receipt_alternate(request, receipt_id)
    return response


@require_GET
def consent_receipt_jwt(request: HtmxHttpRequest, receipt_id: uuid.UUID) -> HttpResponse:
    """The receipt as an RFC 7515 compact JWS: its payload is the JSON form without `jws`,
    signed with the key published at /.well-known/consent-receipt-keys.json (`kid`)."""
    event = consent_event_get_for_receipt(profile=request.profile or None, receipt_id=receipt_id)
    if event is None:
        return JsonResponse({"error": _("We could not find this receipt.")}, status=404)
    receipt = receipt_build(event=event, site_url=settings.SITE_URL)
    response = HttpResponse(receipt_sign(receipt), content_type=RECEIPT_JWS_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="consent-receipt-{receipt_id}.jwt"'
    return response


@require_http_methods(["GET", "POST"])
def consent_confirm(request: HtmxHttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that follow links must not confirm anything.
    try:
        pending = consent_link_check(token=token)
        if request.method == "GET":
            return render(request, "consent/confirm.html", {"pending": pending})
        event = consent_confirm_link(
            token=token, profile=request.profile or None, evidence=Evidence.from_request(request)
        )
    except ApplicationError as problem:
        return _problem(request, problem.message, status=400)
    if isinstance(pending, PendingConsent):
        # A request kept in its link was granted for this browser's profile, perhaps made now.
        session_remember_profile(session=request.session, profile=event.profile)
    return render(request, "consent/confirmed.html", {"event": event})


@require_GET
def gpc_json(request: HtmxHttpRequest) -> JsonResponse:
    return JsonResponse({"gpc": True, "lastUpdate": settings.GPC_LAST_UPDATE})


@require_GET
def receipt_keys(request: HtmxHttpRequest) -> JsonResponse:
    return JsonResponse({"keys": [public_jwk()]})

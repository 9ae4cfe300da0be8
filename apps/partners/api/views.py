from django.http import JsonResponse
from django.utils.translation import gettext as _

from apps.partners.api.problems import PROBLEM_BASE, PROBLEM_CONTENT_TYPE


def api_not_found(request, problem_type: str = "") -> JsonResponse:
    """Unknown API addresses answer in problem details too, not with an HTML page."""
    return JsonResponse(
        {
            "type": PROBLEM_BASE + "not-found",
            "title": _("Not found."),
            "status": 404,
            "instance": request.path,
        },
        status=404,
        content_type=PROBLEM_CONTENT_TYPE,
    )

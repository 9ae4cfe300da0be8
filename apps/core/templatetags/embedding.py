"""What a framed page tells the page framing it (the postMessage protocol, version 1).

The server knows when a play starts, which question is on screen and what a play earned; it
writes each as a hidden marker, and `static/js/embed-frame.js` posts every marker once to the
host. Outside a frame nothing is written. Markers carry keys and counts, never answers or
anything about the person.
"""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# As json_script escapes: no "<", ">" or "&" in the JSON, so it cannot close the element
# or start markup even before the attribute's own escaping.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def embed_event_json(event_type: str, **fields: object) -> str:
    return json.dumps({"type": event_type, **fields}, separators=(",", ":")).translate(
        _JSON_ESCAPES
    )


@register.simple_tag(takes_context=True)
def embed_event(context: template.Context, event_type: str, **fields: object) -> SafeString:
    """`{% embed_event "question" number=2 total=5 %}`: a hidden element holding the event's
    JSON, only when the page is framed by a brand's site."""
    if not context.get("embed"):
        return SafeString("")
    return format_html(
        '<div hidden data-resonanz-event="{}"></div>', embed_event_json(event_type, **fields)
    )

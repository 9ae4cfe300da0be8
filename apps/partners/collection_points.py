"""Consent taken inside a brand's frame ("embed:<origin>" or "embed:<origin>#<slug>") is
named by the site that framed it, and the campaign it showed: "“Coffee quiz” on shop.example"."""

from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from apps.campaigns.collection_points import labels as campaign_titles
from apps.core.embedding import COLLECTION_POINT_PREFIX

PREFIX = COLLECTION_POINT_PREFIX


def _site(origin: str) -> str:
    """The origin as people read it: its host (and port), without the scheme."""
    try:
        return urlsplit(origin).netloc
    except ValueError:
        return ""


def labels(names: list[str]) -> dict[str, str]:
    """Each place's readable name by "<origin>" or "<origin>#<slug>": one query for all the
    campaigns named. A place whose site cannot be read is left to consent's generic name."""
    places = {name: name.partition("#") for name in names}
    titles = campaign_titles(sorted({slug for _origin, _sep, slug in places.values() if slug}))
    named = {}
    for name, (origin, _sep, slug) in places.items():
        site = _site(origin)
        if not site:
            continue
        if slug in titles:
            named[name] = _("“%(campaign)s” on %(site)s") % {"campaign": titles[slug], "site": site}
        else:
            named[name] = _("on %(site)s") % {"site": site}
    return named

"""The campaign page's "Embed" panel: what a brand's web team pastes into its own site to
show the campaign there (static/embed/resonanz.js, described in the README).

Which sites may frame it is the partners' business, above campaigns; so this module names
no source. The composition root (`config.admin`) plugs one in as
`CampaignEmbedPanelMixin.embed_origins_source`. Without one no site is listed."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.campaigns.models import Campaign
from apps.core.embed_script import embed_script_tag, resonanz_origin

# The delay the popup snippet starts with; staff tell the web team to change it as they like.
POPUP_DELAY_SECONDS = 10


@dataclass(frozen=True)
class EmbedSnippet:
    key: str
    title: str
    help: str
    code: str


@dataclass(frozen=True)
class EmbedPanel:
    snippets: list[EmbedSnippet]
    # Origins allowed to frame our pages, e.g. "https://shop.example".
    allowed_origins: list[str]
    # Ours, which a host page's Content-Security-Policy must allow (script-src, frame-src).
    resonanz_origin: str
    # A draft (or a campaign ended) shows customers no play yet: the snippet waits for it.
    playable: bool


def _element(slug: str, **attributes: str | None) -> str:
    extra = "".join(
        f" data-{name.replace('_', '-')}" + (f'="{value}"' if value is not None else "")
        for name, value in attributes.items()
    )
    return (
        f'<resonanz-campaign data-campaign="{slug}" data-lang="{settings.LANGUAGE_CODE}"{extra}>'
        "</resonanz-campaign>"
    )


def embed_panel(*, campaign: Campaign | None, allowed_origins: list[str]) -> EmbedPanel | None:
    """The snippets for inline, popup and button; None before the campaign is saved."""
    if campaign is None or campaign.pk is None:
        return None
    script = embed_script_tag()
    slug = campaign.slug
    snippets = [
        EmbedSnippet(
            "inline",
            _("In the page"),
            _("The campaign where the tag stands, as wide as its place."),
            f"{script}\n{_element(slug)}",
        ),
        EmbedSnippet(
            "popup",
            _("Popup"),
            _(
                "Opens after %(seconds)s seconds, or earlier when the visitor moves to leave "
                "the page; once per visit."
            )
            % {"seconds": POPUP_DELAY_SECONDS},
            f"{script}\n{_element(slug, mode='popup', delay=str(POPUP_DELAY_SECONDS), exit_intent=None)}",
        ),
        EmbedSnippet(
            "button",
            _("Button"),
            _("A button that opens the campaign as a popup."),
            f"{script}\n{_element(slug, mode='button')}",
        ),
    ]
    status = campaign.status_now
    return EmbedPanel(
        snippets=snippets,
        allowed_origins=allowed_origins,
        resonanz_origin=resonanz_origin(),
        playable=status in (Campaign.Status.LIVE, Campaign.Status.SCHEDULED),
    )


class CampaignEmbedPanelMixin:
    """Puts `embed_panel` into the campaign page's context
    (templates/admin/campaigns/campaign/change_form.html)."""

    embed_origins_source: ClassVar[Callable[[], Iterable[str]] | None] = None

    def embed_panel_for(self, campaign: Campaign | None) -> EmbedPanel | None:
        if campaign is None or campaign.pk is None:
            return None
        source = type(self).embed_origins_source
        return embed_panel(campaign=campaign, allowed_origins=sorted(source()) if source else [])

"""Why loyalty refuses a redemption, as types: a view, the partner API and the admin can each
answer the reason in their own way, and a test can name the one it expects."""

from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError


class MemberRequired(ApplicationError):
    """Rewards are for verified members: a cookie-less visitor is a new anonymous profile on
    every request, so points earned anonymously are kept, but redeemed only once signed in."""

    def __init__(self, message: str = "", extra: dict | None = None) -> None:
        super().__init__(
            message
            or _("Sign in to redeem rewards. The points you collected come with you when you do."),
            extra,
        )


class RedemptionLimitReached(ApplicationError):
    """More redemptions in a short time than a customer makes: a velocity limit said no."""

"""The admin's sign-in pages: password, then the second factor (django-two-factor-auth),
and the pages that set one up. They wear the admin's header and speak its languages."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.urls import path
from two_factor import views as two_factor
from two_factor.utils import get_otpauth_url


class AdminPageMixin:
    """The context the admin's base template reads, without the navigation: these pages
    come before any admin page is allowed."""

    request: HttpRequest

    def get_context_data(self, *args, **kwargs) -> dict:
        site = admin.site
        return {
            **super().get_context_data(*args, **kwargs),
            "site_header": site.site_header,
            "site_title": site.site_title,
            "site_url": site.site_url,
            "program_name": settings.PROGRAM_NAME,
            "has_permission": site.has_permission(self.request),
            "is_nav_sidebar_enabled": False,
        }


class StaffLoginView(AdminPageMixin, two_factor.LoginView):
    def get_form_prefix(self, step: str | None = None, form=None) -> str:
        # The password step keeps the stock admin's field names (username, password), which
        # the lock-out counts by and password managers know.
        if (step or self.steps.current) == self.AUTH_STEP:
            return ""
        return super().get_form_prefix(step, form)


class StaffSetupView(AdminPageMixin, two_factor.SetupView):
    def get_context_data(self, form, **kwargs) -> dict:
        context = super().get_context_data(form, **kwargs)
        if self.steps.current == "generator":
            # The authenticator app lists the account under the program, not the host name.
            context["issuer"] = settings.OTP_TOTP_ISSUER
            context["otpauth_url"] = get_otpauth_url(
                self.request.user.get_username(), context["secret_key"], settings.OTP_TOTP_ISSUER
            )
        return context


class StaffQRView(two_factor.QRGeneratorView):
    def get_issuer(self) -> str:
        return settings.OTP_TOTP_ISSUER


class StaffSetupCompleteView(AdminPageMixin, two_factor.SetupCompleteView):
    pass


class StaffBackupTokensView(AdminPageMixin, two_factor.BackupTokensView):
    pass


# Under /admin/ in the `two_factor` namespace, which the library's views redirect to.
urlpatterns = (
    [
        path("second-factor/setup/", StaffSetupView.as_view(), name="setup"),
        path("second-factor/qrcode/", StaffQRView.as_view(), name="qr"),
        path("second-factor/ready/", StaffSetupCompleteView.as_view(), name="setup_complete"),
        path("second-factor/backup-codes/", StaffBackupTokensView.as_view(), name="backup_tokens"),
    ],
    "two_factor",
)

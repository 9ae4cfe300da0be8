"""Who signs in to the admin with a second factor, and whether this request passed it.

Whoever may read a person's data must: superusers, and every role granted a view of a page
that logs such reads (`AccessLoggedAdminMixin`: profiles, ledgers, consent events, data
requests...). The rule follows the permissions, so a new role or a new page of personal
data is covered without naming either here. Others (campaign managers, analysts) may add a
device; once they have one, they are asked for its code too."""

from functools import cache

from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from django_otp import user_has_device

from apps.audit.admin_mixins import AccessLoggedAdminMixin
from apps.privacy.roles import ROLES

User = AbstractBaseUser | AnonymousUser


@cache
def personal_data_permissions() -> frozenset[str]:
    """`app_label.view_<model>` for every admin page that shows a person's data."""
    return frozenset(
        f"{model._meta.app_label}.view_{model._meta.model_name}"
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, AccessLoggedAdminMixin)
    )


def role_reads_personal_data(role: str) -> bool:
    permissions = personal_data_permissions()
    for grant, actions in ROLES[role].items():
        app_label, name = grant.split(".", 1)
        if "view" not in actions:
            continue
        prefix = f"{app_label}.view_"
        if any(p.startswith(prefix) and name in ("*", p[len(prefix) :]) for p in permissions):
            return True
    return False


def second_factor_required(user: User) -> bool:
    if not user.is_active:
        return False
    return user.is_superuser or any(user.has_perm(p) for p in personal_data_permissions())


def second_factor_passed(request: HttpRequest) -> bool:
    """True when the session passed the second factor, or the user needs none and has no
    device. Kept on the request: the admin asks several times per page."""
    passed = getattr(request, "_second_factor_passed", None)
    if passed is None:
        user = request.user
        passed = user.is_verified() or not (second_factor_required(user) or user_has_device(user))
        request._second_factor_passed = passed
    return passed

"""Staff roles as Django groups: what each role may do in the admin, and nothing more.

A grant names `app_label.model` with the actions allowed, or `app_label.codename` for a
permission of its own. Models that do not exist (yet) are skipped, so the same definition
serves the migration that creates the groups and `manage.py sync_roles` after new apps."""

from django.apps.registry import Apps
from django.apps.registry import apps as global_apps

ALL = ("add", "change", "delete", "view")
VIEW = ("view",)

CAMPAIGN_MANAGER = "Campaign manager"
ANALYST = "Analyst"
PRIVACY_OFFICER = "Privacy officer"
SUPPORT = "Support"

# No role below may read answers, declarations, ledgers or profiles unless it says so.
ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    CAMPAIGN_MANAGER: {
        "campaigns.campaign": ALL,
        "campaigns.question": ALL,
        "campaigns.option": ALL,
        "campaigns.outcome": ALL,
        # Self-assessment levels are built on the campaign's page with its questions.
        "campaigns.scoreband": ALL,
        "challenges.challenge": ALL,
        "challenges.challengestep": ALL,
        "loyalty.reward": ALL,
        "loyalty.rewardcode": ALL,
        "loyalty.badge": ALL,
        "loyalty.earningrule": ALL,
        "loyalty.tier": ALL,
        "personalization.offer": ALL,
        "personalization.offermatch": ALL,
        # To map options to attributes and campaigns to purposes, without changing either.
        "preferences.attribute": VIEW,
        "preferences.attributevalue": VIEW,
        "consent.purpose": VIEW,
        # A manager judges their campaigns by the dashboards: figures of groups, never a person.
        "insights.view_dashboards": (),
    },
    ANALYST: {
        "insights.view_dashboards": (),
    },
    PRIVACY_OFFICER: {
        "privacy.*": ALL,
        "audit.*": ALL,
        "consent.purpose": ALL,
        "consent.purposeversion": ALL,
        "consent.consentevent": VIEW,
        "consent.consentstate": VIEW,
        "profiles.profile": VIEW,
        "profiles.identifier": VIEW,
        "partners.partnerclient": VIEW,
        "partners.partnerchange": VIEW,
        "partners.webhookdelivery": VIEW,
        "preferences.attribute": VIEW,
    },
    SUPPORT: {
        "profiles.profile": VIEW,
        "profiles.identifier": VIEW,
        "loyalty.account": VIEW,
        "loyalty.ledgerentry": VIEW,
        "loyalty.redemption": VIEW,
        "consent.consentstate": VIEW,
        "personalization.careflag": ALL,
        "privacy.datarequest": ("add", "view"),
    },
}


def role_permissions(role: str, *, apps: Apps = global_apps):
    """The Permission rows a role grants, as a queryset."""
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    wanted = []
    for grant, actions in ROLES[role].items():
        app_label, name = grant.split(".", 1)
        if name == "*":
            types = ContentType.objects.filter(app_label=app_label)
            wanted += [
                (content_type.pk, f"{action}_{content_type.model}")
                for content_type in types
                for action in actions
            ]
        elif not actions:
            for permission in Permission.objects.filter(
                content_type__app_label=app_label, codename=name
            ):
                wanted.append((permission.content_type_id, permission.codename))
        else:
            content_type = ContentType.objects.filter(app_label=app_label, model=name).first()
            if content_type is not None:
                wanted += [(content_type.pk, f"{action}_{name}") for action in actions]
    wanted_pairs = set(wanted)
    pks = [
        pk
        for pk, content_type_id, codename in Permission.objects.values_list(
            "pk", "content_type_id", "codename"
        )
        if (content_type_id, codename) in wanted_pairs
    ]
    return Permission.objects.filter(pk__in=pks)


def roles_sync(*, apps: Apps = global_apps) -> None:
    """Create the role groups and set their permissions to exactly what ROLES grants."""
    Group = apps.get_model("auth", "Group")
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role, apps=apps))

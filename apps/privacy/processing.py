"""The record of processing activities (GDPR Art. 30), built from the configuration itself so
that it cannot fall out of step with what the site does."""

from collections import defaultdict
from typing import Any

from django.utils import timezone

from apps.consent.models import Purpose
from apps.core.translated_fields import text_in
from apps.partners.models import PartnerClient
from apps.preferences.models import Attribute
from apps.privacy.services.retention import retention_effective

RECORD_VERSION = 1


def record_of_processing() -> dict[str, Any]:
    """Purposes with their lawful basis, wording, attributes, special categories, recipients
    and retention. A constant number of queries, however many purposes there are."""
    attributes = defaultdict(list)
    for attribute in Attribute.objects.order_by("position", "key"):
        attributes[attribute.purpose_id].append(
            {
                "key": attribute.key,
                "label_de": attribute.label_de,
                "label_en": text_in(attribute, "label", "en"),
                "kind": attribute.kind,
                "special_category": attribute.is_special_category,
                "collected": attribute.is_active,
            }
        )
    recipients = defaultdict(list)
    for partner in PartnerClient.objects.prefetch_related("allowed_purposes").order_by("name"):
        for purpose in partner.allowed_purposes.all():
            recipients[purpose.pk].append(
                {"partner": partner.key, "name": partner.name, "active": partner.is_active}
            )
    retention = defaultdict(dict)
    for rule in retention_effective():
        retention[rule.purpose.pk][rule.data_kind] = {
            "days_after_withdrawal": rule.days_after_withdrawal,
            "max_age_days": rule.max_age_days,
        }
    purposes = []
    for purpose in Purpose.objects.select_related("current_version").order_by("position", "key"):
        version = purpose.current_version
        purposes.append(
            {
                "key": purpose.key,
                "title_de": version.title_de if version else "",
                "title_en": text_in(version, "title", "en") if version else "",
                "summary_en": text_in(version, "summary", "en") if version else "",
                "version": version.version if version else None,
                "published_at": version.published_at.isoformat()
                if version and version.published_at
                else None,
                "lawful_basis": purpose.lawful_basis,
                "lawful_basis_label": str(purpose.get_lawful_basis_display()),
                "special_categories_allowed": purpose.allows_special_category,
                "sale_or_share": purpose.is_sale_or_share,
                "double_opt_in": purpose.requires_double_opt_in,
                "special_categories": [
                    a["key"] for a in attributes[purpose.pk] if a["special_category"]
                ],
                "attributes": attributes[purpose.pk],
                "recipients": recipients[purpose.pk],
                "retention": retention[purpose.pk],
            }
        )
    return {
        "version": RECORD_VERSION,
        "generated_at": timezone.now().isoformat(),
        "controller_note": (
            "Data is collected from customers directly (zero-party), per purpose and with "
            "consent where the lawful basis is consent; partners receive data of a purpose "
            "only while the customer grants both that purpose and sharing with partners."
        ),
        "purposes": purposes,
    }

"""Every app that keeps personal data takes part in exports and erasures."""

from apps.privacy.registry import (
    apps_holding_profiles,
    apps_missing_privacy_part,
    privacy_parts,
    privacy_parts_for_erasure,
)


def test_every_app_with_a_model_pointing_at_profile_has_a_privacy_module():
    assert apps_missing_privacy_part() == set(), (
        "Add `privacy.py` with export(profile) and erase(profile) to these apps."
    )


def test_the_check_knows_the_apps_that_hold_profiles():
    assert {"profiles", "consent", "preferences", "campaigns", "loyalty"} <= apps_holding_profiles()


def test_the_identity_is_erased_last():
    order = [part.label for part in privacy_parts_for_erasure()]

    assert order[-1] == "profiles"
    assert sorted(order) == sorted(part.label for part in privacy_parts())

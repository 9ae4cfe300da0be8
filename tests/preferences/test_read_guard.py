"""Consent is applied in one place: no module reads declarations or consent states raw.

Every use of declarations goes through `apps.preferences.selectors.declaration_list_usable`,
which keeps only those whose purpose is granted now; consent states are read only through
`apps.consent.selectors`. This test reads the source of every module under `apps/` (an AST
scan, so comments and strings do not count) and fails on a manager of either model
(`.objects`, `._default_manager`, `._base_manager`) anywhere else.

Who may still read `Declaration` rows directly, and why:
- `apps/preferences/models.py`, `selectors.py`, `services.py`: the app that owns the model.
  Its selectors hold the usable read and the few reads that must see everything (the
  customer's own preference center, retention, change detection); its services write.
- `apps/preferences/privacy.py`: preferences' part of a data-subject export and erasure,
  which by law covers everything the person told us, used now or not.
Nothing else, not even `apps/privacy`: its exports and retention call the preferences
selectors (`declaration_list_told`, `declaration_list_under_purpose`), whose names say they
are not for use. `ConsentState` rows are read only inside `apps/consent`.
"""

import ast
from pathlib import Path

from django.conf import settings

APPS = Path(settings.BASE_DIR) / "apps"
MANAGERS = {"objects", "_default_manager", "_base_manager"}
GUARDED = {
    # model name: (module that defines it, where its rows may be read, as path prefixes)
    "Declaration": (
        "apps.preferences.models",
        (
            "apps/preferences/models.py",
            "apps/preferences/selectors",
            "apps/preferences/services",
            "apps/preferences/privacy.py",
        ),
    ),
    "ConsentState": ("apps.consent.models", ("apps/consent/",)),
}


def raw_reads(source: str, *, path: str) -> list[str]:
    """`path:line Model.manager` for every raw read of a guarded model outside its allowed
    modules, following `import ... as` renames and `module.Model` references."""
    tree = ast.parse(source)
    names = {model: model for model in GUARDED}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                model = GUARDED.get(alias.name)
                if model and node.module == model[0]:
                    names[alias.asname or alias.name] = alias.name
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr in MANAGERS):
            continue
        owner = node.value
        if isinstance(owner, ast.Name):
            model = names.get(owner.id)
        elif isinstance(owner, ast.Attribute):
            model = owner.attr if owner.attr in GUARDED else None
        else:
            model = None
        if model and not path.startswith(GUARDED[model][1]):
            found.append((node.lineno, f"{path}:{node.lineno} {model}.{node.attr}"))
    return [read for _line, read in sorted(found)]


def test_no_module_reads_declarations_or_consent_states_around_their_selectors():
    found = []
    for module in sorted(APPS.rglob("*.py")):
        path = module.relative_to(APPS.parent).as_posix()
        if "/migrations/" in path:
            continue
        found += raw_reads(module.read_text(), path=path)

    assert found == []


def test_the_guard_finds_a_raw_read_added_to_a_reader():
    snippet = (
        "from apps.consent.models import ConsentState\n"
        "from apps.preferences.models import Declaration as Told\n"
        "from apps.preferences import models\n"
        "def leads(attribute):\n"
        "    told = Told.objects.filter(attribute=attribute)\n"
        "    states = ConsentState._default_manager.filter(status='granted')\n"
        "    return models.Declaration.objects.all(), told, states\n"
    )

    found = raw_reads(snippet, path="apps/personalization/leads.py")

    assert found == [
        "apps/personalization/leads.py:5 Declaration.objects",
        "apps/personalization/leads.py:6 ConsentState._default_manager",
        "apps/personalization/leads.py:7 Declaration.objects",
    ]


def test_the_guard_lets_the_owning_app_read_its_own_rows():
    snippet = (
        "from apps.preferences.models import Declaration\n"
        "def told(profile):\n"
        "    return Declaration.objects.filter(profile=profile)\n"
    )

    assert raw_reads(snippet, path="apps/preferences/selectors.py") == []
    assert raw_reads(snippet, path="apps/privacy/selectors.py") == [
        "apps/privacy/selectors.py:3 Declaration.objects"
    ]

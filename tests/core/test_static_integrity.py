"""The Subresource Integrity value of a static file, as brand pages check our embed script."""

import base64
import hashlib
import os

import pytest

from apps.core.storage import static_integrity


def _sri(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


@pytest.fixture
def static_dir(settings, tmp_path):
    settings.STATICFILES_DIRS = [tmp_path]
    settings.STATIC_ROOT = tmp_path / "collected"  # nothing collected: the finders' file
    return tmp_path


def test_static_integrity_is_the_sha384_of_the_file_served(static_dir):
    (static_dir / "embed").mkdir()
    (static_dir / "embed" / "x.js").write_bytes(b"console.log(1);\n")

    assert static_integrity("embed/x.js") == _sri(b"console.log(1);\n")


def test_static_integrity_follows_a_file_changed_in_development(static_dir):
    script = static_dir / "x.js"
    script.write_bytes(b"one")
    assert static_integrity("x.js") == _sri(b"one")

    script.write_bytes(b"two")
    stat = script.stat()
    os.utime(script, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    assert static_integrity("x.js") == _sri(b"two")


def test_static_integrity_of_a_missing_file_names_it(static_dir):
    with pytest.raises(FileNotFoundError, match=r"nothing\.js"):
        static_integrity("nothing.js")

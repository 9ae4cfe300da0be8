# The requests desk and the governance pages register themselves with the admin site.
from apps.privacy import desk_admin, governance_admin  # noqa: F401

"""System checks of the editorial app."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error


def site_url_check(app_configs=None, **kwargs):
    """Workflow e-mails link to the site: outside development its address must be set, and absolute."""
    url = getattr(settings, "EDITORIAL_SITE_URL", "")
    parts = urlsplit(url)
    if settings.DEBUG and not url:
        return []
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [Error(
            "DJANGO_SITE_URL must be the site's absolute address, e.g. https://factsheets.example.org "
            f"(now {url!r}).",
            hint="Workflow e-mails carry links to the factsheets: without it they cannot be followed.",
            id="editorial.E001",
        )]
    return []

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


PER_PROCESS_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


def shared_cache_check(app_configs=None, **kwargs):
    """The counters of the "shared" cache (validation rate limits, health) must be seen alike by every process."""
    backend = settings.CACHES.get("shared", {}).get("BACKEND", "")
    if backend and backend not in PER_PROCESS_CACHES:
        return []
    return [Error(
        f"The \"shared\" cache must be shared by every process (now {backend or 'missing'}).",
        hint="Leave DJANGO_SHARED_CACHE_URL unset (the database) or point it at Redis: with a per-process cache, "
             "each web worker would count the validation links' requests on its own.",
        id="editorial.E002",
    )]

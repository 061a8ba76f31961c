"""Caching of the public pages and data files: an ETag and a Last-Modified from the publications' state (one
query), 304 for a conditional GET that matches, and the response kept in the cache under that state, so it is
invalidated the moment a version goes live or is withdrawn, in every process. Their text (HTML, JSON, CSV, XML)
is sent gzip-compressed to a client that accepts it."""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from portal.selectors import publication_state

CACHE_SECONDS = 24 * 3600  # the key changes with every publication: the timeout only bounds the memory
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "X-Robots-Tag")
# Compressed here rather than by a middleware on every URL: these responses are the same for every reader (no
# session, no CSRF token, nothing secret), so compressing them cannot leak a secret (BREACH); the admin and the
# national validation pages, which hold CSRF tokens, are left as they are. PDFs and images are compressed already.
COMPRESSED_TYPES = ("text/", "application/json", "application/ld+json", "application/schema+json",
                    "application/xml", "image/svg+xml")
_gzip = GZipMiddleware(lambda request: None)


def _state(request) -> dict:
    if not hasattr(request, "_portal_state"):
        request._portal_state = publication_state()
    return request._portal_state


def public(*, max_age: int = 60, cors: bool = False, query: bool = False):
    """Decorate a public GET view whose response depends only on the URL and the publications. Unless `query`
    says the view reads its query string (filters, compare), the key ignores it: made-up parameters can neither
    fill the cache nor force a render (the summary's PDF takes a second)."""
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            state = _state(request)
            changed = max((d for d in (state["published"], state["withdrawn"]) if d), default=None)
            fingerprint = "|".join(str(state[k]) for k in sorted(state))
            url = request.get_full_path() if query else request.path
            digest = hashlib.sha256(f"portal-1|{fingerprint}|{request.get_host()}|{url}".encode()).hexdigest()[:40]
            # Weak: the same page state, whether sent compressed or not.
            etag = f'W/"{digest}"'
            last_modified = int(changed.timestamp()) if changed else None
            response = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if response is None:
                key = f"portal:{digest}"
                kept = cache.get(key)
                if kept is not None:
                    content, headers = kept
                    response = HttpResponse(content)
                    for name, value in headers.items():
                        response[name] = value
                else:
                    response = view(request, *args, **kwargs)
                    if response.status_code == 200 and not response.streaming:
                        headers = {h: response[h] for h in KEPT_HEADERS if h in response}
                        cache.set(key, (response.content, headers), CACHE_SECONDS)
            response["ETag"] = etag
            if last_modified:
                response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True, max_age=max_age)
            if cors:
                response["Access-Control-Allow-Origin"] = "*"
                response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
            return compressed(request, response)
        return wrapped
    return decorate


def compressed(request, response):
    """The response gzip-compressed when the client accepts it and its type is text (Django's GZipMiddleware:
    `Vary: Accept-Encoding`, nothing under 200 bytes, a 304 left as it is)."""
    if response.get("Content-Type", "").startswith(COMPRESSED_TYPES):
        return _gzip.process_response(request, response)
    return response

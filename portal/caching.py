"""Caching of the public pages and data files: an ETag and a Last-Modified from the publications' state (one
query; for a data file, the state of its own dataset), 304 for a conditional GET that matches what exists, and
the response kept in the cache under that state and the canonical site and URL, so it is invalidated the moment a
version goes live or is withdrawn, in every process, and no spelling of a Host header or a query string can make
another entry. Their text (HTML, JSON, CSV, XML) is sent gzip-compressed to a client that accepts it."""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from editorial.notifications import site_url
from portal.selectors import publication_state

CACHE_SECONDS = 24 * 3600  # the key changes with every publication: the timeout only bounds the memory
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "X-Robots-Tag")
CORS_HEADERS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, Last-Modified"}
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


def _until_release(state: dict, max_age: int) -> int:
    """No browser or proxy keeps a page past the next edition release: the page switches at that instant."""
    upcoming = state.get("next_release")
    if upcoming is None:
        return max_age
    return max(0, min(max_age, int((upcoming - timezone.now()).total_seconds())))


def public(*, max_age: int = 60, cors: bool = False, query=False, scope: Callable[..., dict] | None = None):
    """Decorate a public GET view whose response depends only on the URL and the publications. The key is the
    canonical site (never the Host header, whatever its spelling), the path and, for a view that reads its query
    string, `query`: True for the query as sent (the view redirects any non-canonical spelling, so only canonical
    ones are answered 200 and cached), or a function of the request giving the canonical query. Otherwise made-up
    parameters can neither fill the cache nor force a render (the summary's PDF takes a second). `scope(**kwargs)`
    names the dataset a data file depends on (publication_state's filters): its ETag and Last-Modified are that
    dataset's.

    Only a 200 is kept, and a conditional GET is answered 304 only for what exists: from the cache, or once the
    view has answered 200 (a 404 stays a 404 whatever If-Modified-Since or If-None-Match say)."""
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            state = publication_state(**scope(**kwargs)) if scope else _state(request)
            changed = max((d for d in (state["published"], state["withdrawn"]) if d), default=None)
            fingerprint = "|".join(str(state[k]) for k in sorted(state) if k != "next_release")
            wanted = (query(request) if callable(query) else request.META.get("QUERY_STRING", "")) if query else ""
            url = f"{request.path}?{wanted}" if wanted else request.path
            digest = hashlib.sha256(f"portal-2|{fingerprint}|{site_url()}|{url}".encode()).hexdigest()[:40]
            # Weak: the same page state, whether sent compressed or not.
            etag = f'W/"{digest}"'
            last_modified = int(changed.timestamp()) if changed else None
            key = f"portal:{digest}"
            kept = cache.get(key)
            if kept is not None:
                response = get_conditional_response(request, etag=etag, last_modified=last_modified)
                if response is None:
                    content, headers = kept
                    response = HttpResponse(content)
                    for name, value in headers.items():
                        response[name] = value
            else:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming:
                    return response
                headers = {h: response[h] for h in KEPT_HEADERS if h in response}
                cache.set(key, (response.content, headers), CACHE_SECONDS)
                response = get_conditional_response(request, etag=etag, last_modified=last_modified) or response
            response["ETag"] = etag
            if last_modified:
                response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True, max_age=_until_release(state, max_age))
            if cors:
                for name, value in CORS_HEADERS.items():
                    response[name] = value
            return compressed(request, response)
        return wrapped
    return decorate


def compressed(request, response):
    """The response gzip-compressed when the client accepts it and its type is text (Django's GZipMiddleware:
    `Vary: Accept-Encoding`, nothing under 200 bytes, a 304 left as it is)."""
    if response.get("Content-Type", "").startswith(COMPRESSED_TYPES):
        return _gzip.process_response(request, response)
    return response

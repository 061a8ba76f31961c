"""Caching of the public pages and data files: an ETag and a Last-Modified from the publications' state (one
query), 304 for a conditional GET that matches, and the response kept in the cache under that state, so it is
invalidated the moment a version goes live or is withdrawn, in every process."""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from portal.selectors import publication_state

CACHE_SECONDS = 24 * 3600  # the key changes with every publication: the timeout only bounds the memory
KEPT_HEADERS = ("Content-Type", "Content-Disposition")


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


def public(*, max_age: int = 60, cors: bool = False, query: bool = False):
    """Decorate a public GET view whose response depends only on the URL and the publications. Unless `query`
    says the view reads its query string (filters, compare), the key ignores it: made-up parameters can neither
    fill the cache nor force a render (the summary's PDF takes a second)."""
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            state = _state(request)
            changed = max((d for d in (state["published"], state["withdrawn"]) if d), default=None)
            fingerprint = "|".join(str(state[k]) for k in sorted(state) if k != "next_release")
            url = request.get_full_path() if query else request.path
            digest = hashlib.sha256(f"portal-1|{fingerprint}|{request.get_host()}|{url}".encode()).hexdigest()[:40]
            etag = f'"{digest}"'
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
            patch_cache_control(response, public=True, max_age=_until_release(state, max_age))
            if cors:
                response["Access-Control-Allow-Origin"] = "*"
                response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
            return response
        return wrapped
    return decorate

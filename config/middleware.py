"""Requests refused before any view runs: larger than the platform ever needs (before their body is read or spooled
to disk), or carrying a NUL character in their address (no database stores one: PostgreSQL refuses it)."""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.html import escape


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.FACTSHEETS_MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            mb = 1024 * 1024
            message = (f"The request is {length // mb} MB; this site accepts at most {limit // mb} MB (an import "
                       f"file may be {settings.FACTSHEETS_IMPORT_MAX_BYTES // mb} MB). Nothing was received or "
                       "changed. Go back and choose a smaller file.")
            return HttpResponse(
                '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Request too large</title>'
                f"</head><body><h1>Request too large</h1><p>{escape(message)}</p></body></html>",
                status=413, headers={"Connection": "close"},
            )
        return self.get_response(request)


class NulCharacterMiddleware:
    """A NUL character in the path or the query string (`?state=%00`) is a 400, whatever view or admin filter would
    have received it: no text field may hold one, and PostgreSQL refuses it in a query (a 500 otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for raw in (request.META.get("QUERY_STRING", ""), request.META.get("PATH_INFO", "")):
            if "\x00" in raw or b"\x00" in unquote_to_bytes(raw):
                return HttpResponseBadRequest(
                    "Bad request: the address holds a NUL character (%00), which nothing on this site accepts.",
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)

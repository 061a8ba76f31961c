"""Requests larger than the platform ever needs are refused before their body is read (or spooled to disk)."""

from django.conf import settings
from django.http import HttpResponse
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

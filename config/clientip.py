"""The client's address, for login throttling (django-axes) and the validation links' rate limit: behind
CLIENT_IP_PROXY_COUNT front proxies, read from X-Forwarded-For with django-ipware; the address a proxy adds is
trusted, anything a client prepends is not."""

from django.conf import settings
from ipware import get_client_ip


def client_ip(request) -> str:
    proxies = settings.CLIENT_IP_PROXY_COUNT
    if proxies:
        # Each proxy appends the address it received the request from, so the client is the proxies-th entry
        # from the right; `strict=False` accepts (and ignores) whatever the client put before it.
        address, _ = get_client_ip(request, proxy_order="left-most", proxy_count=proxies - 1,
                                   request_header_order=["HTTP_X_FORWARDED_FOR"], strict=False)
        if address:
            return address
    return request.META.get("REMOTE_ADDR", "") or ""

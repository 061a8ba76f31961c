"""Absolute links of the public pages, from the canonical site (DJANGO_SITE_URL) and the route, never from the
request (its Host header, its query string): a page kept in the cache says the same whoever asked for it."""

from django import template
from django.urls import reverse

from editorial.notifications import absolute, site_url

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """The page's canonical address: its route, with the arguments it was resolved with (a country code in lower
    case), on the canonical site. No query string."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return site_url() + "/"
    kwargs = {k: (v.lower() if k == "country" and isinstance(v, str) else v) for k, v in match.kwargs.items()}
    return absolute(reverse(match.view_name, args=match.args, kwargs=kwargs))


@register.simple_tag
def site_absolute(path: str) -> str:
    """A path of this site as an absolute link on the canonical site."""
    return absolute(path)

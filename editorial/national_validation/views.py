"""The national contact's validation page: no account, a private link, read-only apart from its answer form."""

import hashlib
from functools import wraps

from axes.helpers import get_client_ip_address as client_ip
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from editorial import notifications
from editorial.national_validation import selectors, services
from editorial.national_validation.forms import ValidationAnswerForm
from editorial.permissions import WorkflowError
from editorial.rendering.document import factsheet_document
from factsheets.models import Section

NOT_FOUND = "This validation link does not open anything: it may be mistyped, expired or revoked."


WINDOW = 600  # seconds of each rate-limit bucket


def _counted(key: str) -> int:
    """Add one to a counter of the shared cache (seen alike by every process) and return it."""
    counters = caches["shared"]
    counters.add(key, 0, timeout=WINDOW)
    try:
        return counters.incr(key)
    except ValueError:  # expired between the two calls
        counters.set(key, 1, timeout=WINDOW)
        return 1


def _too_many():
    return HttpResponse("Too many requests: wait a few minutes and try again.", status=429,
                        content_type="text/plain; charset=utf-8", headers={"Retry-After": str(WINDOW)})


def token_checked(view):
    """Open the link's request, or answer 404 (wrong, expired, revoked: alike) within two limits per ten minutes:
    EDITORIAL_VALIDATION_FAILURES wrong tokens per client address, then 429 for that address's wrong tokens only
    (guessing is pointless at 192 bits, but nobody may hammer the lookup); and EDITORIAL_VALIDATION_RATE requests
    per link. Failures never block a valid link, whoever shares the address (a proxy, an office). The address and
    the token are only hashed cache keys."""

    @wraps(view)
    def wrapped(request, token: str):
        vrequest = selectors.validation_request_open(token=token)
        if vrequest is None:
            address = hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]
            key = f"validation-fail:{address}"
            if (caches["shared"].get(key) or 0) >= settings.EDITORIAL_VALIDATION_FAILURES:
                return _too_many()
            _counted(key)
            raise Http404(NOT_FOUND)
        if _counted(f"validation-link:{vrequest.pk}") > settings.EDITORIAL_VALIDATION_RATE:
            return _too_many()
        return view(request, vrequest)

    return wrapped


def _headers(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"  # the token never leaks to another site (the page links out)
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
@token_checked
def validation_page(request, vrequest):
    open_for_answers = selectors.validation_is_open(vrequest)
    sections = list(Section.objects.filter(edition_id=vrequest.factsheet.edition_id).order_by("order"))
    current = selectors.validation_current_answers(request=vrequest)
    form = ValidationAnswerForm(request.POST if request.method == "POST" else None, sections=sections,
                                current=current)
    if request.method == "POST":
        if not open_for_answers:
            raise Http404(NOT_FOUND)
        if form.is_valid():
            try:
                services.validation_answer_submit(request=vrequest, answers=form.answers(),
                                                    verdict=form.cleaned_data["verdict"],
                                                    comment=form.cleaned_data["comment"])
            except ValidationError as error:
                form.add_error(None, error)
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                return redirect(request.path + "?saved=1")
    elif request.method == "GET":  # a HEAD (a link checker, a mail scanner) is no opening
        services.validation_opening_record(request=vrequest)
    # The revision that was sent, nothing newer (while the request's cycle lasts, what changed since is listed).
    document = factsheet_document(vrequest.factsheet, vrequest.revision.snapshot, web=True,
                                  modified=vrequest.revision.created_at)
    published = selectors.validation_published_since(request=vrequest)
    context = {
        "vrequest": vrequest,
        "sender": notifications.sender_name(vrequest.sent_by),
        "doc": document,
        "form": form,
        "sections": {s.kind: s for s in sections},
        "open": open_for_answers,
        "published": published,
        "published_url": _public_page(vrequest.factsheet) if published and published.withdrawn_at is None else "",
        "changes": selectors.validation_changes_since(request=vrequest),
        "saved": request.GET.get("saved") == "1" and request.method == "GET",
        "after_section": "editorial/validation/_section_answer.html",
    }
    return _headers(render(request, "editorial/validation/page.html", context))


@never_cache
@require_safe
@token_checked
def validation_draft_pdf(request, vrequest):
    factsheet = vrequest.factsheet
    response = FileResponse(services.validation_draft_pdf_open(request=vrequest), content_type="application/pdf")
    response["Content-Disposition"] = (f'inline; filename="DRAFT-{factsheet.country.code}-{factsheet.edition.year}'
                                       '-for-validation.pdf"')
    return _headers(response)


def _public_page(factsheet) -> str:
    """The factsheet's public page (the portal's, when it is installed), else its PDF download."""
    try:
        return reverse("portal:factsheet", args=[factsheet.edition.year, str(factsheet.country.code).lower()])
    except NoReverseMatch:
        return reverse("editorial:factsheet_download", args=[factsheet.edition.year, factsheet.country.code])

"""National validation in the admin: sending a factsheet, revoking a link, marking an answer read, and the list of
every request."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect

from editorial import permissions
from editorial.models import ValidationRequest
from editorial.national_validation import selectors as validation_selectors
from editorial.national_validation import services as validation_services
from editorial.national_validation.forms import ValidationSendForm
from editorial.permissions import WorkflowError


class ValidationViewsMixin:
    """The factsheet admin's validation pages (its URLs name them)."""

    def validation_send_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        factsheet = self._viewable(request, object_id)
        form = ValidationSendForm(request.POST, contacts=validation_selectors.contacts_for(factsheet=factsheet))
        if not form.is_valid():
            messages.error(request, "Nothing was sent: " + " ".join(e for errs in form.errors.values() for e in errs))
        else:
            try:
                sent = validation_services.validation_request_send(
                    factsheet=factsheet, contacts=form.cleaned_data["contacts"], message=form.cleaned_data["message"],
                    deadline=form.cleaned_data["deadline"], by=request.user)
            except WorkflowError as error:
                messages.error(request, error.message)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Sent for national validation: " + ", ".join(
                    f"{s.request.contact_label} <{s.request.contact_email}>" for s in sent)
                    + ". Each contact has an e-mail with a private link.")
        return redirect(self._change_url(factsheet) + "#validation")

    def _validation_request(self, request, object_id, request_id):
        if request.method != "POST":
            return None, None
        factsheet = self._viewable(request, object_id)
        vrequest = ValidationRequest.objects.filter(factsheet=factsheet, pk=request_id).first()
        if vrequest is None:
            raise Http404("No such request.")
        return factsheet, vrequest

    def validation_revoke_view(self, request, object_id, request_id):
        factsheet, vrequest = self._validation_request(request, object_id, request_id)
        if vrequest is None:
            return HttpResponseNotAllowed(["POST"])
        validation_services.validation_request_revoke(request=vrequest, by=request.user)
        messages.success(request, f"The link sent to {vrequest.contact_label} no longer opens.")
        return redirect(self._change_url(factsheet) + "#validation")

    def validation_read_view(self, request, object_id, request_id):
        factsheet, vrequest = self._validation_request(request, object_id, request_id)
        if vrequest is None:
            return HttpResponseNotAllowed(["POST"])
        validation_services.validation_mark_read(request=vrequest, by=request.user)
        return redirect(self._change_url(factsheet) + "#validation")


@admin.register(ValidationRequest)
class ValidationRequestAdmin(admin.ModelAdmin):
    """Every request for national validation: who was asked, when, what they answered; links can be revoked."""

    list_display = ["factsheet", "contact_label", "sent_at", "deadline", "verdict", "answered_at", "revoked_at"]
    list_filter = ["verdict", "factsheet__edition"]
    list_select_related = ["factsheet__country", "factsheet__edition"]
    search_fields = ["factsheet__country__name", "contact_label"]
    actions = ["revoke"]
    readonly_fields = [f.name for f in ValidationRequest._meta.fields if f.name != "token_hash"]
    exclude = ["token_hash", "reminder_token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected links")
    def revoke(self, request, queryset):
        if not permissions.can(request.user, "request_validation"):
            raise PermissionDenied
        for vrequest in queryset:
            validation_services.validation_request_revoke(request=vrequest, by=request.user)
        messages.success(request, f"{queryset.count()} link(s) revoked.")

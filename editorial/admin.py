"""The workflow in the admin: factsheet states and actions, history and compare, editions opened and counted."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe

from editorial import editions, permissions, selectors, services
from editorial.forms import DecisionForm, EditionOpenForm, FactsheetChangeForm
from editorial.models import Publication, Revision
from editorial.permissions import WorkflowError
from editorial.workflow import TRANSITIONS
from factsheets import admin as factsheets_admin
from factsheets.models import Edition, Factsheet, Section, State
from factsheets.richtext import RichTextField, sanitize

HTML_SUFFIX = "__html"


def _rich_text_names(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields if isinstance(f, RichTextField)}


def _as_html_names(model, names):
    """Read-only rich texts are shown as their (sanitised) HTML, not as tags: `text` becomes `text__html`."""
    rich = _rich_text_names(model)
    out = []
    for name in names:
        if isinstance(name, (list, tuple)):
            out.append(tuple(f"{n}{HTML_SUFFIX}" if n in rich else n for n in name))
        elif name in rich:
            out.append(f"{name}{HTML_SUFFIX}")
        else:
            out.append(name)
    return list(dict.fromkeys(out))


def _html_fieldsets(model, fieldsets):
    return [(title, {**options, "fields": _as_html_names(model, options["fields"])}) for title, options in fieldsets]


class RichTextReadOnlyMixin:
    """Provides `<field>__html` read-only displays of rich-text fields (sanitised with the one allowlist)."""

    def __getattr__(self, name):
        if not name.endswith(HTML_SUFFIX) or name[: -len(HTML_SUFFIX)] not in _rich_text_names(self.model):
            raise AttributeError(name)
        field_name = name[: -len(HTML_SUFFIX)]

        def display(obj):
            return mark_safe(sanitize(getattr(obj, field_name)))  # noqa: S308 - sanitised by the nh3 allowlist

        display.short_description = self.model._meta.get_field(field_name).verbose_name
        return display


class WorkflowInlineMixin(RichTextReadOnlyMixin):
    """Inlines follow the factsheet: nothing to add, change or delete unless the factsheet may be edited."""

    def _editable(self, request, obj):
        return obj is None or permissions.can_edit(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self._editable(request, obj):
            fields += [f"{name}{HTML_SUFFIX}" for name in sorted(_rich_text_names(self.model))]
        return fields

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if self._editable(request, obj) else _as_html_names(self.model, fields)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if self._editable(request, obj) else _html_fieldsets(self.model, fieldsets)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


class PolicyInline(WorkflowInlineMixin, factsheets_admin.PolicyInline):
    pass


class AssessmentInline(WorkflowInlineMixin, factsheets_admin.AssessmentInline):
    pass


class QualitativeInline(WorkflowInlineMixin, factsheets_admin.QualitativeInline):
    pass


class FootnoteInline(WorkflowInlineMixin, factsheets_admin.FootnoteInline):
    pass


class ReferenceInline(WorkflowInlineMixin, factsheets_admin.ReferenceInline):
    pass


class WorkflowFactsheetAdmin(RichTextReadOnlyMixin, factsheets_admin.FactsheetAdmin):
    form = FactsheetChangeForm
    change_form_template = "editorial/admin/factsheet_change_form.html"
    inlines = [PolicyInline, AssessmentInline, QualitativeInline, FootnoteInline, ReferenceInline]

    class Media:
        css = {"all": ["editorial/admin/workflow.css"]}

    # --- permissions: the state decides, for everyone ---------------------------------------------------
    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permissions.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or (obj.state == State.DRAFT and not obj.publications.exists())

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        if not self.has_change_permission(request, obj):
            return _html_fieldsets(self.model, fieldsets)
        first = fieldsets[0]
        return [(first[0], {**first[1], "fields": [*first[1]["fields"], "loaded_version"]}), *fieldsets[1:]]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields += [f"{name}{HTML_SUFFIX}" for name in sorted(_rich_text_names(self.model))]
        return fields

    # --- saving: version check, then a revision of the whole factsheet --------------------------------
    def save_model(self, request, obj, form, change):
        if change:
            obj.lock_version = services.lock_version_claim(
                factsheet_id=obj.pk, loaded_version=form.cleaned_data.get("loaded_version")
            )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.revision_record(
            factsheet=form.instance, by=request.user, reason="Edited in the admin" if change else "Created"
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.EditConflict:
            # Rolled back; render the form again with the conflict as its error and the input kept.
            request.editorial_edit_conflict = True
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if getattr(request, "editorial_edit_conflict", False):
            form = type(form.__name__, (form,), {"force_conflict": True})
        return form

    def change_view(self, request, object_id, form_url="", extra_context=None):
        factsheet = self.get_object(request, admin.utils.unquote(object_id))
        context = dict(extra_context or {})
        if factsheet is not None and self.has_view_or_change_permission(request, factsheet):
            context.update(self._workflow_context(request, factsheet))
        return super().change_view(request, object_id, form_url, context)

    def _workflow_context(self, request, factsheet):
        user = request.user
        sections = list(Section.objects.filter(edition_id=factsheet.edition_id))
        policies = list(factsheet.policies.only("id", "order", "name", "factsheet_id"))
        transitions = permissions.allowed_transitions(user, factsheet)
        timeline = selectors.factsheet_timeline(factsheet=factsheet)
        can_comment = permissions.can(user, "comment", factsheet)
        form = None
        if transitions or can_comment:
            form = DecisionForm(factsheet=factsheet, sections=sections, policies=policies)
            if not any(t.comment_required for t in transitions):
                form.fields["comment"].help_text = ""
        return {
            "workflow": {
                "state": factsheet.state,
                "state_label": State(factsheet.state).label,
                "transitions": transitions,
                "can_comment": can_comment,
                "comment_open": any(t.comment_required for t in transitions),
                "editable": permissions.can_edit(user, factsheet),
                "form": form,
                "timeline": timeline,
                "change_request": next(
                    (i.entry for i in timeline if i.kind == "audit" and i.entry.action == "request_changes"), None
                ) if factsheet.state == State.CHANGES_REQUESTED else None,
                "issues": list(selectors.carry_forward_issues(factsheet=factsheet)),
                "publications": list(selectors.publication_list(factsheet=factsheet)),
                "live": selectors.current_publication(factsheet=factsheet),
            }
        }

    # --- extra pages ------------------------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/workflow/", wrap(self.workflow_view), name="factsheets_factsheet_workflow"),
            path("<path:object_id>/history/compare/", wrap(self.compare_view), name="factsheets_factsheet_compare"),
            path("<path:object_id>/history/<int:number>/revert/", wrap(self.revert_view),
                 name="factsheets_factsheet_revert"),
            path("<path:object_id>/publications/<int:number>/pdf/", wrap(self.publication_pdf_view),
                 name="factsheets_factsheet_publication"),
            *super().get_urls(),
        ]

    def _viewable(self, request, object_id) -> Factsheet:
        factsheet = self.get_object(request, admin.utils.unquote(object_id))
        if factsheet is None:
            raise Http404("No such factsheet.")
        if not self.has_view_or_change_permission(request, factsheet):
            raise PermissionDenied
        return factsheet

    def _change_url(self, factsheet):
        return reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])

    def workflow_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        factsheet = self._viewable(request, object_id)
        action = request.POST.get("action", "")
        if action != "comment" and action not in TRANSITIONS:
            return HttpResponseBadRequest("Unknown action.")
        form = DecisionForm(request.POST, factsheet=factsheet)
        if not form.is_valid():
            messages.error(request, "Check the comment: " + " ".join(e for errs in form.errors.values() for e in errs))
            return redirect(self._change_url(factsheet))
        comment = form.cleaned_data["comment"]
        try:
            if action == "comment":
                services.review_comment_add(factsheet=factsheet, by=request.user, text=comment, **form.anchor())
                messages.success(request, "Your comment was added.")
            else:
                anchor = form.anchor() if action == "request_changes" else {}
                result = services.factsheet_transition(
                    factsheet=factsheet, by=request.user, action=action, comment=comment, **anchor
                )
                label = TRANSITIONS[action].label
                if isinstance(result, Publication):
                    messages.success(request, f"Published as version {result.number}.")
                else:
                    messages.success(request, f"{label}: done. The factsheet is now "
                                              f"{State(TRANSITIONS[action].target).label.lower()}.")
        except WorkflowError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(self._change_url(factsheet))

    def history_view(self, request, object_id, extra_context=None):
        factsheet = self._viewable(request, object_id)
        live = selectors.current_publication(factsheet=factsheet)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"History of {factsheet}",
            "factsheet": factsheet,
            "revisions": list(selectors.revision_list(factsheet=factsheet)),
            "live": live,
            "can_revert": permissions.can(request.user, "revert", factsheet),
            "change_url": self._change_url(factsheet),
        }
        return TemplateResponse(request, "editorial/admin/factsheet_history.html", context)

    def compare_view(self, request, object_id):
        factsheet = self._viewable(request, object_id)
        revisions = Revision.objects.filter(factsheet=factsheet)
        latest = revisions.order_by("-number").first()
        live = selectors.current_publication(factsheet=factsheet)

        def pick(value, default):
            if value == "published":
                return live.revision if live else None
            if value in (None, ""):
                return default
            try:
                return revisions.get(number=int(value))
            except (ValueError, Revision.DoesNotExist):
                raise Http404("No such revision.") from None

        old = pick(request.GET.get("a"), None)
        new = pick(request.GET.get("b"), latest)
        if request.GET.get("a") == "published" and old is None:
            messages.warning(request, "This factsheet has no published version to compare with.")
            return redirect(self._change_url(factsheet))
        if old is None or new is None:
            messages.warning(request, "Choose two revisions to compare.")
            return redirect(reverse("admin:factsheets_factsheet_history", args=[factsheet.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Compare revisions of {factsheet}",
            "factsheet": factsheet,
            "old": old,
            "new": new,
            "old_is_live": bool(live and live.revision_id == old.pk),
            "changes": selectors.snapshot_compare(old.snapshot, new.snapshot),
            "change_url": self._change_url(factsheet),
        }
        return TemplateResponse(request, "editorial/admin/factsheet_compare.html", context)

    def revert_view(self, request, object_id, number):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        factsheet = self._viewable(request, object_id)
        revision = Revision.objects.filter(factsheet=factsheet, number=number).first()
        if revision is None:
            raise Http404("No such revision.")
        try:
            new = services.revision_revert(factsheet=factsheet, revision=revision, by=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
            return redirect(reverse("admin:factsheets_factsheet_history", args=[factsheet.pk]))
        messages.success(request, f"Revision {number} restored as revision {new.number}.")
        return redirect(self._change_url(factsheet))

    def publication_pdf_view(self, request, object_id, number):
        factsheet = self._viewable(request, object_id)
        publication = Publication.objects.filter(factsheet=factsheet, number=number).select_related(
            "factsheet__country", "factsheet__edition").first()
        if publication is None or not publication.pdf:
            raise Http404("No such version.")
        name = publication.file_name.replace(".pdf", f"-v{publication.number}.pdf")
        return FileResponse(publication.pdf.open("rb"), content_type="application/pdf", filename=name)


class WorkflowEditionAdmin(factsheets_admin.EditionAdmin):
    change_list_template = "editorial/admin/edition_change_list.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("dashboard/", wrap(self.dashboard_view), name="factsheets_edition_dashboard"),
            path("open/", wrap(self.open_view), name="factsheets_edition_open"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {
            "can_open_edition": permissions.can(request.user, "open_edition"),
            # extend whatever list template the edition admin had (e.g. import/export buttons)
            "editorial_base_change_list": (
                factsheets_admin.EditionAdmin.change_list_template or "admin/change_list.html"
            ),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Edition dashboard",
            "states": list(State),
            "rows": selectors.edition_state_counts(),
            "can_open_edition": permissions.can(request.user, "open_edition"),
        }
        return TemplateResponse(request, "editorial/admin/edition_dashboard.html", context)

    def open_view(self, request):
        if not permissions.can(request.user, "open_edition"):
            raise PermissionDenied
        form = EditionOpenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    edition, created = editions.edition_open(
                        source=form.cleaned_data["source"], year=form.cleaned_data["year"], by=request.user
                    )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"The {edition.year} edition is open with {len(created)} new draft(s).")
                return redirect(reverse("admin:factsheets_edition_dashboard"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Open a new edition",
            "form": form,
        }
        return TemplateResponse(request, "editorial/admin/edition_open.html", context)


admin.site.unregister(Factsheet)
admin.site.register(Factsheet, WorkflowFactsheetAdmin)
admin.site.unregister(Edition)
admin.site.register(Edition, WorkflowEditionAdmin)

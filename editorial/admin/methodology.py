"""The methodology in the admin: criteria and categories (merged, never deleted while in use). Adding, saving or
deleting (one or in bulk) what an edition prints makes every pending approval of its factsheets stale at once."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from editorial import permissions, services
from editorial.forms import CategoryMergeForm
from editorial.permissions import WorkflowError
from factsheets import admin as factsheets_admin
from factsheets.models import Category, Criterion, Edition
from factsheets.selectors import category_policies


class MethodologyChangeMixin:
    """Adding, saving or deleting what an edition prints makes every pending approval of its factsheets stale."""

    def _changed(self, request, edition: Edition, what: str) -> None:
        reopened = services.methodology_changed(edition=edition, by=request.user, what=what)
        if reopened:
            names = ", ".join(str(f) for f in reopened)
            messages.warning(request, "The methodology changed, so these factsheets are back to draft and need a "
                                      f"new review: {names}.")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if change or not isinstance(obj, Edition):  # a new edition has no factsheet yet
            self._changed(request, obj if isinstance(obj, Edition) else obj.edition,
                          f"{obj._meta.verbose_name} “{obj}” {'edited' if change else 'added'}")

    def delete_model(self, request, obj):
        edition, what = (None if isinstance(obj, Edition) else obj.edition), f"{obj._meta.verbose_name} “{obj}” deleted"
        super().delete_model(request, obj)
        if edition is not None:
            self._changed(request, edition, what)

    def delete_queryset(self, request, queryset):
        """The changelist's "delete selected": each edition touched records the change once."""
        if queryset.model is Edition:
            return super().delete_queryset(request, queryset)
        deleted: dict[int, list[str]] = {}
        for obj in queryset.select_related("edition"):
            deleted.setdefault(obj.edition_id, []).append(f"“{obj}”")
        editions = Edition.objects.in_bulk(list(deleted))
        super().delete_queryset(request, queryset)
        name = queryset.model._meta
        for edition_id, names in deleted.items():
            label = name.verbose_name if len(names) == 1 else name.verbose_name_plural
            self._changed(request, editions[edition_id], f"{label} {', '.join(names)} deleted")


class WorkflowCriterionAdmin(MethodologyChangeMixin, factsheets_admin.CriterionAdmin):
    pass


class WorkflowCategoryAdmin(MethodologyChangeMixin, factsheets_admin.CategoryAdmin):
    """Categories: a category in use is never deleted (it is merged into another, recorded in every factsheet
    it touches)."""

    change_form_template = "editorial/admin/category_change_form.html"

    def get_urls(self):
        return [
            path("<path:object_id>/merge/", self.admin_site.admin_view(self.merge_view),
                 name="factsheets_category_merge"),
            *super().get_urls(),
        ]

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for category in objs:
            for policy in category_policies(category=category):
                protected.append(f"Policy “{policy.name}” of {policy.factsheet} uses “{category.label}”: "
                                 "merge the category into another instead")
        return deleted, model_count, perms_needed, protected

    def merge_view(self, request, object_id):
        source = self.get_object(request, admin.utils.unquote(object_id))
        if source is None:
            raise Http404("No such category.")
        if not permissions.can(request.user, "merge_category"):
            raise PermissionDenied
        form = CategoryMergeForm(request.POST or None, source=source)
        if request.method == "POST" and form.is_valid():
            try:
                touched = services.category_merge(source=source, target=form.cleaned_data["into"], by=request.user)
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"“{source.label}” was merged into “{form.cleaned_data['into'].label}”; "
                                          f"{len(touched)} factsheet(s) recorded the change in their history.")
                return redirect(reverse("admin:factsheets_category_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Merge “{source.label}” into another category",
            "source": source,
            "form": form,
            "policies": list(category_policies(category=source)),
        }
        return TemplateResponse(request, "editorial/admin/category_merge.html", context)


admin.site.unregister(Criterion)
admin.site.register(Criterion, WorkflowCriterionAdmin)
admin.site.unregister(Category)
admin.site.register(Category, WorkflowCategoryAdmin)

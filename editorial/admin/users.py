"""Users in the admin: people in the editorial history are deactivated, never deleted."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from editorial import services

User = get_user_model()


class EditorialUserAdmin(UserAdmin):
    """Users who appear in the editorial history (revisions, decisions, comments, publications, imports) are
    deactivated, never deleted: the history keeps their names."""

    actions = ["deactivate_users"]
    list_display = [*UserAdmin.list_display, "is_active"]

    @admin.action(description="Deactivate selected users (they keep their place in the history)",
                  permissions=["change"])
    def deactivate_users(self, request, queryset):
        count = services.users_deactivate(users=queryset.exclude(pk=request.user.pk), by=request.user)
        messages.success(request, f"{count} user(s) deactivated: they can no longer log in and keep their names "
                                  "in the history.")

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            perms_needed = set()  # what matters is that the history protects the account, not other permissions
            protected.insert(0, "This account appears in the editorial history, which must keep its name: "
                                "deactivate it instead (Users › select it › “Deactivate selected users”).")
        return deleted, model_count, perms_needed, protected


admin.site.unregister(User)
admin.site.register(User, EditorialUserAdmin)

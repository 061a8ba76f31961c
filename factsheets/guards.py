"""Integrity the database cannot hold by itself: a category used by a policy is never deleted silently.

A many-to-many selection would otherwise vanish with its category (Django deletes the link rows), changing
approved and published factsheets without a revision. Category.delete() and the queryset's delete() refuse
before anything runs; a pre_delete receiver catches every other path (cascades). Merge the category into
another instead (editorial.services.category_merge)."""

from django.db.models import ProtectedError


def categories_in_use_refuse(categories) -> None:
    from factsheets.selectors import category_policies

    for category in categories:
        policies = list(category_policies(category=category)[:50])
        if policies:
            where = ", ".join(sorted({str(p.factsheet) for p in policies}))
            raise ProtectedError(
                f"The category “{category.label}” is used by {len(policies)} "
                f"polic{'y' if len(policies) == 1 else 'ies'} ({where}); merge it into another category instead "
                "of deleting it.",
                set(policies),
            )


def category_in_use_protect(sender, instance, **kwargs):
    categories_in_use_refuse([instance])

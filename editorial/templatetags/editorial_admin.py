"""Template tags of the editorial admin: the index panels of the signed-in user."""

from django import template

from editorial import team

register = template.Library()


@register.simple_tag(takes_context=True)
def editorial_dashboard(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {}
    return team.dashboard(user=request.user)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, []) if mapping else []


@register.filter
def get_section(sections, kind):
    return sections.get(kind) if sections else None


@register.filter
def section_fields(form, section):
    return form.section_fields(section)

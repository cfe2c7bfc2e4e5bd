"""``{% may_download as ok %}``: whether the signed-in user may download anything (the partial
``core/_download.html`` shows its buttons only then)."""

from django import template

from core import exports

register = template.Library()


@register.simple_tag(takes_context=True)
def may_download(context) -> bool:
    request = context.get("request")
    return request is not None and exports.may_download(request.user)

"""The grids API by subdomain (organisation, people, registration); routes in ``grids.api_urls``.

Viewsets are thin: ``get_queryset`` calls a selector, each POST action validates its input
with an input serializer and calls exactly one service, and the result is rendered by an
output serializer. Domain errors become ``{"detail", "code", "fields"}`` in
``core.api.exception_handler``.
"""

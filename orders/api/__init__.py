"""The orders API, one module per subdomain: ``requests`` (点单 and its review), ``tasks``
(下单/吹哨), ``acceptances`` (接单), ``escalations`` (联席会议 and its departments).

Viewsets are thin: ``get_queryset`` calls a selector, each POST action validates its input
with an input serializer, calls exactly one service and renders the updated object. Objects
outside the caller's reach are 404s; services check the rest and raise ``core.errors``.
"""

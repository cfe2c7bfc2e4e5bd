"""Input and output serializers of the grids API, by subdomain.

Output serializers only read rows the selectors fetched (with their joins); input
serializers only check shapes and types. Rules live in ``grids.services``.
"""

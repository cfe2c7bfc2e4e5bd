"""Input and output serializers of the orders API, one module per subdomain: ``requests`` (点单),
``tasks`` (下单/吹哨), ``acceptances`` (接单), ``escalations`` (联席会议); ``common`` holds the
location input, the reason input and the event row.

Output serializers only read rows the selectors fetched; input serializers only check shapes
and types. Rules (and every permission on an object) live in ``orders.services``.
"""

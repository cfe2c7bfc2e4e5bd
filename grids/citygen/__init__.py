"""Building organisation data in bulk: the demo slice (``seed_demo``) and the whole city (``generate_city``)."""

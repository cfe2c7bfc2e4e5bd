"""先锋队 that run themselves: a captain's (and vice-captain's) page and API for their team —
its members (add by phone, remove), its tasks (吹哨 to the team only), its hours this year and
its place on the vanguard-team board.

It gathers grids (the team and its members), orders (the team's tasks), reporting (hours) and
rankings (the board), so it lives in ``portal``, above all of them; the rules are the services'
(``grids.services.teams``, ``orders.services.tasks.task_create``).
"""

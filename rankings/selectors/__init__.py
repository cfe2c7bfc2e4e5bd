"""Reads of the published boards, one module per subdomain; import from the module
(``rankings.selectors.boards``)."""

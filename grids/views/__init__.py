"""The H5 pages of the organisation (首页 and 我的 are ``portal.views``; 点单 and 接单 ``orders.views``).

Views read through ``grids.selectors``, write through ``grids.services`` and show a service's
``DomainError`` as a form error, in Chinese.
"""

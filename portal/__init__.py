"""Pages and endpoints that gather several apps: home, 我的, the API's ``me/``, the base layout."""

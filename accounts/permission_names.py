"""Permission names in Chinese.

Django names the permissions it creates for every model in English ("Can change 用户"), and
the admin shows those names wherever permissions are given (a user's and a group's page). They
are renamed in the database after every ``migrate`` — a ``post_migrate`` handler, like Django's
own that creates them — rather than only relabelled in the admin's forms: the stored name is
what every listing, search box (the two-box selector filters on it) and the audit trail show,
so one rename serves them all, and permissions of models added later are renamed by the same
handler on the ``migrate`` that creates them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Permission
from django.utils import translation

ACTIONS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看"}


def chinese_name(codename: str, verbose_name: str) -> str | None:
    """``可以修改用户`` for Django's default permission ``change_user``; None for any other."""
    action = codename.split("_", 1)[0]
    if action not in ACTIONS:
        return None
    return f"可以{ACTIONS[action]}{verbose_name}"[:255]


def rename_permissions(*, using: str = "default") -> int:
    """Give Django's default permissions still named in English their Chinese names; returns how many."""
    renamed = 0
    rows = Permission.objects.using(using).select_related("content_type").filter(name__startswith="Can ")
    for permission in rows:
        model = permission.content_type.model_class()
        if model is None or f"{permission.codename.split('_', 1)[0]}_{model._meta.model_name}" != permission.codename:
            continue  # a custom permission, or one of a model that is gone: its name is its own
        # Commands run with translation off: Django's own models' names (组, 权限) need it on.
        with translation.override(settings.LANGUAGE_CODE):
            name = chinese_name(permission.codename, str(model._meta.verbose_name))
        if name and name != permission.name:
            permission.name = name
            permission.save(update_fields=["name"])
            renamed += 1
    return renamed


def rename_after_migrate(sender, using="default", **kwargs) -> None:
    rename_permissions(using=using)

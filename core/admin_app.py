"""Django's admin app, on the project's admin site (``core.admin_site``)."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin on a site that writes every admin change to the audit trail."""

    default_site = "core.admin_site.AuditedAdminSite"

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "账号与登录"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_migrate

        from accounts import checks  # noqa: F401 - registers the system checks
        from accounts.permission_names import rename_after_migrate
        from accounts.signin_audit import admin_signin_failed, admin_signin_recorded

        user_logged_in.connect(admin_signin_recorded, dispatch_uid="accounts.admin_signin_recorded")
        user_login_failed.connect(admin_signin_failed, dispatch_uid="accounts.admin_signin_failed")
        # After Django's own handler has created the permissions (auth comes first in INSTALLED_APPS).
        post_migrate.connect(rename_after_migrate, dispatch_uid="accounts.rename_permissions")

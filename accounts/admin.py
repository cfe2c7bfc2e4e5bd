"""Admin for people and sign-in codes.

Users sign in by phone, so the stock ``UserAdmin`` (built around ``username``) is reshaped
around ``phone`` and ``name``. Search covers the phone, the name and its pinyin initials
("wjg" finds 王建国). The grids app extends this admin with scoping by organisation node;
accounts knows nothing of grids, so here access is Django's own: superusers, or staff
granted the model permissions explicitly.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts.device_tokens import device_tokens_revoke_all
from accounts.models import DeviceToken, SignInCode, User
from accounts.phone import normalize_phone


class _PhoneCleaningMixin(forms.ModelForm):
    """Accept what people type (spaces, dashes, +86) and store the 11 digits."""

    # Wider than the column: "+86 137-0000-2222" is valid input; clean_phone shortens it.
    phone = forms.CharField(label="手机号", max_length=20)

    def clean_phone(self):
        phone = normalize_phone(self.cleaned_data.get("phone", ""))
        qs = User.objects.filter(phone=phone)
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise forms.ValidationError("该手机号已被其他用户使用。", code="phone_taken")
        return phone


class UserCreationAdminForm(_PhoneCleaningMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("phone", "name")

    def clean_username(self):  # the stock check looks up a ``username`` column we do not have
        return None


class UserChangeAdminForm(_PhoneCleaningMixin, UserChangeForm):
    class Meta:
        model = User
        fields = (
            "phone",
            "password",
            "name",
            "wechat_openid",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
            "date_joined",
        )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        ("个人信息", {"fields": ("name", "name_initials", "wechat_openid")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("phone", "name", "usable_password", "password1", "password2"),
            },
        ),
        ("权限", {"fields": ("is_staff", "is_superuser", "groups")}),
    )
    readonly_fields = ("name_initials", "last_login")
    list_display = ("phone", "name", "name_initials", "is_staff", "is_superuser", "is_active", "date_joined")
    list_display_links = ("phone", "name")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("phone", "name", "name_initials")
    ordering = ("-date_joined",)
    filter_horizontal = ("groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:  # only a superuser hands out rights
            fields += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return fields


@admin.register(SignInCode)
class SignInCodeAdmin(admin.ModelAdmin):
    """Read-only: codes are issued by the sign-in service. The hash is never shown."""

    list_display = ("phone", "created_at", "expires_at", "attempts", "used_at", "requested_ip")
    search_fields = ("phone",)
    list_filter = ("created_at",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    fields = ("phone", "created_at", "expires_at", "attempts", "used_at", "requested_ip")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    """Read-only, for superusers: who is signed in where. Only the secret's first characters are
    kept, and the digest is never shown; the one action revokes all of a user's devices."""

    list_display = ("user", "device_name", "masked_key", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("user__phone", "user__name", "user__name_initials")
    search_help_text = "按手机号、姓名或姓名拼音首字母搜索"
    list_filter = ("revoked_at",)
    ordering = ("-last_used_at",)
    fields = ("user", "device_name", "masked_key", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke_all_of_their_devices",)

    @admin.display(description="令牌")
    def masked_key(self, obj) -> str:
        return f"{obj.prefix}…"

    @admin.action(description="退出所选用户的全部设备")
    def revoke_all_of_their_devices(self, request, queryset):
        users = User.objects.filter(pk__in=queryset.values("user_id"))
        revoked = sum(device_tokens_revoke_all(user=user) for user in users)
        self.message_user(request, f"已作废 {revoked} 个令牌。")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

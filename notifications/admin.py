"""The inbox in the admin: personal messages, so superusers only, and read-only."""

from django.contrib import admin, messages

from notifications.models import ChannelPreference, Delivery, Notification
from notifications.services import notifications_deliver


class _SuperuserReadOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(_SuperuserReadOnly, admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ("channel", "status", "attempts", "error", "sent_at")
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(_SuperuserReadOnly, admin.ModelAdmin):
    list_display = ("title", "user", "kind", "created_at", "read_at")
    list_select_related = ("user",)
    list_filter = ("kind", "created_at", "read_at")
    search_fields = ("title", "user__phone", "user__name")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    show_full_result_count = False
    fields = ("user", "kind", "title", "body", "url", "created_at", "read_at")
    readonly_fields = fields
    inlines = (DeliveryInline,)
    actions = ("send_again",)

    @admin.action(description="重新推送未成功的渠道")
    def send_again(self, request, queryset):
        again = notifications_deliver(notification_ids=list(queryset.values_list("pk", flat=True)))
        if again:
            self.message_user(request, f"仍有 {len(again)} 条消息推送失败，请查看推送记录。", messages.WARNING)
        else:
            self.message_user(request, "已推送。", messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(_SuperuserReadOnly, admin.ModelAdmin):
    list_display = ("notification", "recipient", "channel", "status", "attempts", "sent_at", "error")
    list_select_related = ("notification__user",)
    list_filter = ("channel", "status")
    search_fields = ("notification__title", "notification__user__phone")
    ordering = ("-id",)
    show_full_result_count = False
    fields = ("notification", "channel", "status", "attempts", "error", "sent_at")
    readonly_fields = fields

    @admin.display(description="接收人", ordering="notification__user__phone")
    def recipient(self, obj):
        return obj.notification.user


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(_SuperuserReadOnly, admin.ModelAdmin):
    list_display = ("user", "kind", "channel", "allowed", "updated_at")
    list_select_related = ("user",)
    list_filter = ("kind", "channel", "allowed")
    search_fields = ("user__phone", "user__name")
    ordering = ("-id",)
    fields = list_display
    readonly_fields = fields

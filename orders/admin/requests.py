"""Requests (点单) in the admin: read-only rows; review decisions are actions calling the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers

from core.downloads.admin import csv_action
from grids.admin.base import EventInline, ParentScopedInlineMixin, ScopedAdminMixin, count_of, node_filters
from grids.selectors.scope import scope_for
from orders.admin.common import action_text, run_for_each
from orders.models import Feedback, Like, RequestEvent, RequestFollower, RequestPhoto, ServiceRequest
from orders.selectors.requests import masked_address, masked_contact
from orders.services.request_review import request_escalate, request_reject


class RequestActionForm(helpers.ActionForm):
    reason = forms.CharField(required=False, max_length=500, label="理由（驳回或上报时必填）")


class RequestPhotoInline(ParentScopedInlineMixin, admin.TabularInline):
    model = RequestPhoto
    read_only = True
    extra = 0
    can_delete = False
    fields = ("image", "width", "height", "created_at")
    readonly_fields = fields


class RequestFollowerInline(ParentScopedInlineMixin, admin.TabularInline):
    model = RequestFollower
    read_only = True
    extra = 0
    can_delete = False
    fields = ("user", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class RequestEventInline(EventInline):
    model = RequestEvent


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_grid_path = "grid"
    read_only = True

    list_display = (
        "title",
        "requester_name",
        "requester_kind",
        "community",
        "grid",
        "duty",
        "status",
        "follower_count",
        "created_at",
    )
    list_select_related = ("requester", "community", "grid")
    list_filter = ("status", "duty", "requester_kind", *node_filters("community"))
    search_fields = (
        "title",
        "requester__phone",
        "requester__name",
        "requester__name_initials",
        "contact_phone",
    )
    date_hierarchy = "created_at"
    # Newest first by id: the primary key's index serves it.
    ordering = ("-id",)
    inlines = (RequestPhotoInline, RequestFollowerInline, RequestEventInline)
    actions = ("reject", "escalate", csv_action("requests", "点单（含办理结果与评价）"))
    action_form = RequestActionForm
    fieldsets = (
        (None, {"fields": ("title", "description", "duty", "status", "reject_reason")}),
        ("点单人", {"fields": ("requester", "requester_kind", "unit", "contact", "place")}),
        ("所在", {"fields": ("community", "grid", "preferred_time")}),
        ("办理", {"fields": ("task", "merged_into", "reopen_count")}),
        ("时间", {"fields": ("created_at", "reviewed_at", "resolved_at", "closed_at")}),
    )
    readonly_fields = (
        "title",
        "description",
        "duty",
        "status",
        "reject_reason",
        "requester",
        "requester_kind",
        "unit",
        "contact",
        "place",
        "community",
        "grid",
        "preferred_time",
        "task",
        "merged_into",
        "reopen_count",
        "created_at",
        "reviewed_at",
        "resolved_at",
        "closed_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_followers=count_of(RequestFollower, "request"))

    def get_search_fields(self, request):
        # Searching by phone would let those who see phones masked (street, district and city
        # staff) confirm a number they guess; only the community's own staff may search by it.
        scope = scope_for(request.user)
        if request.user.is_superuser or not (scope.city or scope.district_ids or scope.street_ids):
            return self.search_fields
        return tuple(f for f in self.search_fields if not f.endswith("phone"))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Who is looking decides how much of the contact details the page shows (the
            # admin instance is shared between requests, so this lives on the row).
            obj.admin_viewer = request.user
        return obj

    @admin.display(description="点单人", ordering="requester__name")
    def requester_name(self, obj):
        return obj.requester.name or obj.requester.phone

    @admin.display(description="关注人数", ordering="n_followers")
    def follower_count(self, obj):
        return obj.n_followers

    @admin.display(description="联系电话")
    def contact(self, obj):
        # Whole only for those who serve the request, and only for a while after it closed (PIPL).
        return masked_contact(obj, getattr(obj, "admin_viewer", None))

    @admin.display(description="地址")
    def place(self, obj):
        return masked_address(obj, getattr(obj, "admin_viewer", None))

    @admin.action(description="驳回（在下方填写理由）")
    def reject(self, request, queryset):
        reason = action_text(request, "reason")
        run_for_each(
            self,
            request,
            queryset.select_related("community__street", "grid"),
            lambda row: request_reject(request=row, actor=request.user, reason=reason),
            done_message="已驳回 {n} 条点单，点单人会收到理由。",
        )

    @admin.action(description="上报街道联席会议（在下方填写理由）")
    def escalate(self, request, queryset):
        reason = action_text(request, "reason")
        run_for_each(
            self,
            request,
            queryset.select_related("community__street", "grid"),
            lambda row: request_escalate(request=row, actor=request.user, reason=reason),
            done_message="已将 {n} 条点单上报街道联席会议。",
        )


@admin.register(Feedback)
class FeedbackAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_community_path = "request__community"
    scope_grid_path = "request__grid"
    read_only = True

    list_display = ("request", "community", "score", "comment", "created_at")
    list_select_related = ("request__community",)
    list_filter = ("score", *node_filters("request__community"))
    search_fields = ("request__title", "comment", "request__requester__name", "request__requester__name_initials")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    fields = ("request", "score", "comment", "created_at")
    readonly_fields = fields

    @admin.display(description="社区", ordering="request__community__name")
    def community(self, obj):
        return obj.request.community


@admin.register(Like)
class LikeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_community_path = "request__community"
    scope_grid_path = "request__grid"
    read_only = True

    list_display = ("member", "request", "community", "created_at")
    list_select_related = ("member__user", "request__community")
    list_filter = node_filters("request__community")
    search_fields = ("member__user__name", "member__user__name_initials", "request__title")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    fields = ("request", "member", "created_at")
    readonly_fields = fields

    @admin.display(description="社区", ordering="request__community__name")
    def community(self, obj):
        return obj.request.community

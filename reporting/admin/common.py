"""What the ledger's admin pages share: the member column and running a service over a selection."""

from django.contrib import admin, messages

from core.errors import DomainError

MEMBER_SEARCH = ("member__user__name", "member__user__name_initials", "member__user__phone")


class MemberColumns:
    @admin.display(description="党员", ordering="member__user__name")
    def member_name(self, obj):
        return obj.member.user.name or obj.member.user.phone


def run_action(modeladmin, request, queryset, action, success: str) -> None:
    """``action(obj)`` for each selected row; a refusal is reported for its row, the rest go on."""
    done = 0
    for obj in queryset:
        try:
            action(obj)
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}：{exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, success.format(n=done), messages.SUCCESS)

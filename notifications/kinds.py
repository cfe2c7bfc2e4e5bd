"""Kinds of notification a user may choose the outside channels of (消息提醒设置).

Every notification lands in the inbox. Through WeChat and SMS, a kind registered here goes out
only on the channels the user allows for it (``ChannelPreference``); a channel the user has not
chosen for it follows the kind's default. Kinds not registered here go out on every configured
channel, as they always have (task reminders, request updates: what a user is waiting for).

The apps that send a kind name it here rather than this app importing them: ``KINDS`` is data.
"""

from __future__ import annotations

from dataclasses import dataclass

# The channels a user may turn on or off (``Channel.name``); the log channel is not a way out.
OPTIONAL_CHANNELS = {"wechat": "微信订阅消息", "sms": "短信"}


@dataclass(frozen=True)
class Kind:
    label: str
    help: str
    default_channels: frozenset[str]  # of OPTIONAL_CHANNELS: on until the user turns them off


QUOTA_REMINDER = "quota_reminder"
QUARTER_UNREPORTED = "quarter_unreported"
TASK_WHISTLED = "task_whistled"
TEAM_TASK = "team_task"
TASK_REMINDER = "task_reminder"
SERVICE_HOURS = "service_hours"
LIKE_RECEIVED = "like_received"
NO_SHOW = "no_show"

KINDS: dict[str, Kind] = {
    QUOTA_REMINDER: Kind(
        label="履职提醒",
        help="服务时长落后于年度进度、本季度尚未到社区报到时，每周最多提醒一次",
        default_channels=frozenset({"wechat"}),
    ),
    QUARTER_UNREPORTED: Kind(
        label="季度未报到名单",
        help="每季度结束前一个月，发给社区书记的本季度未报到党员名单",
        default_channels=frozenset({"wechat"}),
    ),
    TASK_WHISTLED: Kind(
        label="社区吹哨任务",
        help="您报到的社区（或与您单位结对的社区）发布了可接的任务，每个任务只提醒一次",
        default_channels=frozenset({"wechat"}),
    ),
    TEAM_TASK: Kind(
        label="先锋队吹哨",
        help="您所在的党群先锋队发布了队内任务",
        default_channels=frozenset({"wechat"}),
    ),
    TASK_REMINDER: Kind(
        label="任务开始提醒",
        help="您已接的任务在两小时内开始",
        default_channels=frozenset({"wechat", "sms"}),
    ),
    SERVICE_HOURS: Kind(
        label="服务时长认定",
        help="社区或居民确认、更正或不予认定您的服务时长",
        default_channels=frozenset({"wechat"}),
    ),
    LIKE_RECEIVED: Kind(
        label="收到点赞",
        help="居民评价服务时为您点赞",
        default_channels=frozenset({"wechat"}),
    ),
    NO_SHOW: Kind(
        label="未到场记录",
        help="已接的任务结束时您没有签到，记为未到场",
        default_channels=frozenset({"wechat", "sms"}),
    ),
}


def allowed_by_default(kind: str, channel: str) -> bool:
    found = KINDS.get(kind)
    return True if found is None else channel in found.default_channels

"""manage.py demo_activity — a year of work on the demo slice, and what is open today.

``seed_demo`` loads the organisation; this adds what the pages show: a past year of tasks,
hours, requests, likes and visits (``generate_activity`` at the demo slice's size), then the
live part — evening tasks in the coming week in every demo community, one of them already taken
by the demo member, and requests from the demo resident waiting for the secretary's review.
The live part goes through the same services as the pages. Safe to run again: each part is added
only when missing.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from grids.citygen.demo_plan import ACCOUNT, ARTICLE_COMMUNITY
from grids.models import Community, Member, Post, TeamMembership
from grids.vocab import Duty, Focus
from orders.citygen.writing import generate_activity, has_activity
from orders.models import ServiceRequest, Task
from orders.services.requests import request_create
from orders.services.tasks import task_accept, task_create

# The demo slice holds 202 of the city's 60,000 members: the same share of a year's work.
DEMO_SCALE = 0.004
SEED = 2026

UPCOMING = [
    (Duty.SANITATION, Focus.GOVERNANCE, "楼道杂物清理", "清理楼道堆放的杂物，保持消防通道畅通。", 19, 2, 6),
    (Duty.POLICY_PUBLICITY, Focus.SERVICE, "反诈宣传进小区", "向居民讲解常见电信诈骗手法，发放宣传资料。", 19, 2, 4),
    (Duty.POVERTY_RELIEF, Focus.SERVICE, "独居老人探访", "上门探访独居老人，了解生活困难并登记。", 9, 3, 4),
    (Duty.SAFETY, Focus.GOVERNANCE, "民情夜访", "入户走访，听取居民意见建议。", 19, 2, 5),
    (Duty.CIVILITY, Focus.GOVERNANCE, "文明城市创建巡查", "巡查小区环境卫生和占道经营。", 9, 2, 6),
    (Duty.CONVENIENCE, Focus.SERVICE, "义诊进社区", "为居民量血压、测血糖，提供健康咨询。", 9, 3, 3),
]

PENDING = [
    (Duty.SANITATION, "小区门口垃圾堆积", "工业中路小区门口的垃圾已经堆了三天，气味很大。"),
    (Duty.CONVENIENCE, "楼道灯坏了", "3 栋 2 单元楼道灯不亮，晚上老人上下楼不安全。"),
    (Duty.SAFETY, "电动车在楼道充电", "有住户把电动车推进楼道充电，担心起火。"),
]


class Command(BaseCommand):
    help = (
        "在演示数据（seed_demo）上生成一年的活动，并加上今天还在进行的：未来一周的任务、"
        "演示党员已接的任务、演示居民待审核的点单。可重复运行，已有的部分不会重复生成。"
    )

    def handle(self, *args, **options):
        if not Community.objects.filter(name=ARTICLE_COMMUNITY).exists():
            self.stderr.write("没有演示数据，请先运行 seed_demo。")
            return
        if has_activity():
            self.stdout.write("已有活动数据，跳过一年活动的生成。")
        else:
            plan = generate_activity(scale=DEMO_SCALE, seed=SEED)
            self.stdout.write(f"已生成一年的演示活动：任务 {len(plan.tasks)} 个，服务记录 {len(plan.records)} 条。")
        now = timezone.localtime()
        if Task.objects.filter(status__in=[Task.Status.OPEN, Task.Status.FULL], starts_at__gt=now).exists():
            self.stdout.write("已有待接的任务，跳过。")
            return
        with transaction.atomic():
            tasks = self._upcoming_tasks(now)
            taken = self._take_one(tasks)
            team_tasks = self._team_task(now)
            pending = self._pending_requests()
        self.stdout.write(
            f"未来一周的任务 {len(tasks)} 个（演示党员已接 {taken} 个），先锋队队内任务 {team_tasks} 个，"
            f"待审核点单 {pending} 件。"
        )

    def _upcoming_tasks(self, now: dt.datetime) -> list[Task]:
        secretaries = {
            p.community_id: p.user
            for p in Post.objects.filter(role=Post.Role.SECRETARY, community__isnull=False).select_related("user")
        }
        created = []
        for c_index, community in enumerate(Community.objects.filter(pk__in=secretaries).order_by("pk")):
            for t_index in range(2):
                duty, focus, title, description, hour, hours, slots = UPCOMING[(c_index * 2 + t_index) % len(UPCOMING)]
                day = (now + dt.timedelta(days=1 + (c_index + 3 * t_index) % 7)).date()
                # Service outside working hours: weekday evenings, or weekend mornings.
                if hour < 17 and day.weekday() < 5:
                    day += dt.timedelta(days=5 - day.weekday())
                starts = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
                created.append(
                    task_create(
                        actor=secretaries[community.pk],
                        community=community,
                        focus=focus,
                        duty=duty,
                        title=title,
                        description=description,
                        address=community.address or community.name,
                        lat=community.lat,
                        lng=community.lng,
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(hours=hours),
                        slots=slots,
                    )
                )
        return created

    def _take_one(self, tasks: list[Task]) -> int:
        member = Member.objects.filter(user__phone=ACCOUNT["member"].phone).first()
        if member is None or member.community_id is None:
            return 0
        for task in tasks:
            if task.community_id == member.community_id:
                task_accept(task=task, member=member)
                return 1
        return 0

    def _team_task(self, now: dt.datetime) -> int:
        """The demo captain has whistled one task to the team (王建国 sees it in the hall, marked
        with the team; other members of 工业中社区 do not)."""
        captain = Member.objects.filter(user__phone=ACCOUNT["captain"].phone).select_related("user").first()
        membership = (
            TeamMembership.objects.filter(member=captain, role=TeamMembership.Role.CAPTAIN)
            .select_related("team__grid__community")
            .first()
            if captain
            else None
        )
        if membership is None:
            return 0
        team = membership.team
        day = (now + dt.timedelta(days=3)).date()
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(19, 30)))
        task_create(
            actor=captain.user,
            community=team.grid.community,
            grid=team.grid,
            visibility=Task.Visibility.TEAM,
            team=team,
            focus=Focus.PARTY_BUILDING,
            duty=Duty.PARTY_GUIDANCE,
            title="网格党员楼栋夜访",
            description="先锋队分组走访本网格各楼栋，宣讲政策、收集居民意见。",
            address=f"{team.grid.name}党群服务站",
            lat=team.grid.community.lat,
            lng=team.grid.community.lng,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            slots=6,
        )
        return 1

    def _pending_requests(self) -> int:
        resident = User.objects.filter(phone=ACCOUNT["resident"].phone).first()
        community = Community.objects.filter(name=ARTICLE_COMMUNITY).first()
        if resident is None or community is None:
            return 0
        if ServiceRequest.objects.filter(requester=resident, status=ServiceRequest.Status.SUBMITTED).exists():
            return 0
        for i, (duty, title, description) in enumerate(PENDING):
            request_create(
                requester=resident,
                community=community,
                duty=duty,
                title=title,
                description=description,
                address=f"{community.address or community.name}附近",
                # A few dozen metres apart, so they are not taken for one another.
                lat=community.lat + 0.0009 * (i + 1),
                lng=community.lng - 0.0007 * (i + 1),
                contact_phone=resident.phone,
            )
        return len(PENDING)

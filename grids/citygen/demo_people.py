"""The demo's people: user accounts, member profiles and their registrations (报到)."""

from __future__ import annotations

from datetime import timedelta

from accounts.models import User
from accounts.pinyin import person_initials
from grids.citygen.common import UNUSABLE_PASSWORD
from grids.citygen.demo_plan import (
    ACCOUNT,
    ACCOUNTS,
    ARTICLE_COMMUNITY,
    ARTICLE_GRID,
    COMMUNITIES,
    DEMO_UNIT,
    MemberSpec,
    community_spec,
    grid_names,
)
from grids.models import Grid, Member, Registration, RegistrationChoice, RegistrationEvent, Skill


class DemoPeople:
    def _users(self, specs: list[MemberSpec], staff: dict[str, tuple[str, str]]) -> dict[str, User]:
        wanted = {a.phone: a.name for a in ACCOUNTS}
        wanted |= {s.phone: s.name for s in specs}
        wanted |= {phone: name for name, phone in staff.values()}
        users = {u.phone: u for u in User.objects.filter(phone__in=wanted)}
        staff_phones = {phone for _, phone in staff.values()} | {a.phone for a in ACCOUNTS if a.password is not None}
        new = []
        for phone, name in wanted.items():
            if phone not in users:
                u = User(phone=phone, name=name, password=UNUSABLE_PASSWORD, is_staff=phone in staff_phones)
                u.name_initials = person_initials(name)
                new.append(u)
        for u in User.objects.bulk_create(new):
            users[u.phone] = u
        for account in ACCOUNTS:
            u = users[account.phone]
            admin = account.key == "admin"
            changed = u.name != account.name or u.is_staff != (account.password is not None) or u.is_superuser != admin
            u.name, u.is_staff, u.is_superuser = account.name, account.password is not None, admin
            if account.password and not u.check_password(account.password):
                u.set_password(account.password)
                changed = True
            if changed:
                u.save()
        return users

    def _members(self, specs: list[MemberSpec]) -> dict[str, Member]:
        wjg = ACCOUNT["member"]
        gyz = next(c for c in COMMUNITIES if c.name == ARTICLE_COMMUNITY)
        demo_member = MemberSpec(
            phone=wjg.phone,
            name=wjg.name,
            initials="wjg",
            kind=Member.Kind.IN_SERVICE,
            unit=DEMO_UNIT,
            skills=[Skill.TEACHER],
            community=gyz.name,
            grid=ARTICLE_GRID,
            building=None,
            home_lat=24.8042,
            home_lng=113.5921,
            home_address="韶关市武江区工业中路30号3栋",
            days_ago=120,
        )
        # The captain of 工业中第三网格党群先锋队 (and the grid's party secretary): a community party
        # member living in the grid, whom the demo signs in as to run the team.
        cap = ACCOUNT["captain"]
        demo_captain = MemberSpec(
            phone=cap.phone,
            name=cap.name,
            initials="zhm",
            kind=Member.Kind.COMMUNITY_PARTY,
            unit=None,
            skills=[Skill.SOCIAL_WORKER],
            community=gyz.name,
            grid=ARTICLE_GRID,
            building="1栋",
            home_lat=24.8040,
            home_lng=113.5915,
            home_address="韶关市武江区工业中路26号1栋",
            days_ago=300,
        )
        specs.insert(0, demo_member)
        specs.insert(1, demo_captain)
        existing = {m.user.phone: m for m in Member.objects.select_related("user").filter(user__in=self.users.values())}
        new = []
        for s in specs:
            if s.phone in existing:
                continue
            placed = s.status == Registration.Status.PLACED
            grid = self._grid_of(s) if placed else None
            new.append(
                Member(
                    user=self.users[s.phone],
                    kind=s.kind,
                    unit=self.units[s.unit] if s.unit else None,
                    skills=s.skills,
                    home_address=s.home_address,
                    home_lat=s.home_lat,
                    home_lng=s.home_lng,
                    community=grid.community if grid else None,
                    grid=grid,
                    created_at=self.now - timedelta(days=s.days_ago + 3),
                )
            )
        for m in Member.objects.bulk_create(new):
            existing[m.user.phone] = m
        return existing

    def _grid_of(self, s: MemberSpec) -> Grid:
        if s.building:
            return self.buildings[(s.community, s.grid, s.building)]
        return self.grids[(s.community, s.grid)]

    def _registrations(self, specs: list[MemberSpec]) -> None:
        done = set(Registration.objects.filter(member__in=self.members.values()).values_list("member_id", flat=True))
        district_officer = self.users[ACCOUNT["district"].phone]
        regs, choices = [], []
        for s in specs:
            m = self.members[s.phone]
            if m.pk in done:
                continue
            created = self.now - timedelta(days=s.days_ago)
            if s.previous:  # self-selected elsewhere first, then moved by the district
                old = Registration(
                    member=m,
                    community=self.communities[s.previous],
                    grid=self.grids[(s.previous, grid_names(community_spec(s.previous))[0])],
                    status=Registration.Status.ENDED,
                    source=Registration.Source.SELF_SELECTED,
                    decided_by=m.user,
                    created_at=created - timedelta(days=60),
                    placed_at=created - timedelta(days=58),
                    ended_at=created,
                )
                regs.append(old)
                choices.append((old, [s.previous], False))
            adjusted = s.source == Registration.Source.ADJUSTED
            placed = s.status == Registration.Status.PLACED
            reg = Registration(
                member=m,
                community=None if s.status == Registration.Status.UNPLACED else self.communities[s.community],
                grid=self._grid_of(s) if placed else None,
                status=s.status,
                source=s.source,
                decided_by=district_officer if adjusted else m.user,
                note="区委组织部统筹调剂：就近就便、相对均衡" if adjusted else "",
                created_at=created,
                placed_at=created + timedelta(days=2) if placed else None,
            )
            if s.status == Registration.Status.UNPLACED:
                reg.note = "社区报到人数已满，待区里调剂"
            regs.append(reg)
            if not adjusted:
                choices.append((reg, s.choices or [s.community], s.status == Registration.Status.UNPLACED))
        Registration.objects.bulk_create(regs)
        RegistrationChoice.objects.bulk_create(
            RegistrationChoice(
                registration=reg,
                community=self.communities[c],
                rank=rank,
                declined_at=reg.created_at + timedelta(days=1) if declined else None,
            )
            for reg, names, declined in choices
            for rank, c in enumerate(names, start=1)
        )
        RegistrationEvent.objects.bulk_create(e for reg in regs for e in _history(reg, district_officer))


def _history(reg: Registration, district_officer: User) -> list[RegistrationEvent]:
    """The event rows the services would have written on the way to the registration's status."""
    S, K = Registration.Status, RegistrationEvent.Kind
    adjusted = reg.source == Registration.Source.ADJUSTED
    rows = [("", S.PENDING, K.ADJUSTED if adjusted else K.SELF_SELECTED, reg.decided_by, reg.created_at)]
    if reg.placed_at is not None:
        rows.append((S.PENDING, S.PLACED, "", None, reg.placed_at))
    if reg.status == S.UNPLACED:
        rows.append((S.PENDING, S.UNPLACED, "", None, reg.created_at + timedelta(days=1)))
    if reg.status == S.ENDED:  # moved elsewhere by the district
        rows.append((S.PLACED, S.ENDED, K.ADJUSTED, district_officer, reg.ended_at))
    return [
        RegistrationEvent(registration=reg, from_status=a, to_status=b, kind=kind, actor=actor, created_at=at)
        for a, b, kind, actor, at in rows
    ]

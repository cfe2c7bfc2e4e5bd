"""Who the signed-in person is on the home page and 我的: a resident, a member, staff on the
organisation tree, a unit's party organisation — or more than one of these at once.

A person with two roles (a community secretary who also serves as a member) sees one of them
at a time, the 党员 view or the work view, switched by a visible control and remembered in the
session; work comes first until they choose otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from grids.models import Member, Post
from grids.selectors.people import member_of, posts_of
from grids.selectors.scope import Scope, scope_for

SESSION_KEY = "portal_view"
MEMBER = "member"
WORK = "work"

# The highest post decides how the work view is named in the switch: the most senior first.
_ROLE_ORDER = [
    Post.Role.CITY_STAFF,
    Post.Role.DISTRICT_STAFF,
    Post.Role.STREET_STAFF,
    Post.Role.SECRETARY,
    Post.Role.FIRST_SECRETARY,
    Post.Role.PART_TIME_MEMBER,
    Post.Role.GRID_SECRETARY,
    Post.Role.UNIT_SECRETARY,
    Post.Role.UNIT_ORGANISER,
]


@dataclass(frozen=True)
class Roles:
    member: Member | None
    scope: Scope
    posts: list[Post]
    is_admin: bool

    @property
    def works(self) -> bool:
        """Has work of a post: the tree, a unit's party organisation, or the admin."""
        return not self.scope.is_empty or self.scope.leads_units or self.is_admin

    @property
    def is_resident(self) -> bool:
        """Neither a member nor anyone with a post: a resident, who orders services."""
        return self.member is None and not self.works

    @property
    def has_two(self) -> bool:
        return self.member is not None and self.works

    @property
    def work_label(self) -> str:
        """The work view's name in the switch: the highest post's title (社区书记, 街道工作人员)."""
        roles = {p.role for p in self.posts}
        for role in _ROLE_ORDER:
            if role in roles:
                return Post.Role(role).label
        return "管理员"


def roles_for(user) -> Roles:
    return Roles(
        member=member_of(user),
        scope=scope_for(user),
        posts=list(posts_of(user)),
        is_admin=bool(user.is_staff or user.is_superuser),
    )


def current_view(session, roles: Roles) -> str:
    """The view the home page shows: the one chosen (when the person has both), else their only one."""
    if roles.has_two:
        chosen = session.get(SESSION_KEY)
        return chosen if chosen in (MEMBER, WORK) else WORK
    return WORK if roles.works else MEMBER

import factory

from accounts.pinyin import initials
from grids.models import (
    Community,
    District,
    Grid,
    Member,
    Pairing,
    Post,
    Registration,
    Street,
    TeamMembership,
    Unit,
    VanguardTeam,
)
from grids.services.registration import registration_place
from tests.accounts.factories import UserFactory


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = "440203"
    name = "武江区"
    kind = District.Kind.DISTRICT
    lat = 24.792
    lng = 113.588


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试街道{n}")
    kind = Street.Kind.SUBDISTRICT


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"测试社区{n}")
    # Computed by the services that write communities; factories write rows directly.
    name_initials = factory.LazyAttribute(lambda o: initials(o.name))
    kind = Community.Kind.COMMUNITY
    address = "韶关市武江区测试路1号"
    lat = 24.80
    lng = 113.59
    households = 3000
    members_needed = 200


class Level2GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    community = factory.SubFactory(CommunityFactory)
    level = Grid.Level.SECOND
    kind = Grid.Kind.RESIDENTIAL_GROUP
    parent = None
    name = factory.Sequence(lambda n: f"第{n}网格")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    parent = factory.SubFactory(Level2GridFactory)
    community = factory.SelfAttribute("parent.community")
    level = Grid.Level.THIRD
    kind = Grid.Kind.BUILDING
    name = factory.Sequence(lambda n: f"{n}栋")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"韶关市测试局{n}")
    name_initials = factory.LazyAttribute(lambda o: initials(o.name))
    kind = Unit.Kind.GOVERNMENT_ORGAN
    district = None
    party_org_name = factory.LazyAttribute(lambda o: f"{o.name}机关党支部")
    address = "韶关市浈江区测试大道"
    lat = 24.81
    lng = 113.60


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing

    unit = factory.SubFactory(UnitFactory)
    community = factory.SubFactory(CommunityFactory)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)
    kind = Member.Kind.IN_SERVICE
    unit = factory.SubFactory(UnitFactory)
    skills = factory.LazyFunction(lambda: ["teacher"])
    home_address = "韶关市武江区测试小区"
    home_lat = 24.80
    home_lng = 113.59


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    user = factory.SubFactory(UserFactory)
    role = Post.Role.SECRETARY
    community = factory.SubFactory(CommunityFactory)


class VanguardTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VanguardTeam

    grid = factory.SubFactory(Level2GridFactory)
    name = factory.Sequence(lambda n: f"党群先锋队{n}")


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(VanguardTeamFactory)
    member = factory.SubFactory(MemberFactory)
    role = TeamMembership.Role.MEMBER


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    member = factory.SubFactory(MemberFactory)
    community = factory.SubFactory(CommunityFactory)
    status = Registration.Status.PENDING
    source = Registration.Source.SELF_SELECTED


def place(member, grid):
    """Put a member into a grid the way the community would, for fixtures of placed members."""
    reg = RegistrationFactory(member=member, community=grid.community)
    secretary = Post.objects.filter(community=grid.community, role=Post.Role.SECRETARY).first()
    actor = secretary.user if secretary else UserFactory(is_superuser=True, is_staff=True)
    registration_place(registration=reg, grid=grid, actor=actor)
    member.refresh_from_db()
    return reg

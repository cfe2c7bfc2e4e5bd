"""The organisation's models, split by subdomain; Django finds them registered here."""

from grids.models.adjustment import AdjustmentMove, AdjustmentRound, AdjustmentRoundEvent
from grids.models.imports import ImportRun
from grids.models.organisation import Community, District, Grid, Pairing, Street, Unit
from grids.models.people import Member, Post, Skill, TeamMembership, VanguardTeam
from grids.models.registration import Registration, RegistrationChoice, RegistrationEvent

__all__ = [
    "AdjustmentMove",
    "AdjustmentRound",
    "AdjustmentRoundEvent",
    "Community",
    "District",
    "Grid",
    "ImportRun",
    "Member",
    "Pairing",
    "Post",
    "Registration",
    "RegistrationChoice",
    "RegistrationEvent",
    "Skill",
    "Street",
    "TeamMembership",
    "Unit",
    "VanguardTeam",
]

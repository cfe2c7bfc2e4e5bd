"""Signal handlers that keep the organisation's cached reads true: a pairing saved or deleted
drops its unit's cached list of paired communities (``grids.selectors.organisation``); a team
membership saved or deleted drops its member's cached list of teams (``grids.selectors.teams``)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from grids.models import Pairing, TeamMembership
from grids.selectors.organisation import forget_paired
from grids.selectors.teams import forget_member_teams


@receiver(pre_save, sender=Pairing)
def _remember_old_unit(sender, instance: Pairing, **kwargs) -> None:
    if instance.pk is not None:
        instance._unit_before = Pairing.objects.filter(pk=instance.pk).values_list("unit_id", flat=True).first()


@receiver(post_save, sender=Pairing)
@receiver(post_delete, sender=Pairing)
def _forget_paired(sender, instance: Pairing, **kwargs) -> None:
    units = (instance.unit_id, getattr(instance, "_unit_before", None))
    forget_paired(*units)
    # And again after the commit, so a reader between the two cannot keep the old list.
    transaction.on_commit(lambda: forget_paired(*units))


@receiver(post_save, sender=TeamMembership)
@receiver(post_delete, sender=TeamMembership)
def _forget_member_teams(sender, instance: TeamMembership, **kwargs) -> None:
    member_id = instance.member_id
    forget_member_teams(member_id)
    transaction.on_commit(lambda: forget_member_teams(member_id))

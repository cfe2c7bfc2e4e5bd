"""调剂 rounds: the round with its per-community counts, its moves, and the inputs of its actions."""

from rest_framework import serializers

from grids.models import AdjustmentMove, AdjustmentRound
from grids.serializers.common import id_field


class AdjustmentCommunityOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    needed = serializers.IntegerField()
    before = serializers.IntegerField()
    after = serializers.IntegerField()


class AdjustmentRoundOut(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", default=None, allow_null=True)
    scope_label = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    phase_label = serializers.CharField(source="get_phase_display")
    created_by_name = serializers.CharField(source="created_by.name")
    decided_by_name = serializers.CharField(source="decided_by.name", default=None, allow_null=True)
    communities = AdjustmentCommunityOut(many=True, read_only=True)

    class Meta:
        model = AdjustmentRound
        fields = [
            "id",
            "district_id",
            "district_name",
            "scope_label",
            "status",
            "status_label",
            "phase",
            "phase_label",
            "failure",
            "created_by_name",
            "created_at",
            "solve_started_at",
            "proposed_at",
            "decided_by_name",
            "decided_at",
            "members_count",
            "moves_count",
            "unplaced_count",
            "accepted_count",
            "total_cost",
            "lower_bound",
            "timings",
            "communities",
        ]


class AdjustmentRoundListOut(AdjustmentRoundOut):
    class Meta(AdjustmentRoundOut.Meta):
        fields = [f for f in AdjustmentRoundOut.Meta.fields if f not in ("communities", "timings")]


class AdjustmentMoveOut(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.user.name")
    unit_name = serializers.CharField(source="member.unit.name", default=None, allow_null=True)
    from_community_name = serializers.CharField(source="from_community.name", default=None, allow_null=True)
    to_community_name = serializers.CharField(source="to_community.name", default=None, allow_null=True)
    reason_label = serializers.CharField(source="get_reason_display")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = AdjustmentMove
        fields = [
            "id",
            "registration_id",
            "member_id",
            "member_name",
            "unit_name",
            "from_community_id",
            "from_community_name",
            "to_community_id",
            "to_community_name",
            "proposed_community_id",
            "reason",
            "reason_label",
            "detail",
            "distance_m",
            "choice_rank",
            "paired",
            "candidates",
            "status",
            "status_label",
        ]


class AdjustmentRunIn(serializers.Serializer):
    district = id_field(required=False, allow_null=True, help_text="区/县 id；不填为全市统筹调剂（市委组织部）。")


class AdjustmentPickIn(serializers.Serializer):
    id = id_field(help_text="调整 id")
    community = id_field(required=False, allow_null=True, help_text="改为另一个候选社区（可选）")


class AdjustmentAcceptIn(serializers.Serializer):
    moves = AdjustmentPickIn(
        many=True, required=False, allow_null=True, help_text="不填则确认全部调整；填写则只确认所列调整。"
    )

"""Forms of the volunteer and secretary pages. They only shape input; services decide."""

from django import forms

from grids.geo import COORD_SYSTEMS, WGS84
from grids.models import Grid, Member, Skill

_INPUT = {"class": "weui-input"}


class _LocationFields(forms.Form):
    """Hidden fields filled by the "使用当前位置" button (browser geolocation, WGS-84)."""

    lat = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-geo": "lat"}))
    lng = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-geo": "lng"}))
    coord_system = forms.ChoiceField(
        choices=COORD_SYSTEMS, initial=WGS84, required=False, widget=forms.HiddenInput(attrs={"data-geo": "coord"})
    )

    def location(self) -> dict:
        """Keyword arguments for the member services; empty when no position was given."""
        lat, lng = self.cleaned_data.get("lat"), self.cleaned_data.get("lng")
        if lat is None and lng is None:
            return {}
        return {"home_lat": lat, "home_lng": lng, "coord_system": self.cleaned_data.get("coord_system") or WGS84}


class MemberProfileForm(_LocationFields):
    name = forms.CharField(
        label="姓名", max_length=50, widget=forms.TextInput(attrs={**_INPUT, "placeholder": "真实姓名"})
    )
    skills = forms.MultipleChoiceField(
        label="专长", choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    home_address = forms.CharField(
        label="居住地址",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={**_INPUT, "placeholder": "如：武江区工业中路某小区"}),
    )


class MemberCreateForm(MemberProfileForm):
    kind = forms.ChoiceField(
        label="身份", choices=Member.Kind.choices, widget=forms.Select(attrs={"class": "weui-select"})
    )
    unit = forms.ModelChoiceField(
        label="所在单位",
        queryset=None,
        required=False,
        empty_label="请选择（在职党员必填）",
        widget=forms.Select(attrs={"class": "weui-select"}),
    )

    field_order = ["name", "kind", "unit", "skills", "home_address"]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].error_messages["invalid_choice"] = "所选单位不存在。"


class RegistrationForm(forms.Form):
    """Up to three ranked communities, chosen from those within the member's reach."""

    choice_1 = forms.TypedChoiceField(label="第一志愿", coerce=int)
    choice_2 = forms.TypedChoiceField(label="第二志愿", coerce=int, required=False, empty_value=None)
    choice_3 = forms.TypedChoiceField(label="第三志愿", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        options = [(c.pk, community_option_label(c)) for c in communities]
        for name in ("choice_1", "choice_2", "choice_3"):
            field = self.fields[name]
            field.choices = [("", "请选择社区" if name == "choice_1" else "不选")] + options
            field.widget.attrs["class"] = "weui-select"
            field.error_messages["invalid_choice"] = "所选社区不在可报到范围内。"
        self.fields["choice_1"].error_messages["required"] = "请至少选择一个社区。"

    def community_ids(self) -> list[int]:
        ranked = (self.cleaned_data.get(n) for n in ("choice_1", "choice_2", "choice_3"))
        return [cid for cid in ranked if cid]


def community_option_label(c) -> str:
    """Short enough for a phone's select; the list above the form shows how many are still needed."""
    if getattr(c, "distance_m", None) is not None:
        return f"{c.name}（{c.distance_m / 1000:.1f} 公里）"
    return f"{c.name}（单位结对）" if getattr(c, "paired", False) else c.name


class PlaceForm(forms.Form):
    """ "编入网格": one of the community's grids. Takes an evaluated list, so that one form per
    pending registration on a page does not query the grids again for each row."""

    grid = forms.TypedChoiceField(label="编入网格", coerce=int, widget=forms.Select(attrs={"class": "app-select"}))

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self._grids = {g.pk: g for g in grids}
        field = self.fields["grid"]
        field.choices = [("", "选择网格")] + [(g.pk, grid_label(g)) for g in grids]
        field.error_messages["invalid_choice"] = "所选网格不属于该社区。"
        field.error_messages["required"] = "请选择要编入的网格。"

    def clean_grid(self) -> Grid:
        return self._grids[self.cleaned_data["grid"]]


def grid_label(g: Grid) -> str:
    return f"{g.parent.name} / {g.name}" if g.parent_id else g.name


class DeclineForm(forms.Form):
    reason = forms.CharField(label="婉拒原因", max_length=200, required=False)

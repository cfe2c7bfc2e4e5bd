"""The admin in Chinese where Django's own catalogue is not: the user and group add pages, the
two-box selector's strings, and the permission names Django stores in English."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from accounts.permission_names import chinese_name, rename_permissions
from tests.pages import browser_for, html
from tests.reporting.factories import ServiceRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_default_permissions_are_named_in_chinese_after_migrate():
    names = dict(Permission.objects.values_list("codename", "name"))
    assert names["change_user"] == "可以修改用户"
    assert names["add_group"] == "可以添加组"
    assert names["view_servicerecord"] == "可以查看服务记录"
    assert not Permission.objects.filter(name__startswith="Can ").exists()


def test_a_permission_created_in_english_is_renamed_and_custom_ones_are_left_alone():
    perm = Permission.objects.get(codename="delete_user")
    perm.name = "Can delete 用户"
    perm.save()
    custom = Permission.objects.create(
        codename="export_everything", name="Can export everything", content_type=perm.content_type
    )
    assert rename_permissions() == 1
    perm.refresh_from_db()
    custom.refresh_from_db()
    assert perm.name == "可以删除用户" and custom.name == "Can export everything"
    assert rename_permissions() == 0  # idempotent


def test_migrate_renames_through_its_post_migrate_handler():
    Permission.objects.filter(codename="view_user").update(name="Can view 用户")
    call_command("migrate", verbosity=0)
    assert Permission.objects.get(codename="view_user").name == "可以查看用户"


def test_chinese_name_only_for_django_defaults():
    assert chinese_name("change_user", "用户") == "可以修改用户"
    assert chinese_name("export_user", "用户") is None


def test_user_add_page_speaks_chinese(admin_user):
    page = html(browser_for(admin_user).get("/admin/accounts/user/add/"))
    assert "After you" not in page and "First, enter" not in page
    assert "创建用户后" in page or "输入用户名和密码后" in page


def test_group_add_page_and_selector_strings_in_chinese(admin_user):
    c = browser_for(admin_user)
    page = html(c.get("/admin/auth/group/add/"))
    assert "Can change" not in page and "可以修改用户" in page
    js = html(c.get("/admin/jsi18n/"))
    assert "\\u5168\\u9009%s" in js or "全选%s" in js  # "Choose all %s"
    assert "Choose all %s" in js  # as the msgid, mapped to the Chinese


def test_service_record_list_has_eight_columns_and_its_stylesheet(admin_user, placed, community):
    ServiceRecordFactory(member=placed, community=community)
    page = html(browser_for(admin_user).get("/admin/reporting/servicerecord/"))
    assert "css/admin_lists.css" in page
    assert len(re.findall(r'<th scope="col" class="[^"]*column-', page)) == 8

"""``miniprogram/`` as WeChat DevTools expects it: valid app.json and project.config.json, every
registered page with its four files, the components it names resolvable, what a published mini
program must declare (requiredPrivateInfos, the location purpose, the privacy check), and
miniprogram_npm/ built by scripts/build_miniprogram_npm.js."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

MP = Path(settings.BASE_DIR) / "miniprogram"
FOUR = (".js", ".json", ".wxml", ".wxss")
CJK = re.compile(r"[\u4e00-\u9fff]")
# The APIs WeChat wants declared in requiredPrivateInfos before a release is accepted.
PRIVATE_INFOS = (
    "getLocation",
    "chooseLocation",
    "getFuzzyLocation",
    "onLocationChange",
    "startLocationUpdate",
    "chooseAddress",
    "choosePoi",
)


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def app() -> dict:
    return _json(MP / "app.json")


def _sources() -> list[Path]:
    return [
        p for p in MP.rglob("*.js") if not {"node_modules", "miniprogram_npm", "tests"} & set(p.relative_to(MP).parts)
    ]


def test_every_page_has_its_four_files_and_is_a_component(app):
    assert app["pages"][0] == "pages/index/index"
    assert len(app["pages"]) == len(set(app["pages"]))
    for page in app["pages"]:
        for ext in FOUR:
            assert (MP / (page + ext)).is_file(), page + ext
        # Written with the Component constructor, so miniprogram-simulate can load it.
        assert re.search(r"^Component\(\{", (MP / (page + ".js")).read_text(), re.M), page
        config = _json(MP / (page + ".json"))
        assert CJK.search(config["navigationBarTitleText"]), page


def test_no_page_left_out_of_app_json(app):
    on_disk = {str(p.relative_to(MP).with_suffix("")) for p in (MP / "pages").glob("*/*.wxml")}
    assert on_disk == set(app["pages"])


def test_tab_bar(app):
    tabs = app["tabBar"]["list"]
    assert 2 <= len(tabs) <= 5
    for tab in tabs:
        assert tab["pagePath"] in app["pages"] and CJK.search(tab["text"])


def test_what_a_published_mini_program_declares(app):
    used = {name for path in _sources() for name in re.findall(r"\bwx\.(\w+)\(", path.read_text())}
    needed = used & set(PRIVATE_INFOS)
    assert {"getLocation", "chooseLocation"} <= needed
    assert needed <= set(app["requiredPrivateInfos"])
    desc = app["permission"]["scope.userLocation"]["desc"]
    assert CJK.search(desc) and len(desc) <= 30  # WeChat's limit for the purpose text
    assert app["__usePrivacyCheck__"] is True
    assert "onNeedPrivacyAuthorization" in used and "requestSubscribeMessage" in used
    # The album is asked for before the card is saved.
    star = (MP / "pages/star/star.js").read_text()
    assert star.index("scope.writePhotosAlbum") < star.index("wx.saveImageToPhotosAlbum")


def test_pages_that_touch_private_data_show_the_privacy_agreement(app):
    private = re.compile(r"utils/location|wx\.(chooseMedia|saveImageToPhotosAlbum|getLocation|chooseLocation)\(")
    for page in app["pages"]:
        if private.search((MP / (page + ".js")).read_text()):
            config = _json(MP / (page + ".json"))
            assert "privacy-popup" in config["usingComponents"], page
            assert "<privacy-popup" in (MP / (page + ".wxml")).read_text(), page


def _component_files(owner: Path, ref: str) -> Path:
    if ref.startswith("/"):
        return MP / ref.lstrip("/")
    if ref.startswith("."):
        return (owner.parent / ref).resolve()
    return MP / "miniprogram_npm" / ref  # an npm package, as DevTools resolves it


def test_local_components_resolve(app):
    owners = [(MP / "app.json", app)] + [(MP / (p + ".json"), _json(MP / (p + ".json"))) for p in app["pages"]]
    for owner, config in owners:
        for name, ref in config.get("usingComponents", {}).items():
            if ref.startswith(("/", ".")):
                base = _component_files(owner, ref)
                for ext in FOUR:
                    assert base.with_suffix(ext).is_file(), f"{owner.name}: {name} → {ref}{ext}"
                assert _json(base.with_suffix(".json"))["component"] is True


def test_project_config():
    project = _json(MP / "project.config.json")
    assert project["compileType"] == "miniprogram"
    assert (MP / project.get("miniprogramRoot", "./") / "app.json").is_file()
    assert project["appid"] == "touristappid"  # replaced by the deployment's own (README)
    assert project["setting"]["packNpmManually"] is True
    (relation,) = project["setting"]["packNpmRelationList"]
    assert (MP / relation["packageJsonPath"]).is_file()
    ignored = {i["value"] for i in project["packOptions"]["ignore"]}
    assert {"tests", "node_modules", "package.json", "package-lock.json", "jest.config.js"} <= ignored
    config = (MP / "config.js").read_text()
    assert re.search(r"baseUrl: 'https://[^']+/api/v1/'", config)
    assert f"appId: '{project['appid']}'" in config


def test_sitemap_and_every_json_parses(app):
    assert app["sitemapLocation"] == "sitemap.json"
    for rule in _json(MP / "sitemap.json")["rules"]:
        assert rule["page"] == "*" or rule["page"] in app["pages"]
    for path in MP.rglob("*.json"):
        if not {"node_modules", "miniprogram_npm"} & set(path.relative_to(MP).parts):
            _json(path)


def test_the_lockfile_pins_the_tools():
    package = _json(MP / "package.json")
    lock = _json(MP / "package-lock.json")
    assert set(package["devDependencies"]) == {"jest", "jest-environment-jsdom", "miniprogram-simulate"}
    assert set(package["dependencies"]) == {"weui-miniprogram"}
    for name, version in {**package["dependencies"], **package["devDependencies"]}.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), name  # exact versions
        assert lock["packages"]["node_modules/" + name]["version"] == version


@pytest.mark.miniprogram
def test_miniprogram_npm_is_built(app):
    """What scripts/build_miniprogram_npm.js makes (make miniprogram): each npm component named
    resolves to its four files, and app.wxss's WeUI stylesheet is there."""
    for name, ref in app["usingComponents"].items():
        if not ref.startswith(("/", ".")):
            base = _component_files(MP / "app.json", ref)
            for ext in FOUR:
                assert base.with_suffix(ext).is_file(), f"{name} → miniprogram_npm/{ref}{ext}: run make miniprogram"
    css = re.search(r'@import "([^"]+)"', (MP / "app.wxss").read_text()).group(1)
    assert (MP / css).is_file()

#!/usr/bin/env bash
# Copy the third-party front-end assets the H5 pages use into static/vendor/, so that nothing
# is loaded from a CDN. The copies are committed; this script records where they came from and
# reproduces them (it needs npm, which the running site does not).
#
#   scripts/vendor_assets.sh            # WeUI, ECharts (a custom build) and axe-core at the pinned versions
#   WEUI_VERSION=2.6.26 ECHARTS_VERSION=6.1.0 scripts/vendor_assets.sh
#
# Swagger UI is not vendored here: it comes from the PyPI package drf-spectacular-sidecar.
set -euo pipefail

WEUI_VERSION="${WEUI_VERSION:-2.6.26}"
ECHARTS_VERSION="${ECHARTS_VERSION:-6.1.0}"
AXE_VERSION="${AXE_VERSION:-4.11.4}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

command -v npm >/dev/null || { echo "npm is needed to refresh the vendored assets" >&2; exit 1; }

cd "$WORK"
npm pack --silent "weui@${WEUI_VERSION}" >/dev/null
tar -xzf "weui-${WEUI_VERSION}.tgz"
PKG="$WORK/package"
CSS="$PKG/dist/style/weui.min.css"
[ -f "$CSS" ] || { echo "weui@${WEUI_VERSION} has no dist/style/weui.min.css" >&2; exit 1; }

rm -rf "$DEST/weui"
mkdir -p "$DEST/weui"
cp "$CSS" "$DEST/weui/weui.min.css"

# Anything the stylesheet references by relative url(...) (fonts, images) is copied beside it;
# inline data: URIs (and fragment references inside their SVGs) need nothing.
grep -o 'url([^)]*)' "$CSS" | sed -e 's/^url(//' -e 's/)$//' -e "s/^['\"]//" -e "s/['\"]$//" \
  | { grep -v -E '^(data:|https?:|//|#|%23)' || true; } | sort -u | while read -r ref; do
    src="$PKG/dist/style/${ref%%[?#]*}"
    if [ -f "$src" ]; then
      mkdir -p "$DEST/weui/$(dirname "${ref%%[?#]*}")"
      cp "$src" "$DEST/weui/${ref%%[?#]*}"
    else
      echo "warning: weui.min.css references $ref, not found in the package" >&2
    fi
  done

for f in LICENSE LICENSE.txt LICENSE.md; do
  if [ -f "$PKG/$f" ]; then cp "$PKG/$f" "$DEST/weui/LICENSE"; break; fi
done
[ -f "$DEST/weui/LICENSE" ] || { echo "weui@${WEUI_VERSION} ships no LICENSE file" >&2; exit 1; }

# Apache ECharts: not the whole bundle (1.1 MB) but a build of only the charts and components the
# pages use (scripts/echarts-build/entry.js), bundled by esbuild from the versions its lockfile
# pins; ECHARTS_VERSION must match that lockfile (change both with `npm install echarts@X` there).
BUILD="$ROOT/scripts/echarts-build"
(cd "$BUILD" && npm ci --silent --no-audit --no-fund && npm run --silent build)
BUILT_ECHARTS="$(node -p 'require(process.argv[1]).version' "$BUILD/node_modules/echarts/package.json")"
[ "$BUILT_ECHARTS" = "$ECHARTS_VERSION" ] || {
  echo "scripts/echarts-build pins echarts@${BUILT_ECHARTS}, not ${ECHARTS_VERSION}" >&2; exit 1; }
rm -rf "$DEST/echarts"
mkdir -p "$DEST/echarts"
cp "$BUILD/dist/echarts.custom.min.js" "$DEST/echarts/echarts.custom.min.js"
cp "$BUILD/node_modules/echarts/LICENSE" "$DEST/echarts/LICENSE"
[ -f "$BUILD/node_modules/echarts/NOTICE" ] && cp "$BUILD/node_modules/echarts/NOTICE" "$DEST/echarts/NOTICE"

# axe-core, for the browser tests' accessibility scan only: it goes beside the tests, never into
# static/, so the site does not serve it.
AXE_DEST="$ROOT/tests/browser/vendor/axe-core"
npm pack --silent "axe-core@${AXE_VERSION}" >/dev/null
rm -rf "$WORK/package" && tar -xzf "axe-core-${AXE_VERSION}.tgz"
[ -f "$PKG/axe.min.js" ] || { echo "axe-core@${AXE_VERSION} has no axe.min.js" >&2; exit 1; }
rm -rf "$AXE_DEST" && mkdir -p "$AXE_DEST"
cp "$PKG/axe.min.js" "$AXE_DEST/axe.min.js"
cp "$PKG/LICENSE" "$AXE_DEST/LICENSE"
AXE_SHA="$(sha256sum "$AXE_DEST/axe.min.js" | cut -d' ' -f1)"
echo "axe-core ${AXE_VERSION} npm:axe-core@${AXE_VERSION} axe.min.js sha256:${AXE_SHA}" >"$AXE_DEST/VERSION.txt"

WEUI_SHA="$(sha256sum "$DEST/weui/weui.min.css" | cut -d' ' -f1)"
ECHARTS_SHA="$(sha256sum "$DEST/echarts/echarts.custom.min.js" | cut -d' ' -f1)"
{
  echo "# Third-party front-end assets in static/vendor/, refreshed by scripts/vendor_assets.sh"
  echo "weui ${WEUI_VERSION} npm:weui@${WEUI_VERSION} dist/style/weui.min.css sha256:${WEUI_SHA}"
  echo "echarts ${ECHARTS_VERSION} npm:echarts@${ECHARTS_VERSION} scripts/echarts-build (esbuild) echarts.custom.min.js sha256:${ECHARTS_SHA}"
} >"$DEST/VERSIONS.txt"

echo "weui ${WEUI_VERSION} → static/vendor/weui/, echarts ${ECHARTS_VERSION} → static/vendor/echarts/, axe-core ${AXE_VERSION} → tests/browser/vendor/axe-core/"
ls -l "$DEST/weui" "$DEST/echarts" "$AXE_DEST"

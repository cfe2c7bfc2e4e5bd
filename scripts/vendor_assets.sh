#!/usr/bin/env bash
# Copy the third-party front-end assets the H5 pages use into static/vendor/, so that nothing
# is loaded from a CDN. The copies are committed; this script records where they came from and
# reproduces them (it needs npm, which the running site does not).
#
#   scripts/vendor_assets.sh            # WeUI and ECharts at the pinned versions
#   WEUI_VERSION=2.6.26 ECHARTS_VERSION=6.1.0 scripts/vendor_assets.sh
#
# Swagger UI is not vendored here: it comes from the PyPI package drf-spectacular-sidecar.
set -euo pipefail

WEUI_VERSION="${WEUI_VERSION:-2.6.26}"
ECHARTS_VERSION="${ECHARTS_VERSION:-6.1.0}"
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

# Apache ECharts: the one minified bundle (charts for the cockpit and rank history), with its
# licence and NOTICE.
npm pack --silent "echarts@${ECHARTS_VERSION}" >/dev/null
rm -rf "$WORK/package" && tar -xzf "echarts-${ECHARTS_VERSION}.tgz"
[ -f "$PKG/dist/echarts.min.js" ] || { echo "echarts@${ECHARTS_VERSION} has no dist/echarts.min.js" >&2; exit 1; }
rm -rf "$DEST/echarts"
mkdir -p "$DEST/echarts"
cp "$PKG/dist/echarts.min.js" "$DEST/echarts/echarts.min.js"
cp "$PKG/LICENSE" "$DEST/echarts/LICENSE"
[ -f "$PKG/NOTICE" ] && cp "$PKG/NOTICE" "$DEST/echarts/NOTICE"

WEUI_SHA="$(sha256sum "$DEST/weui/weui.min.css" | cut -d' ' -f1)"
ECHARTS_SHA="$(sha256sum "$DEST/echarts/echarts.min.js" | cut -d' ' -f1)"
{
  echo "# Third-party front-end assets in static/vendor/, refreshed by scripts/vendor_assets.sh"
  echo "weui ${WEUI_VERSION} npm:weui@${WEUI_VERSION} dist/style/weui.min.css sha256:${WEUI_SHA}"
  echo "echarts ${ECHARTS_VERSION} npm:echarts@${ECHARTS_VERSION} dist/echarts.min.js sha256:${ECHARTS_SHA}"
} >"$DEST/VERSIONS.txt"

echo "weui ${WEUI_VERSION} → static/vendor/weui/, echarts ${ECHARTS_VERSION} → static/vendor/echarts/"
ls -l "$DEST/weui" "$DEST/echarts"

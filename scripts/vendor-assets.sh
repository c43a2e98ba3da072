#!/usr/bin/env bash
# Refreshes the front-end files vendored under crates/web/static/vendor from the npm registry.
#
# The application must work on a closed government network, so nothing is loaded from a CDN and
# `cargo run` needs no npm: the built files are committed and embedded into the binary. Run this
# script only to upgrade them (bump the versions below), then review and commit the result.
#
# Sources (all from the npm registry):
#   @govbr-ds/core                  gov.br Design System (MIT)       dist/core.min.css, core.min.js
#   @fontsource/raleway             Raleway, the DS's declared fallback for Rawline (OFL-1.1)
#   @fortawesome/fontawesome-free@5 icons used by the DS (CSS: MIT, fonts: OFL-1.1)
set -euo pipefail

GOVBR_DS=3.7.0
RALEWAY=5.3.0
FONTAWESOME=5.15.4
AXE=4.14.1   # axe-core, only for the browser test suite (tests/browser/vendor)

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/crates/web/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts \
  "@govbr-ds/core@$GOVBR_DS" "@fontsource/raleway@$RALEWAY" "@fortawesome/fontawesome-free@$FONTAWESOME" \
  "axe-core@$AXE" >/dev/null
nm="$work/node_modules"

rm -rf "$dest"
mkdir -p "$dest/govbr-ds" "$dest/raleway" "$dest/fontawesome/css" "$dest/fontawesome/webfonts"

cp "$nm/@govbr-ds/core/dist/core.min.css" "$nm/@govbr-ds/core/dist/core.min.js" "$dest/govbr-ds/"
cp "$nm/@govbr-ds/core/LICENSE"* "$dest/govbr-ds/" 2>/dev/null || true

# Latin subset only (covers Portuguese); the weights the DS uses.
css="$dest/raleway/raleway.css"
: > "$css"
for w in 300 400 500 600 700 800; do
  cp "$nm/@fontsource/raleway/files/raleway-latin-$w-normal.woff2" "$dest/raleway/"
  cat >> "$css" <<CSS
@font-face{font-family:'Raleway';font-style:normal;font-display:swap;font-weight:$w;src:url(raleway-latin-$w-normal.woff2) format('woff2')}
CSS
done
cp "$nm/@fontsource/raleway/files/raleway-latin-400-italic.woff2" "$dest/raleway/"
echo "@font-face{font-family:'Raleway';font-style:italic;font-display:swap;font-weight:400;src:url(raleway-latin-400-italic.woff2) format('woff2')}" >> "$css"
cp "$nm/@fontsource/raleway/LICENSE" "$dest/raleway/LICENSE"

cp "$nm/@fortawesome/fontawesome-free/css/all.min.css" "$dest/fontawesome/css/"
cp "$nm/@fortawesome/fontawesome-free/webfonts/"*.woff2 "$dest/fontawesome/webfonts/"
cp "$nm/@fortawesome/fontawesome-free/LICENSE.txt" "$dest/fontawesome/LICENSE.txt"

cat > "$dest/VERSIONS" <<TXT
@govbr-ds/core $GOVBR_DS
@fontsource/raleway $RALEWAY
@fortawesome/fontawesome-free $FONTAWESOME
TXT
mkdir -p "$root/tests/browser/vendor"
cp "$nm/axe-core/axe.min.js" "$root/tests/browser/vendor/axe.min.js"
cp "$nm/axe-core/LICENSE" "$root/tests/browser/vendor/axe-LICENSE"

echo "vendored into $dest and tests/browser/vendor"

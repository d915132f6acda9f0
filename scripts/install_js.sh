#!/usr/bin/env bash
# Install the browser libraries the app serves itself (no CDN): the vector-tile plugin
# protomaps-leaflet (BSD-3-Clause), pinned in package.json and package-lock.json, from the npm
# registry into ./node_modules. The app copies its bundle into static/vendor/ at start-up
# (layers/assets.py install_assets). Needs node and npm; run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: install Node.js (e.g. apt-get install nodejs npm), then rerun $0" >&2
  exit 1
fi
npm ci --ignore-scripts --no-audit --no-fund --omit=dev --loglevel=error
want="$(node -p "require('./package.json').dependencies['protomaps-leaflet']")"
got="$(node -p "require('./node_modules/protomaps-leaflet/package.json').version")"
if [ "$want" != "$got" ]; then
  echo "protomaps-leaflet $got installed, $want pinned in package.json" >&2
  exit 1
fi
echo "protomaps-leaflet $got installed in node_modules/"

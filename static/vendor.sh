#!/usr/bin/env bash
# Refreshes the vendored front-end files from the npm registry at pinned
# versions and records their checksums in static/vendor.sha256, which CI
# verifies. Change a version here, run this script, review and commit.
set -euo pipefail
cd "$(dirname "$0")"
HTMX_VERSION=2.0.11
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "htmx.org@${HTMX_VERSION}" >/dev/null && tar -xzf htmx.org-*.tgz)
cp "$tmp/package/dist/htmx.min.js" js/htmx.min.js
sha256sum js/htmx.min.js > vendor.sha256
echo "htmx ${HTMX_VERSION}: $(cat vendor.sha256)"

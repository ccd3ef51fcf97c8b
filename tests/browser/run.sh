#!/usr/bin/env bash
# The browser suite: every generated page in Debian's Chromium (axe with and without
# JavaScript, DOM checks) and the Nu HTML Checker; then the runtime itself, served from
# examples/orust, used like a person uses it. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! command -v java >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
fi
# vnu-jar ships vnu.jar; its install script would only fetch a Java we already have.
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi

node --test --test-reporter=spec --test-concurrency=1 pages.test.mjs runtime.test.mjs eid.test.mjs delivery.test.mjs

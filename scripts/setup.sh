#!/usr/bin/env bash
# Installs the tools the tests use. Safe to run again; each step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v xmllint >/dev/null || need_apt+=(libxml2-utils)
command -v xsltproc >/dev/null || need_apt+=(xsltproc)
# The browser suite (tests/browser): Debian's Chromium, and Java for the Nu HTML Checker.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v java >/dev/null || need_apt+=(default-jre-headless)
# The OIDC provider's readiness check, and the SHS client's mutual-TLS test makes its own CA.
command -v curl >/dev/null || need_apt+=(curl)
command -v openssl >/dev/null || need_apt+=(openssl)
# The JavaScript differential tests run the browser runtime in node.
command -v node >/dev/null || need_apt+=(nodejs)
# The invitation-mail test's SMTP server (runtime/tests/invitation_mail.rs): Debian's aiosmtpd.
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || need_apt+=(python3-aiosmtpd)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v mdbook >/dev/null; then
  cargo install mdbook --locked --quiet --version ^0.5
fi

# playwright-core, axe-core, vnu-jar and oidc-provider (the e-ID test's provider), pinned by tests/browser/package-lock.json. No browser
# download: the suite drives /usr/bin/chromium. vnu-jar's install script only fetches a Java.
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/oidc-provider ]; then
  (cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

#!/usr/bin/env bash
# Installs the tools the tests use. Safe to run again; each step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v xmllint >/dev/null || need_apt+=(libxml2-utils)
command -v xsltproc >/dev/null || need_apt+=(xsltproc)
# The JavaScript differential tests run the browser runtime in node.
command -v node >/dev/null || need_apt+=(nodejs)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v mdbook >/dev/null; then
  cargo install mdbook --locked --quiet --version ^0.5
fi

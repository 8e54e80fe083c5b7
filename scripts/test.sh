#!/usr/bin/env bash
# Runs the whole test suite (unit, API integration, SIPp scenarios). Installs SIPp
# (Debian package sip-tester) when the sipp binary is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v sipp >/dev/null 2>&1; then
  echo "sipp not found: installing sip-tester" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q sip-tester
fi

exec mvn -B verify "$@"

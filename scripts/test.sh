#!/usr/bin/env bash
# Runs the whole test suite (unit, API integration, SIPp scenarios; the API and storage tests a
# second time on a throw-away PostgreSQL server that the tests start themselves). Installs SIPp
# (Debian package sip-tester), PostgreSQL (package postgresql) and dnsmasq (package dnsmasq-base:
# the DNS server the proxy-location tests start on loopback) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v sipp >/dev/null 2>&1 || missing+=(sip-tester)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -x /usr/sbin/dnsmasq ] || command -v dnsmasq >/dev/null 2>&1 || missing+=(dnsmasq-base)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

exec mvn -B verify "$@"

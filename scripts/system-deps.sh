#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, idempotently: nothing is
# downloaded when every package is already present. Needs root (CI runs as root);
# as a normal user it only reports what is missing.
set -euo pipefail

# Packages the tests use: iproute2 for network namespaces, strongSwan (charon with the
# vici and kernel-libipsec plugins, swanctl) for the real gateways, ping for traffic,
# PostgreSQL (initdb, pg_ctl) for the pg state backend's tests.
PACKAGES=(iproute2 iputils-ping util-linux strongswan-charon strongswan-swanctl
          libcharon-extra-plugins libstrongswan-extra-plugins postgresql)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

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
# Debian's chromium, run headless by the web console's browser test.
PACKAGES+=(chromium)

# Libreswan's own checkers (addconn, algparse) for the device configuration tests. Debian's
# libreswan conflicts with strongSwan, so it is never installed: its .deb is unpacked into
# a cache directory the tests look in.
LIBRESWAN_DIR=${VPNFORM_LIBRESWAN_DIR:-/var/cache/vpnform/libreswan}
fetch_libreswan() {
  [ -x "$LIBRESWAN_DIR/root/usr/libexec/ipsec/addconn" ] && return 0
  mkdir -p "$LIBRESWAN_DIR"
  (cd "$LIBRESWAN_DIR" && apt-get download libreswan >/dev/null 2>&1 \
     && dpkg -x "$(ls libreswan_*.deb | tail -n1)" root) \
    || echo "system-deps: could not fetch libreswan; its checker tests will be skipped" >&2
}

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  [ "$(id -u)" -ne 0 ] || fetch_libreswan
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
fetch_libreswan

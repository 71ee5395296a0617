#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, idempotently: nothing is
# downloaded when every package is already present. Needs root (CI runs as root);
# as a normal user it only reports what is missing.
set -euo pipefail

# Packages the tests use today. (The real-gateway issue adds strongSwan here.)
PACKAGES=(iproute2)

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

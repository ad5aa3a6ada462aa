#!/usr/bin/env bash
# Install everything streamframe's build, tests and benchmarks need on a fresh Debian machine:
# Debian packages (streamz + pandas for the benchmarks, kcat and a C toolchain for the Kafka test
# broker), the npm packages, the build, and the Kafka test broker (cached outside the tree).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3-streamz python3-pandas kcat gcc make)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

echo "setup: npm packages"
# `npm install`, not `npm ci`: with omit-lockfile-registry-resolved (set on our machines), npm 11 writes
# lock files without other platforms' optional packages and then refuses them in `npm ci`.
npm install --no-audit --no-fund

echo "setup: build"
npm run build

if [ -f scripts/build-kafka-broker.sh ]; then
  echo "setup: Kafka test broker"
  bash scripts/build-kafka-broker.sh
fi
echo "setup: done"

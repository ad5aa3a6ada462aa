#!/usr/bin/env bash
# Install everything streamframe's build, tests and benchmarks need on a fresh Debian machine:
# Debian packages (streamz + pandas for the benchmarks, kcat and a C toolchain for the Kafka test
# broker, Jupyter for the notebooks), the npm packages, the build, the tslab Jupyter kernel, and the
# Kafka test broker (cached outside the tree).
set -euo pipefail
cd "$(dirname "$0")/.."

# The -dev packages: the optional Kafka client @confluentinc/kafka-javascript builds librdkafka against them (below).
APT_PACKAGES=(python3-streamz python3-pandas kcat gcc make jupyter-core python3-nbconvert python3-nbclient jupyter-client python3-ipykernel chromium
  g++ zlib1g-dev libssl-dev libzstd-dev libcurl4-openssl-dev libsasl2-dev liblz4-dev)

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
# CKJS_LINKING=dynamic: @confluentinc/kafka-javascript (an optional dependency, client: 'confluent')
# has no prebuilt binary for every platform and builds from source; its default static build downloads
# zlib/OpenSSL/zstd/curl sources, while the dynamic one links the bundled librdkafka against the
# Debian -dev packages above. Slow the first time (minutes); npm keeps the result in node_modules.
CKJS_LINKING=dynamic npm install --no-audit --no-fund

echo "setup: build"
npm run build

echo "setup: Jupyter kernel (tslab)"
# Registered for Debian's /usr/bin/python3 (a pyenv python3 earlier on PATH has no Jupyter). The spec
# names no checkout: scripts/tslab-kernel.sh, embedded in it, runs the tslab of the checkout a
# notebook is in (or says what to run there), so any built clone's notebooks work.
spec="$(mktemp -d)/tslab"
mkdir -p "$spec"
/usr/bin/python3 - "$spec" scripts/tslab-kernel.sh <<'PY'
import json, sys
launcher = open(sys.argv[2]).read()
json.dump({"argv": ["/bin/sh", "-c", launcher, "{connection_file}"], "display_name": "TypeScript", "language": "typescript"}, open(sys.argv[1] + "/kernel.json", "w"))
PY
if [ "$(id -u)" -eq 0 ]; then /usr/bin/python3 -m jupyter kernelspec install --replace --name tslab "$spec" >/dev/null
else /usr/bin/python3 -m jupyter kernelspec install --user --replace --name tslab "$spec" >/dev/null; fi
kernels=$(/usr/bin/python3 -m jupyter kernelspec list 2>/dev/null)
grep -q '^ *tslab ' <<<"$kernels" || { echo "setup: the tslab kernel is not registered" >&2; exit 1; }
mkdir -p notebooks/node_modules
ln -sfn ../.. notebooks/node_modules/streamframe

if [ -f scripts/build-kafka-broker.sh ]; then
  echo "setup: Kafka test broker"
  bash scripts/build-kafka-broker.sh
fi
echo "setup: done"

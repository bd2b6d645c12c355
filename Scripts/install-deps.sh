#!/usr/bin/env bash
# Installs the Debian packages dctc needs to build (and, with --test, to run its tests).
# Idempotent: does nothing when everything is present. Needs root (or sudo) to install.
set -euo pipefail

build_pkgs=(pkg-config libcurl4-openssl-dev libssh2-1-dev zlib1g-dev libbz2-dev libssl-dev libsqlite3-dev libxml2)
test_pkgs=(gzip bzip2 unzip time openssh-server openssh-client media-types tmux bash-completion zsh fish redis-server)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "installing: ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Try without a package-list update first (fast when the lists are fresh), then with one.
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

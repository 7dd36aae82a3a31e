#!/usr/bin/env bash
# Installs what flash needs to build and test on Debian/Ubuntu: the toolchain and the libraries
# (all from Debian's packages) and pip for fetching models. Safe to run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libpcre2-dev nlohmann-json3-dev libcli11-dev libcurl4-openssl-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev poppler-utils libcpp-httplib-dev
  libedit-dev tmux  # line editing for `flash chat` (BSD licence, not GPL readline); its test
  libjs-marked node-dompurify  # the web page's Markdown renderer and HTML sanitizer, embedded
  nginx prometheus  # the deploy/colocated recipe's test (prometheus brings promtool)
  python3 python3-pip
  clang libclang-rt-14-dev  # the fuzz preset: clang with libFuzzer and the sanitizer runtimes
)

# --with-browser adds what the web page's test drives: Chromium and its WebDriver.
# --with-arm64 adds the ARM64 cross build's (scripts/test_arm.sh): the aarch64 toolchain, qemu,
# and the engine's -dev packages for arm64 through multiarch, with the C++ runtime they run on.
arm64=false
for option in "$@"; do
  case "$option" in
    --with-browser) packages+=(chromium chromium-driver) ;;
    --with-arm64)
      arm64=true
      packages+=(g++-aarch64-linux-gnu qemu-user libpcre2-dev:arm64 libssl-dev:arm64
                 libgtest-dev:arm64 libstdc++6:arm64) ;;
    *) echo "install-deps: unknown option $option (--with-browser, --with-arm64)" >&2; exit 2 ;;
  esac
done

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A python3 that is not Debian's (pyenv, conda) brings its own pip.
if command -v python3 >/dev/null && python3 -m pip --version >/dev/null 2>&1; then
  missing=("${missing[@]/python3-pip}")
  missing=("${missing[@]/python3}")
fi
read -r -a missing <<<"${missing[*]}"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  if $arm64 && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    sudo_if_needed dpkg --add-architecture arm64
  fi
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: all build dependencies present" >&2

#!/bin/sh
# Installs deploy/apple-silicon/org.flash.serve.plist as a launchd agent of the logged-in user:
# fills in the home folder and the flash binary, checks the result with plutil, and (re)loads it.
#   deploy/apple-silicon/install-agent.sh [FLASH_BINARY]     (default: flash on PATH)
#   deploy/apple-silicon/install-agent.sh --uninstall
# The model must be at ~/Library/Application Support/flash/models/model.gguf (README.md).
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
label=org.flash.serve
agents="$HOME/Library/LaunchAgents"
plist="$agents/$label.plist"
domain="gui/$(id -u)"

if [ "${1:-}" = "--uninstall" ]; then
  launchctl bootout "$domain/$label" 2>/dev/null || true
  rm -f "$plist"
  echo "removed $plist"
  exit 0
fi

flash="${1:-$(command -v flash || true)}"
if [ -z "$flash" ] || [ ! -x "$flash" ]; then
  echo "install-agent.sh: no flash binary (give its path, or install it on PATH)" >&2
  exit 1
fi
case "$flash" in /*) ;; *) flash="$(cd "$(dirname "$flash")" && pwd)/$(basename "$flash")" ;; esac
model="$HOME/Library/Application Support/flash/models/model.gguf"
if [ ! -f "$model" ]; then
  echo "install-agent.sh: $model is missing; put the GGUF file there first (README.md)" >&2
  exit 1
fi

mkdir -p "$agents" "$HOME/Library/Logs/flash"
# '|' cannot occur in the substituted paths' sed expression: escape it and '&', '\'.
escape() { printf '%s' "$1" | sed 's/[|&\\]/\\&/g'; }
sed -e "s|@HOME@|$(escape "$HOME")|g" -e "s|@FLASH@|$(escape "$flash")|g" \
  "$here/$label.plist" > "$plist.tmp"
plutil -lint "$plist.tmp" >/dev/null
mv "$plist.tmp" "$plist"

# bootout fails when the agent was not loaded: that is fine.
launchctl bootout "$domain/$label" 2>/dev/null || true
launchctl bootstrap "$domain" "$plist"
echo "loaded $plist; log: ~/Library/Logs/flash/serve.log; health: curl http://127.0.0.1:8080/health"

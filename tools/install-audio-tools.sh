#!/usr/bin/env bash
# Installs (from Debian's packages) the audio tools the speech pipeline and its tests use, unless they are already
# on PATH: ffmpeg (decodes every upload that is not WAV), espeak-ng (speaks test sentences) and sox (converts test
# audio). Used by .ci/run; run it yourself on a server that should accept mp3, flac, ogg, m4a or webm uploads.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

missing=()
for tool in ffmpeg espeak-ng sox; do
  if ! command -v "$tool" >/dev/null 2>&1; then missing+=("$tool"); fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "audio tools already installed: ffmpeg espeak-ng sox"
  exit 0
fi

# The Debian package names are the tool names.
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "installed: ${missing[*]}"

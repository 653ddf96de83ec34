#!/usr/bin/env bash
# Makes an API key for the gateway and its keys-file entry (README, "Authentication"). The key is printed once, on
# stderr, for whoever will use it; the entry on stdout holds only its SHA-256, as the keys file must.
#
#   tools/hash-api-key.sh NAME [SCOPES] [MODELS]          a new random key
#   KEY=... tools/hash-api-key.sh NAME [SCOPES] [MODELS]  the entry of a key you have
#
# SCOPES and MODELS are comma-separated: "infer,metrics", "llama-*,simple". Defaults: infer, and every model (*).
set -euo pipefail
if [[ $# -lt 1 ]]; then
  sed -n '2,8p' "$0" >&2
  exit 2
fi

name=$1
scopes=${2:-infer}
models=${3:-*}
if [[ -z "${KEY:-}" ]]; then
  KEY="gsk-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  echo "key for '$name' (shown once; give it to its user, store it nowhere else): $KEY" >&2
fi

hash=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
list() { local -a items; IFS=, read -ra items <<< "$1"; printf '"%s", ' "${items[@]}" | sed 's/, $//'; }
printf '{ "name": "%s", "sha256": "%s", "scopes": [%s], "models": [%s] }\n' "$name" "$hash" "$(list "$scopes")" "$(list "$models")"

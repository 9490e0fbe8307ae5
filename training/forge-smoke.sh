#!/usr/bin/env bash
# Every forge's smoke run (a few steps, export, parity), on one small dataset written once.
#   bash training/forge-smoke.sh      (npm run forge:smoke)
set -euo pipefail
SMOKE_DATA=$(mktemp -d)
export SMOKE_DATA
trap 'rm -rf "$SMOKE_DATA"' EXIT
for forge in forge forge-siglip forge-llip forge-coca forge-maskvlm; do
  bash "$(dirname "$0")/$forge.sh" --smoke
done

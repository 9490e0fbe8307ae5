#!/usr/bin/env bash
# The Llip forge: the ShapesWorld data shapes-clip is trained on -> tiny Llip in PyTorch (same
# steps, batch and loss as shapes-clip) -> three ONNX graphs + goldens -> parity check on
# onnxruntime-node -> held-out evaluation against shapes-clip -> model card.
#
#   bash training/forge-llip.sh            full rebuild of static/models/shapes-llip (STEPS=1510)
#   bash training/forge-llip.sh --smoke    a few steps into a temporary folder, then the parity tests
set -euo pipefail
source "$(dirname "$0")/forge-common.sh"

if [[ "${1:-}" == "--smoke" ]]; then
  smoke llip
  exit 0
fi

OUT=static/models/shapes-llip
STEPS=${STEPS:-1510}
# The same deterministic data and golden inputs training/forge.sh writes for shapes-clip; written
# here only when missing, so a rebuild never rewrites data another forge may be reading.
shared_data
"$PYTHON" training/train_llip.py --data training/data --golden-inputs training/data/golden-inputs.json --out "$OUT" --steps "$STEPS"
node_modules/.bin/vitest run --project parity tests/parity/llip.parity.test.ts
"$TSX" training/eval-llip.ts --model "$OUT" --clip static/models/shapes-clip --write
"$TSX" training/write-card-llip.ts "$OUT"

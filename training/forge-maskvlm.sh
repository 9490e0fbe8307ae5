#!/usr/bin/env bash
# The MaskVLM forge: the ShapesWorld data shapes-clip is trained on -> tiny MaskVLM in PyTorch
# (masked image and language modelling, each conditioned on the other modality, with ITC and ITM)
# -> one ONNX graph + goldens -> parity check on onnxruntime-node -> held-out evaluation -> model card.
#
#   bash training/forge-maskvlm.sh            full rebuild of static/models/shapes-maskvlm (STEPS, THREADS)
#   bash training/forge-maskvlm.sh --smoke    a few steps into a temporary folder, then the parity test
set -euo pipefail
source "$(dirname "$0")/forge-common.sh"

if [[ "${1:-}" == "--smoke" ]]; then
  smoke maskvlm
  exit 0
fi

OUT=static/models/shapes-maskvlm
STEPS=${STEPS:-1600}
THREADS=${THREADS:-2}
# The same deterministic data and golden inputs training/forge.sh writes for shapes-clip; written
# here only when missing, so a rebuild never rewrites data another forge may be reading.
shared_data
"$PYTHON" training/train_maskvlm.py --data training/data --golden-inputs training/data/golden-inputs.json --out "$OUT" \
  --steps "$STEPS" --threads "$THREADS"
node_modules/.bin/vitest run --project parity tests/parity/maskvlm.parity.test.ts
"$TSX" training/eval-maskvlm.ts --model "$OUT" --write
"$TSX" training/write-card-maskvlm.ts "$OUT"

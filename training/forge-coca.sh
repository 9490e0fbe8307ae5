#!/usr/bin/env bash
# The CoCa forge: the ShapesWorld data shapes-clip is trained on -> tiny CoCa in PyTorch
# (contrastive + captioning) -> three ONNX graphs + goldens (with greedy captions) -> parity
# check on onnxruntime-node -> held-out captioning and retrieval evaluation -> model card.
#
#   bash training/forge-coca.sh            full rebuild of static/models/shapes-coca (STEPS=2200)
#   bash training/forge-coca.sh --smoke    a few steps into a temporary folder, then the parity tests
set -euo pipefail
source "$(dirname "$0")/forge-common.sh"

if [[ "${1:-}" == "--smoke" ]]; then
  smoke coca
  exit 0
fi

OUT=static/models/shapes-coca
STEPS=${STEPS:-2200}
# The same deterministic data and golden inputs training/forge.sh writes for shapes-clip; written
# here only when missing, so a rebuild never rewrites data another forge may be reading.
shared_data
"$PYTHON" training/train_coca.py --data training/data --golden-inputs training/data/golden-inputs.json --out "$OUT" --steps "$STEPS"
node_modules/.bin/vitest run --project parity tests/parity/coca.parity.test.ts
"$TSX" training/eval-coca.ts --model "$OUT" --write
"$TSX" training/write-card-coca.ts "$OUT"

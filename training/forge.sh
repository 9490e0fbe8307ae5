#!/usr/bin/env bash
# The model forge: ShapesWorld data from the TypeScript generator -> tiny CLIP in PyTorch ->
# ONNX in the hub layout + goldens -> parity check in transformers.js.
#
#   bash training/forge.sh            full rebuild of static/models/shapes-clip
#   bash training/forge.sh --smoke    a few steps into a temporary folder, then the parity tests
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-/usr/bin/python3}
export OPENBLAS_NUM_THREADS=1
TSX=node_modules/.bin/tsx

if [[ "${1:-}" == "--smoke" ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  "$TSX" training/write-dataset.ts --out "$work/data" --count 2000 --seed 7
  "$TSX" training/write-golden-inputs.ts "$work/data/golden-inputs.json"
  "$PYTHON" training/train_clip.py --data "$work/data" --golden-inputs "$work/data/golden-inputs.json" --out "$work/shapes-clip" --smoke
  MODEL_DIR="$work/shapes-clip" node_modules/.bin/vitest run --project parity tests/parity/clip.parity.test.ts
  exit 0
fi

COUNT=${COUNT:-150000}
MINUTES=${MINUTES:-18}
"$TSX" training/write-dataset.ts --out training/data --count "$COUNT" --seed 1
"$TSX" training/write-golden-inputs.ts training/data/golden-inputs.json
"$PYTHON" training/train_clip.py --data training/data --golden-inputs training/data/golden-inputs.json \
  --out static/models/shapes-clip --minutes "$MINUTES"
node_modules/.bin/vitest run --project parity
node_modules/.bin/tsx training/eval-clip.ts --model static/models/shapes-clip --write
node_modules/.bin/tsx training/eval-clip.ts --model static/models/shapes-clip --dtype q8 --write
node_modules/.bin/tsx training/write-card.ts static/models/shapes-clip

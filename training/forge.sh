#!/usr/bin/env bash
# The model forge: ShapesWorld data from the TypeScript generator -> tiny CLIP in PyTorch ->
# ONNX in the hub layout + goldens -> parity check in transformers.js.
#
#   bash training/forge.sh            full rebuild of static/models/shapes-clip
#   bash training/forge.sh --smoke    a few steps into a temporary folder, then the parity tests
set -euo pipefail
source "$(dirname "$0")/forge-common.sh"

if [[ "${1:-}" == "--smoke" ]]; then
  smoke clip
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

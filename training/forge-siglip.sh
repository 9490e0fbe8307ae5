#!/usr/bin/env bash
# The model forge for the tiny SigLIP: the ShapesWorld data of the CLIP forge (reused when
# training/data already holds it) -> tiny SigLIP trained with the sigmoid loss in PyTorch ->
# ONNX in the hub's SigLIP layout + goldens -> parity check in transformers.js -> eval, card.
#
#   bash training/forge-siglip.sh            full rebuild of static/models/shapes-siglip
#   bash training/forge-siglip.sh --smoke    a few steps into a temporary folder, then the parity test
set -euo pipefail
source "$(dirname "$0")/forge-common.sh"

if [[ "${1:-}" == "--smoke" ]]; then
  smoke siglip
  exit 0
fi

# A fixed number of steps (not minutes), so the run is the same however loaded the machine is.
STEPS=${STEPS:-4000}
# Same data as the CLIP forge (same generator, count and seed), so the two models compare fairly.
shared_data
"$PYTHON" training/train_siglip.py --data training/data --golden-inputs training/data/golden-inputs.json \
  --out static/models/shapes-siglip --steps "$STEPS"
node_modules/.bin/vitest run --project parity tests/parity/siglip.parity.test.ts
# The card is written from measured numbers before the quality bar is asserted, so it tells the truth either way.
"$TSX" training/eval-siglip.ts --model static/models/shapes-siglip --clip static/models/shapes-clip --write
"$TSX" training/write-card-siglip.ts static/models/shapes-siglip
node_modules/.bin/vitest run --project parity tests/parity/siglip.quality.test.ts

#!/usr/bin/env bash
# The model forge for the tiny SigLIP: the ShapesWorld data of the CLIP forge (reused when
# training/data already holds it) -> tiny SigLIP trained with the sigmoid loss in PyTorch ->
# ONNX in the hub's SigLIP layout + goldens -> parity check in transformers.js -> eval, card.
#
#   bash training/forge-siglip.sh            full rebuild of static/models/shapes-siglip
#   bash training/forge-siglip.sh --smoke    a few steps into a temporary folder, then the parity test
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
  "$PYTHON" training/train_siglip.py --data "$work/data" --golden-inputs "$work/data/golden-inputs.json" --out "$work/shapes-siglip" --smoke
  MODEL_DIR="$work/shapes-siglip" node_modules/.bin/vitest run --project parity tests/parity/siglip.parity.test.ts
  exit 0
fi

COUNT=${COUNT:-150000}
# A fixed number of steps (not minutes), so the run is the same however loaded the machine is.
STEPS=${STEPS:-4000}
# Same data as the CLIP forge (same generator, count and seed), so the two models compare fairly.
if [[ ! -f training/data/meta.json ]]; then
  "$TSX" training/write-dataset.ts --out training/data --count "$COUNT" --seed 1
fi
if [[ ! -f training/data/golden-inputs.json ]]; then
  "$TSX" training/write-golden-inputs.ts training/data/golden-inputs.json
fi
"$PYTHON" training/train_siglip.py --data training/data --golden-inputs training/data/golden-inputs.json \
  --out static/models/shapes-siglip --steps "$STEPS"
node_modules/.bin/vitest run --project parity tests/parity/siglip.parity.test.ts
# The card is written from measured numbers before the quality bar is asserted, so it tells the truth either way.
"$TSX" training/eval-siglip.ts --model static/models/shapes-siglip --clip static/models/shapes-clip --write
"$TSX" training/write-card-siglip.ts static/models/shapes-siglip
node_modules/.bin/vitest run --project parity tests/parity/siglip.quality.test.ts

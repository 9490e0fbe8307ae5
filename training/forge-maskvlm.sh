#!/usr/bin/env bash
# The MaskVLM forge: the ShapesWorld data shapes-clip is trained on -> tiny MaskVLM in PyTorch
# (masked image and language modelling, each conditioned on the other modality, with ITC and ITM)
# -> one ONNX graph + goldens -> parity check on onnxruntime-node -> held-out evaluation -> model card.
#
#   bash training/forge-maskvlm.sh            full rebuild of static/models/shapes-maskvlm (STEPS, THREADS)
#   bash training/forge-maskvlm.sh --smoke    a few steps into a temporary folder, then the parity test
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
  "$PYTHON" training/train_maskvlm.py --data "$work/data" --golden-inputs "$work/data/golden-inputs.json" --out "$work/shapes-maskvlm" --smoke
  MODEL_DIR="$work/shapes-maskvlm" node_modules/.bin/vitest run --project parity tests/parity/maskvlm.parity.test.ts
  exit 0
fi

OUT=static/models/shapes-maskvlm
STEPS=${STEPS:-1600}
THREADS=${THREADS:-2}
# The same deterministic data and golden inputs training/forge.sh writes for shapes-clip; written
# here only when missing, so a rebuild never rewrites data another forge may be reading.
[[ -f training/data/meta.json ]] || "$TSX" training/write-dataset.ts --out training/data --count 150000 --seed 1
[[ -f training/data/golden-inputs.json ]] || "$TSX" training/write-golden-inputs.ts training/data/golden-inputs.json
"$PYTHON" training/train_maskvlm.py --data training/data --golden-inputs training/data/golden-inputs.json --out "$OUT" \
  --steps "$STEPS" --threads "$THREADS"
node_modules/.bin/vitest run --project parity tests/parity/maskvlm.parity.test.ts
"$TSX" training/eval-maskvlm.ts --model "$OUT" --write
"$TSX" training/write-card-maskvlm.ts "$OUT"

# Sourced by every forge script: the tools they run, a smoke run, and the shared training data.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-/usr/bin/python3}
export OPENBLAS_NUM_THREADS=1
TSX=node_modules/.bin/tsx

# smoke NAME: a few training steps of training/train_NAME.py on a small dataset, the export into
# a temporary folder, then tests/parity/NAME.parity.test.ts on it. The small dataset is
# $SMOKE_DATA when set (training/forge-smoke.sh writes it once for every forge), else its own.
smoke() {
  local name=$1
  SMOKE_WORK=$(mktemp -d)
  trap 'rm -rf "$SMOKE_WORK"' EXIT
  local data=${SMOKE_DATA:-$SMOKE_WORK/data}
  if [[ ! -f "$data/golden-inputs.json" ]]; then
    "$TSX" training/write-dataset.ts --out "$data" --count 2000 --seed 7
    "$TSX" training/write-golden-inputs.ts "$data/golden-inputs.json"
  fi
  "$PYTHON" "training/train_$name.py" --data "$data" --golden-inputs "$data/golden-inputs.json" --out "$SMOKE_WORK/shapes-$name" --smoke
  MODEL_DIR="$SMOKE_WORK/shapes-$name" node_modules/.bin/vitest run --project parity "tests/parity/$name.parity.test.ts"
}

# shared_data: the ShapesWorld data and golden inputs training/forge.sh writes for shapes-clip
# (same generator, count and seed), written here only when missing, so the models compare
# fairly and a rebuild never rewrites data another forge may be reading.
shared_data() {
  [[ -f training/data/meta.json ]] || "$TSX" training/write-dataset.ts --out training/data --count "${COUNT:-150000}" --seed 1
  [[ -f training/data/golden-inputs.json ]] || "$TSX" training/write-golden-inputs.ts training/data/golden-inputs.json
}

#!/usr/bin/env bash
# The model forge, one entry point for every family (Python package: training/forge/).
#
#   bash training/forge.sh <family|all>            full rebuild of static/models/shapes-<family>: ShapesWorld
#                                                  data, training (checkpoint saved), export, parity, eval, card
#   bash training/forge.sh <family|all> --smoke    a few steps on a small dataset, checked against the pinned
#                                                  losses, exported into a temporary folder, parity tests on it
#   bash training/forge.sh data                    the shared data (training/data) and golden inputs, if missing
#   bash training/forge.sh eval <family> [flags]   the held-out evaluation of the bundled model
#   bash training/forge.sh recover <family|all>    a bundled model's checkpoint, rebuilt from its ONNX graphs
#
# Families: clip siglip llip coca maskvlm. Budgets: MINUTES (clip), STEPS (the others), THREADS
# (maskvlm), COUNT (data). Folders: DATA (training/data), MODELS (static/models), FORGE_CACHE
# (checkpoints; training/checkpoints).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-/usr/bin/python3}
export OPENBLAS_NUM_THREADS=1 PYTHONPATH=training${PYTHONPATH:+:$PYTHONPATH}
TSX=node_modules/.bin/tsx
DATA=${DATA:-training/data}
MODELS=${MODELS:-static/models}
FAMILIES=(clip siglip llip coca maskvlm vq)

forge() { "$PYTHON" -m forge "$@"; }
parity() { node_modules/.bin/vitest run --project parity "$@"; }
# A family's parity tests: FAMILY.parity.test.ts and any FAMILY-PART.parity.test.ts (CoCa's cached decoder).
parity_tests() { echo "tests/parity/$1.parity.test.ts"; compgen -G "tests/parity/$1-*.parity.test.ts" || true; }

# The training budget of a full rebuild.
budget() {
  case $1 in
    clip) echo --minutes "${MINUTES:-18}" ;;
    siglip) echo --steps "${STEPS:-4000}" ;;
    llip) echo --steps "${STEPS:-1510}" ;;
    coca) echo --steps "${STEPS:-2200}" ;;
    maskvlm) echo --steps "${STEPS:-1600}" --threads "${THREADS:-2}" ;;
    vq) echo --steps "${STEPS:-500}" ;;
  esac
}

# evaluate FAMILY DIR [flags]: the held-out evaluation (eval.ts), against shapes-clip where the
# family is compared with it.
evaluate() {
  local family=$1 dir=$2
  shift 2
  case $family in
    siglip | llip) set -- --clip "$MODELS/shapes-clip" "$@" ;;
  esac
  "$TSX" training/eval.ts "$family" --model "$dir" "$@"
}

# The ShapesWorld data and golden inputs every full rebuild trains on (same generator, count and
# seed, so the models compare fairly), written only when missing, so a rebuild never rewrites
# data another forge may be reading.
shared_data() {
  [[ -f $DATA/meta.json ]] || "$TSX" training/write-dataset.ts --out "$DATA" --count "${COUNT:-150000}" --seed 1
  golden_inputs
}

golden_inputs() {
  mkdir -p "$DATA"
  [[ -f $DATA/golden-inputs.json ]] || "$TSX" training/write-golden-inputs.ts "$DATA/golden-inputs.json"
}

full() {
  local family=$1 out=$MODELS/shapes-$1
  shared_data
  # shellcheck disable=SC2046 # the budget is several words
  forge train "$family" --data "$DATA" $(budget "$family")
  forge export "$family" --out "$out" --golden-inputs "$DATA/golden-inputs.json"
  # shellcheck disable=SC2046 # one word per test file
  MODEL_DIR=$out parity $(parity_tests "$family")
  evaluate "$family" "$out" --write
  # shapes-clip ships 8-bit towers too.
  if [[ $family == clip ]]; then evaluate clip "$out" --dtype q8 --write; fi
  "$TSX" training/card.ts "$family" "$out"
  # The card is written from measured numbers before a quality bar is asserted, so it tells the truth
  # either way. The quality tests read the bundled models.
  if [[ -f tests/parity/$family.quality.test.ts && $MODELS == static/models ]]; then parity "tests/parity/$family.quality.test.ts"; fi
}

# smoke FAMILY WORK: the smoke dataset in WORK/data (written once), a smoke run whose losses are
# checked against the pinned ones, its export into WORK/shapes-FAMILY, the parity test on it.
smoke() {
  local family=$1 work=$2
  if [[ ! -f $work/data/golden-inputs.json ]]; then
    "$TSX" training/write-dataset.ts --out "$work/data" --count 2000 --seed 7
    "$TSX" training/write-golden-inputs.ts "$work/data/golden-inputs.json"
  fi
  forge train "$family" --data "$work/data" --smoke --checkpoint "$work/shapes-$family.pt"
  forge export "$family" --checkpoint "$work/shapes-$family.pt" --out "$work/shapes-$family" --golden-inputs "$work/data/golden-inputs.json"
  # shellcheck disable=SC2046 # one word per test file
  MODEL_DIR="$work/shapes-$family" parity $(parity_tests "$family")
}

usage() {
  sed -n '4,15p' "$0" >&2
  exit 2
}

case ${1:-} in
  data) shared_data ;;
  eval) [[ -n ${2:-} ]] || usage; family=$2; shift 2; evaluate "$family" "$MODELS/shapes-$family" "$@" ;;
  recover)
    [[ -n ${2:-} ]] || usage
    golden_inputs
    families=("$2")
    [[ $2 == all ]] && families=("${FAMILIES[@]}")
    for family in "${families[@]}"; do forge recover "$family" --model "$MODELS/shapes-$family" --golden-inputs "$DATA/golden-inputs.json"; done
    ;;
  all | clip | siglip | llip | coca | maskvlm | vq)
    families=("$1")
    [[ $1 == all ]] && families=("${FAMILIES[@]}")
    if [[ ${2:-} == --smoke ]]; then
      work=$(mktemp -d)
      trap 'rm -rf "$work"' EXIT
      for family in "${families[@]}"; do smoke "$family" "$work"; done
    else
      for family in "${families[@]}"; do full "$family"; done
    fi
    ;;
  *) usage ;;
esac

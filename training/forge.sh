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
# Families: clip siglip llip coca maskvlm smolvlm (with shapes-lm and both stages) vq cm3 (after vq). Budgets: MINUTES (clip vq cm3), MORE_MINUTES (cm3's second run), THIRD_MINUTES (cm3's third run), RETOKEN_MINUTES (cm3's fourth run), DECODER_MINUTES (vq's second run), JOINT_MINUTES and JOINT2_MINUTES (vq's third and fourth runs), STEPS (the others), THREADS
# (maskvlm), COUNT (data). Folders: DATA (training/data), MODELS (static/models), FORGE_CACHE
# (checkpoints; training/checkpoints).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-/usr/bin/python3}
export OPENBLAS_NUM_THREADS=1 PYTHONPATH=training${PYTHONPATH:+:$PYTHONPATH}
TSX=node_modules/.bin/tsx
DATA=${DATA:-training/data}
MODELS=${MODELS:-static/models}
FAMILIES=(clip siglip llip coca maskvlm)

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
    # shapes-vq and shapes-cm3 (which reads shapes-vq's checkpoint: vq first) train on a time budget with one
    # torch thread, the cosine decay spread over the minutes, as the bundled ones did; shapes-cm3's first run
    # is kept as shapes-cm3-first.pt and goes on in a second (cm3_further), a third (cm3_third) and a fourth on
    # the final tokenizer's codes (cm3_retoken); shapes-vq's first run (the whole tokenizer) is kept as
    # shapes-vq-first.pt, its decoder goes on alone in a second (vq_decoder), and the whole tokenizer in a
    # third and a fourth (vq_joint). shapes-cm3's first three runs read the second run's codes.
    vq) echo --steps 0 --minutes "${MINUTES:-24}" --threads 1 --checkpoint "${FORGE_CACHE:-training/checkpoints}/shapes-vq-first.pt" ;;
    cm3) echo --steps 0 --minutes "${MINUTES:-34}" --threads 1 --checkpoint "${FORGE_CACHE:-training/checkpoints}/shapes-cm3-first.pt" \
      --vq "${FORGE_CACHE:-training/checkpoints}/shapes-vq-second.pt" ;;
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

# shapes-cm3's second run goes on from the first's checkpoint for MORE_MINUTES (88): a fresh warm-up over
# 100 steps to a learning rate of 3e-3, the cosine decay spread over the minutes, seed 1, its checkpoint
# saved at every log entry (kept as shapes-cm3-second.pt).
cm3_further() {
  local cache=${FORGE_CACHE:-training/checkpoints}
  forge train cm3 --data "$DATA" --init "$cache/shapes-cm3-first.pt" --steps 0 --minutes "${MORE_MINUTES:-88}" --threads 1 \
    --lr 3e-3 --warmup 100 --batch 32 --log-every 250 --save-along --seed 1 --vq "$cache/shapes-vq-second.pt" \
    --checkpoint "$cache/shapes-cm3-second.pt"
}

# shapes-cm3's third run goes on from the second's checkpoint for THIRD_MINUTES (50), shapes-vq and its codes
# unchanged: a fresh warm-up over 100 steps to a lower rate, 1.2e-3, the cosine decay over the minutes, seed 3
# (the scenes in another order), the words of a caption written after an image weighted 2 in the loss
# (they are about a fifteenth of a batch's target tokens, the codes most of the rest; captions were 90.0% right
# after the second run, against a bar of 95%), its checkpoint saved at every log entry.
cm3_third() {
  local cache=${FORGE_CACHE:-training/checkpoints}
  forge train cm3 --data "$DATA" --init "$cache/shapes-cm3-second.pt" --steps 0 --minutes "${THIRD_MINUTES:-50}" --threads 1 \
    --lr 1.2e-3 --warmup 100 --batch 32 --log-every 250 --save-along --seed 3 --caption-weight 2 --vq "$cache/shapes-vq-second.pt" \
    --checkpoint "$cache/shapes-cm3-third.pt"
}

# shapes-cm3's fourth run goes on from the third's checkpoint on the codes of the final tokenizer (shapes-vq.pt,
# after vq_joint: the same 128 codes, moved with the encoder, so the scenes' codes changed) for RETOKEN_MINUTES (40)
# with two torch threads: a fresh warm-up over 100 steps to 1.5e-3, the cosine decay, seed 7, captions written
# after an image weighted 2, its checkpoint (the shipped model's) saved at every log entry.
cm3_retoken() {
  local cache=${FORGE_CACHE:-training/checkpoints}
  forge train cm3 --data "$DATA" --init "$cache/shapes-cm3-third.pt" --steps 0 --minutes "${RETOKEN_MINUTES:-40}" --threads 2 \
    --lr 1.5e-3 --warmup 100 --batch 32 --log-every 250 --save-along --seed 7 --caption-weight 2 --vq "$cache/shapes-vq.pt" \
    --checkpoint "$cache/shapes-cm3.pt"
}

# shapes-vq's second run trains its decoder alone for DECODER_MINUTES (15), the encoder and codebook frozen so
# every scene keeps its codes: first grown by 2 pointwise residual blocks at the grid and 2 at half size (new
# blocks start as the identity; 1 × 1, so a code still reaches three cells, as the Token lab's edit test checks),
# the reconstruction error weighted 1 + 4 on the shapes and 8 more on their edges,
# a warm-up over 100 steps to 2e-3, the cosine decay over the minutes, seed 2, saved at every log entry.
vq_decoder() {
  local cache=${FORGE_CACHE:-training/checkpoints}
  forge train vq --data "$DATA" --init "$cache/shapes-vq-first.pt" --grow-decoder 2 2 --decoder-only --edges 8 --steps 0 \
    --minutes "${DECODER_MINUTES:-15}" --threads 1 --lr 2e-3 --warmup 100 --batch 64 --log-every 250 --save-along --seed 2 \
    --checkpoint "$cache/shapes-vq-second.pt"
}

# shapes-vq's third and fourth runs train the whole tokenizer again, encoder, codebook and decoder: the first run's
# codes kept a small shape's kind too seldom (shapes-clip named the shape of 87.2% of its reconstructions, and 33
# of shapes-cm3's 33 wrong captions of 500 held-out scenes named the wrong shape; eval.ts vq and cm3). From the second run's
# checkpoint, the error on a shape's edge weighted 8 more, for JOINT_MINUTES (14), then from that run's
# checkpoint 16 more for JOINT2_MINUTES (12), both with two torch threads, a warm-up over 50 steps to 1e-3, the cosine decay, seeds 5 and 6.
vq_joint() {
  local cache=${FORGE_CACHE:-training/checkpoints}
  forge train vq --data "$DATA" --init "$cache/shapes-vq-second.pt" --edges 8 --steps 0 --minutes "${JOINT_MINUTES:-14}" --threads 2 \
    --lr 1e-3 --warmup 50 --batch 64 --log-every 250 --save-along --seed 5 --checkpoint "$cache/shapes-vq-third.pt"
  forge train vq --data "$DATA" --init "$cache/shapes-vq-third.pt" --edges 16 --steps 0 --minutes "${JOINT2_MINUTES:-12}" --threads 2 \
    --lr 1e-3 --warmup 50 --batch 64 --log-every 250 --save-along --seed 6 --checkpoint "$cache/shapes-vq.pt"
}

full() {
  [[ $1 == smolvlm ]] && { full_smolvlm; return; }
  local family=$1 out=$MODELS/shapes-$1
  shared_data
  # shellcheck disable=SC2046 # the budget is several words
  forge train "$family" --data "$DATA" $(budget "$family")
  if [[ $family == vq ]]; then vq_decoder; vq_joint; fi
  if [[ $family == cm3 ]]; then cm3_further; cm3_third; cm3_retoken; fi
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
  [[ $family == smolvlm ]] && { smoke_smolvlm "$work"; return; }
  if [[ ! -f $work/data/golden-inputs.json ]]; then
    "$TSX" training/write-dataset.ts --out "$work/data" --count 2000 --seed 7
    "$TSX" training/write-golden-inputs.ts "$work/data/golden-inputs.json"
  fi
  # shapes-cm3 reads the codes of the smoke run's own shapes-vq (trained first when missing).
  [[ $family == cm3 && ! -f $work/shapes-vq.pt ]] && smoke vq "$work"
  # shellcheck disable=SC2046 # --vq and its path are two words
  forge train "$family" --data "$work/data" --smoke --checkpoint "$work/shapes-$family.pt" $([[ $family == cm3 ]] && echo --vq "$work/shapes-vq.pt")
  forge export "$family" --checkpoint "$work/shapes-$family.pt" --out "$work/shapes-$family" --golden-inputs "$work/data/golden-inputs.json"
  # shellcheck disable=SC2046 # one word per test file
  MODEL_DIR="$work/shapes-$family" parity $(parity_tests "$family")
}

# shapes-smolvlm is built from two backbones: shapes-clip's vision tower (its checkpoint rebuilt from
# the bundled graphs by `forge recover clip`) and shapes-lm (pretrained here on ShapesWorld text),
# joined by a connector and trained in two stages, both shipped: $MODELS/shapes-smolvlm-stage1 and
# $MODELS/shapes-smolvlm. Its data are instructions (write-instructions.ts), not the shared captions.
# Budgets: IMAGES, MORE_IMAGES, LM_STEPS, STAGE1_STEPS, STAGE2_STEPS, STAGE2_MINUTES, STAGE2_MORE_MINUTES, STAGE2_THIRD_MINUTES,
# STAGE2_LAST_MINUTES. One torch
# thread: on a busy 2-core machine two threads made its steps several times slower.
instructions() { # DIR IMAGES SEED [more write-instructions.ts flags]
  [[ -f $1/meta.json ]] || "$TSX" training/write-instructions.ts --out "$1" --images "$2" --seed "$3" "${@:4}"
}

# Both stages' checkpoints rebuilt from their folders (shapes-clip's checkpoint first, whose projection, which
# no graph of the VLM holds, the recovered tower takes), checked against the goldens of the instruction set's inputs.
recover_smolvlm() {
  local data=${DATA:-training/data}/instruct cache=${FORGE_CACHE:-training/checkpoints} models=${MODELS:-static/models}
  instructions "$data" "${IMAGES:-6000}" 11
  clip_backbone "$cache/shapes-clip.pt" "${DATA:-training/data}/golden-inputs.json"
  forge recover smolvlm --model "$models/shapes-smolvlm-stage1" --checkpoint "$cache/shapes-smolvlm-stage1.pt" --golden-inputs "$data/golden-inputs.json"
  forge recover smolvlm --model "$models/shapes-smolvlm" --checkpoint "$cache/shapes-smolvlm.pt" --golden-inputs "$data/golden-inputs.json"
}

clip_backbone() { # CHECKPOINT GOLDEN_INPUTS
  [[ -f $1 ]] || forge recover clip --model "${MODELS:-static/models}/shapes-clip" --checkpoint "$1" --golden-inputs "$2"
}

full_smolvlm() {
  local data=${DATA:-training/data}/instruct more=${DATA:-training/data}/instruct-20k third=${DATA:-training/data}/instruct-20k-13
  local last=${DATA:-training/data}/instruct-20k-14
  local cache=${FORGE_CACHE:-training/checkpoints} models=${MODELS:-static/models}
  golden_inputs
  instructions "$data" "${IMAGES:-6000}" 11
  # Stage 2's last runs read more images (same grammar and vocabulary, other seeds; no text-only scenes, which
  # stage 2 never reads): over many epochs of 6,000 images the model would learn them by heart.
  instructions "$more" "${MORE_IMAGES:-20000}" 12 --text-scenes 0
  instructions "$third" "${MORE_IMAGES:-20000}" 13 --text-scenes 0
  # The last run's images ask 2 more position and 3 more relation questions each (another shape or pair).
  instructions "$last" "${MORE_IMAGES:-20000}" 14 --text-scenes 0 --extra position=2,relation=3
  clip_backbone "$cache/shapes-clip.pt" "${DATA:-training/data}/golden-inputs.json"
  forge train lm --data "$data" --threads 1 --steps "${LM_STEPS:-350}"
  forge train smolvlm --data "$data" --threads 1 --stage 1 --steps "${STAGE1_STEPS:-300}" --lr 3e-3 --warmup 30 --log-every 50 \
    --checkpoint "$cache/shapes-smolvlm-stage1.pt"
  forge train smolvlm --data "$data" --threads 1 --stage 2 --init "$cache/shapes-smolvlm-stage1.pt" --steps "${STAGE2_STEPS:-600}" \
    --batch 32 --lr 2e-3 --warmup 100 --log-every 250 --checkpoint "$cache/shapes-smolvlm-600.pt"
  # Stage 2 goes on from that checkpoint on a time budget (a fresh warm-up, the cosine decay spread over
  # the minutes), its checkpoint saved at every log entry.
  forge train smolvlm --data "$data" --threads 1 --stage 2 --init "$cache/shapes-smolvlm-600.pt" --steps 0 --minutes "${STAGE2_MINUTES:-38}" \
    --batch 32 --lr 2e-3 --warmup 50 --log-every 250 --save-along --checkpoint "$cache/shapes-smolvlm-token.pt"
  # Then on the larger set, every answer weighted alike (each conversation's answer tokens averaged, so a
  # one-word answer counts as much as a description) and position, existence, colour and shape answers more;
  # a step takes 8 images with every question about each, the image's part of the prompt decoded once (--pack).
  forge train smolvlm --data "$more" --threads 1 --stage 2 --init "$cache/shapes-smolvlm-token.pt" --steps 0 --minutes "${STAGE2_MORE_MINUTES:-55}" \
    --batch 8 --pack --lr 1.5e-3 --warmup 100 --log-every 500 --weighting answer --kind-weights position=2,exists=2,colour=1.5,shape=1.5 \
    --save-along --checkpoint "$cache/shapes-smolvlm-20k.pt"
  # Then on 20,000 other images (seed 13): the connector gains a learned vector per visual token place of a
  # frame (--position-embedding, zeros at first, so the run starts from the same model), a fresh warm-up to a
  # lower rate, existence and shape answers weighted more.
  forge train smolvlm --data "$third" --threads 1 --stage 2 --init "$cache/shapes-smolvlm-20k.pt" --steps 0 --minutes "${STAGE2_THIRD_MINUTES:-38}" \
    --batch 8 --pack --lr 1e-3 --warmup 100 --log-every 500 --weighting answer --kind-weights position=2,exists=3,colour=1.5,shape=2 \
    --position-embedding --save-along --checkpoint "$cache/shapes-smolvlm-13.pt"
  # Then on 20,000 more images (seed 14) with more position and relation questions about each (so a step's
  # questions about one image often name different shapes), a fresh warm-up, colour and existence weighted more.
  forge train smolvlm --data "$last" --threads 1 --stage 2 --init "$cache/shapes-smolvlm-13.pt" --steps 0 --minutes "${STAGE2_LAST_MINUTES:-45}" \
    --batch 8 --pack --lr 1e-3 --warmup 100 --log-every 500 --weighting answer --kind-weights position=1.5,relation=1,colour=2,exists=2,shape=1.5 \
    --position-embedding --save-along --checkpoint "$cache/shapes-smolvlm.pt"
  forge export smolvlm --checkpoint "$cache/shapes-smolvlm-stage1.pt" --out "$models/shapes-smolvlm-stage1" --golden-inputs "$data/golden-inputs.json"
  forge export smolvlm --out "$models/shapes-smolvlm" --golden-inputs "$data/golden-inputs.json"
  for out in "$models/shapes-smolvlm-stage1" "$models/shapes-smolvlm"; do MODEL_DIR=$out parity tests/parity/smolvlm.parity.test.ts; done
  "$TSX" training/eval.ts smolvlm --model "$models/shapes-smolvlm" --stage1 "$models/shapes-smolvlm-stage1" --count "${EVAL_COUNT:-40}" --write
  for out in "$models/shapes-smolvlm-stage1" "$models/shapes-smolvlm"; do "$TSX" training/card.ts smolvlm "$out"; done
}

# The smoke run of shapes-smolvlm in WORK: a small instruction set, shapes-lm's smoke run and stage 2's
# (both checked against their pinned losses) with a short stage 1 between, stage 2 exported, its parity test.
smoke_smolvlm() { # WORK
  local work=$1
  instructions "$work/instruct" 200 7
  [[ -f $work/golden-inputs.json ]] || "$TSX" training/write-golden-inputs.ts "$work/golden-inputs.json"
  # Not $work/shapes-clip.pt: with `all --smoke` that is the CLIP smoke run's checkpoint.
  clip_backbone "$work/recovered-shapes-clip.pt" "$work/golden-inputs.json"
  forge train lm --data "$work/instruct" --smoke --threads 1 --checkpoint "$work/shapes-lm.pt"
  forge train smolvlm --data "$work/instruct" --threads 1 --stage 1 --steps 4 --batch 8 --warmup 2 --log-every 4 \
    --vision "$work/recovered-shapes-clip.pt" --lm "$work/shapes-lm.pt" --checkpoint "$work/shapes-smolvlm-stage1.pt"
  forge train smolvlm --data "$work/instruct" --smoke --threads 1 --stage 2 --init "$work/shapes-smolvlm-stage1.pt" --checkpoint "$work/shapes-smolvlm.pt"
  forge export smolvlm --checkpoint "$work/shapes-smolvlm.pt" --out "$work/shapes-smolvlm" --golden-inputs "$work/instruct/golden-inputs.json"
  MODEL_DIR="$work/shapes-smolvlm" parity tests/parity/smolvlm.parity.test.ts
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
    # shapes-cm3's checkpoint names shapes-vq's (recovered first), whose decoder draws its goldens' pixels.
    [[ $2 == all ]] && families=("${FAMILIES[@]}" vq cm3)
    for family in "${families[@]}"; do
      if [[ $family == smolvlm ]]; then recover_smolvlm; else forge recover "$family" --model "$MODELS/shapes-$family" --golden-inputs "$DATA/golden-inputs.json"; fi
    done
    ;;
  all | clip | siglip | llip | coca | maskvlm | smolvlm | vq | cm3)
    families=("$1")
    # shapes-vq and shapes-cm3 (which reads shapes-vq's codes) come last.
    [[ $1 == all ]] && families=("${FAMILIES[@]}" smolvlm vq cm3)
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

"""The pinned smoke losses: a seeded smoke run (write-dataset.ts --count 2000 --seed 7, the
family's smoke settings) must give the loss at every step that families/<family>/smoke-losses.json
holds, so a change that alters training is noticed.

On the machine they were recorded on, a run reproduces them bit for bit. Another CPU may pick
other OpenBLAS kernels, whose sums round differently in the last bits, so the check allows a
relative difference of FORGE_LOSS_TOLERANCE (default 1e-4). Measured on the recording machine:
every initial weight nudged by one float32 ulp moved shapes-clip's 20 smoke losses by at most
1.2e-7 (relative); a 5% higher learning rate moved them by up to 8.3e-4, failing the check.
"""
import json
import os

TOLERANCE = float(os.environ.get("FORGE_LOSS_TOLERANCE", "1e-4"))
SMOKE_DATA = "node_modules/.bin/tsx training/write-dataset.ts --out DIR --count 2000 --seed 7"


def path(family):
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "families", family, "smoke-losses.json")


def pin(family, losses, settings, data=SMOKE_DATA):
    """data: how the smoke dataset is written, for the message when the check fails."""
    with open(path(family), "w") as f:
        json.dump({"data": data, "settings": settings, "losses": losses}, f, indent=1)
        f.write("\n")
    print(f"pinned {len(losses)} smoke losses in {path(family)}", flush=True)


def check(family, losses, tolerance=TOLERANCE):
    """Raises SystemExit when the losses differ from the pinned ones by more than `tolerance` (relative)."""
    record = json.load(open(path(family)))
    pinned = record["losses"]
    if len(losses) != len(pinned):
        raise SystemExit(f"SMOKE LOSSES CHANGED: {len(losses)} steps, {len(pinned)} pinned ({path(family)})")
    worst, at = max((abs(a - b) / abs(b), step) for step, (a, b) in enumerate(zip(losses, pinned), start=1))
    identical = sum(a == b for a, b in zip(losses, pinned))
    if identical == len(pinned):
        print(f"smoke losses: all {identical} steps bit-identical to the pinned ones", flush=True)
    else:
        print(f"smoke losses: {identical} of {len(pinned)} steps bit-identical to the pinned ones, largest relative "
              f"difference {worst:.3g} (step {at}; tolerance {tolerance:g})", flush=True)
    if worst > tolerance:
        raise SystemExit(f"SMOKE LOSSES CHANGED: step {at} gives {losses[at - 1]!r}, pinned {pinned[at - 1]!r} "
                         f"(relative difference {worst:.3g} > {tolerance:g}). If training was changed on purpose, "
                         f"re-pin with: train {family} --smoke --pin, on the smoke dataset ({record.get('data', SMOKE_DATA)}).")

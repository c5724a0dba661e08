"""Smoke check of the twins: run from the repository root with /usr/bin/python3 bench/peers/smoke.py

1. Each twin's encoder and decoder (and MAGE's tokenizer encoder) hold as many parameter tensors
   and values as the shipped model's weights manifests (public/models/<id>/*.json): the layer
   widths, kernels and token tables match ours.
2. twin.py runs every family x task at batches 4 and 6 in one process (1 warm-up, 2 timed steps)
   and prints a valid JSON line for each.
3. twin.py refuses an unknown family with a non-zero exit and a message on stderr.
Exits non-zero on any failure.
"""

import json
import math
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from families import FAMILIES  # noqa: E402

CARDS = {
    "conv-inpainting-ae": "public/models/mnist-inpaint-ae/card.json",
    "mae": "public/models/mnist-mae/card.json",
    "mage": "public/models/mnist-mage/card.json",
    "palette": "public/models/mnist-palette/card.json",
}
KEYS = {"family", "card", "task", "batchSize", "threads", "device", "steps", "msPerStep", "torch"}
failures = []


def manifest_size(path):
    with open(path) as f:
        specs = [w for group in json.load(f)["weightsManifest"] for w in group["weights"]]
    return len(specs), sum(math.prod(w["shape"]) for w in specs)


def module_size(module):
    parameters = list(module.parameters())
    return len(parameters), sum(p.numel() for p in parameters)


for family, card_path in CARDS.items():
    with open(card_path) as f:
        card = json.load(f)
    twin = FAMILIES[family](card)
    for part in ("encoder", "decoder"):
        ours = manifest_size(os.path.join(os.path.dirname(card_path), f"{part}.json"))
        theirs = module_size(getattr(twin, part))
        status = "ok" if ours == theirs else "MISMATCH"
        print(f"{family:19} {part:8} ours {ours[0]:3} tensors {ours[1]:7} values   twin {theirs[0]:3} tensors {theirs[1]:7} values  {status}")
        if ours != theirs:
            failures.append(f"{family} {part} parameters")
    if family == "mage":
        # The twin's tokenizer is the VQ encoder and codebook only (its decoder never runs in a step).
        with open(os.path.join(os.path.dirname(card_path), "tokenizer.json")) as f:
            specs = [w for group in json.load(f)["weightsManifest"] for w in group["weights"]]
        used = [w for w in specs if w["name"].startswith("enc") or w["name"] == "codebook"]
        ours = (len(used), sum(math.prod(w["shape"]) for w in used))
        tensors = list(twin.tokenizer.parameters()) + list(twin.tokenizer.buffers())
        theirs = (len(tensors), sum(t.numel() for t in tensors))
        status = "ok" if ours == theirs else "MISMATCH"
        print(f"{family:19} {'VQ enc':8} ours {ours[0]:3} tensors {ours[1]:7} values   twin {theirs[0]:3} tensors {theirs[1]:7} values  {status}")
        if ours != theirs:
            failures.append("mage tokenizer parameters")

for family, card_path in CARDS.items():
    # One process for both tasks and two batches: one JSON line each, in that order.
    command = [sys.executable, os.path.join(HERE, "twin.py"), "--card", card_path, "--task", "unlearn,pretrain", "--batch", "4,6", "--warmup", "1", "--steps", "2", "--threads", "1"]
    run = subprocess.run(command, capture_output=True, text=True)
    lines = run.stdout.strip().splitlines()
    expected = [(task, batch) for task in ("unlearn", "pretrain") for batch in (4, 6)]
    try:
        if run.returncode != 0 or len(lines) != len(expected):
            raise ValueError(f"exit {run.returncode}, {len(lines)} stdout lines; stderr: {run.stderr.strip()[-500:]}")
        for line, (task, batch) in zip(lines, expected):
            row = json.loads(line)
            if set(row) != KEYS or row["family"] != family or row["task"] != task or row["batchSize"] != batch or row["steps"] != 2 or row["device"] != "cpu":
                raise ValueError(f"unexpected row {row}")
            if not (isinstance(row["msPerStep"], (int, float)) and row["msPerStep"] > 0):
                raise ValueError(f"bad msPerStep {row['msPerStep']}")
            print(f"{family:19} {task:8} batch {batch} {row['msPerStep']:8.1f} ms/step  ok")
    except ValueError as error:
        print(f"{family:19} FAILED: {error}")
        failures.append(f"{family} run")

with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump({"id": "x", "family": "no-such-family", "height": 28, "width": 28, "channels": 1, "tasks": [{"kind": "centre-hole", "holeFraction": 0.5}]}, f)
try:
    run = subprocess.run([sys.executable, os.path.join(HERE, "twin.py"), "--card", f.name, "--task", "unlearn"], capture_output=True, text=True)
finally:
    os.unlink(f.name)
if run.returncode != 0 and "unknown model family" in run.stderr and not run.stdout.strip():
    print("unknown family refused  ok")
else:
    print(f"unknown family: exit {run.returncode}, stderr {run.stderr.strip()!r}  FAILED")
    failures.append("unknown family")

if failures:
    print("FAILED: " + "; ".join(failures))
    sys.exit(1)
print("all ok")

#!/usr/bin/env bash
# On a GPU machine, from what bench/gpu/pack.sh packed into .gpu/: runs the Node bench on tfjs's
# webgpu backend through Dawn, with PyTorch twins on the same GPU when python3 has CUDA torch.
#   [BENCH_TIMEOUT=300] bench/gpu/run.sh OUT_DIR [bench options, e.g. --families mnist-mae --batches 16,64]
# Other scripts run the same way: `source bench/gpu/env.sh && "$NODE" .gpu/dist/pretrain.mjs ...`.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: bench/gpu/run.sh OUT_DIR [bench options]}
shift
mkdir -p "$out"
source bench/gpu/env.sh > "$out/gpu.txt" || { cat "$out/gpu.txt"; exit 1; }
cat "$out/gpu.txt"
# BENCH_TIMEOUT (seconds) ends the bench in time on a leased machine; its JSON keeps every row so far.
timeout "${BENCH_TIMEOUT:-0}" "$NODE" .gpu/dist/bench.mjs --skip-browser --node-backends webgpu --batches 16,64,256 --peer torch \
  --json "$out/bench-gpu.json" "$@" 2>&1 | tee "$out/bench-gpu.log"

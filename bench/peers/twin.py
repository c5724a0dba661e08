"""PyTorch twin of a studio model's training step, timed on the CPU (or a CUDA GPU): the peer our
bench compares its tfjs ms/step with. Only speed matters: random weights, random images, the
card's first task.

  /usr/bin/python3 bench/peers/twin.py --card public/models/<id>/card.json --task unlearn|pretrain \
      [--batch 16] [--warmup 2] [--steps 10] [--threads 1] [--device cpu|cuda]

--task and --batch take comma lists (one process, one torch import: a GPU's start costs seconds).
Prints one JSON line per task and batch: family, card (its id), task, batchSize, threads, device,
steps, msPerStep, torch. See README.md next to this file for what each twin mirrors, and for the
BLAS torch runs on.
"""

import argparse
import json
import os
import sys
import time

# Running the twin must leave no __pycache__ in the repository.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--card", required=True, help="public/models/<id>/card.json")
    parser.add_argument("--task", required=True, type=comma_list(str), help="unlearn, pretrain or both: unlearn,pretrain")
    parser.add_argument("--batch", type=comma_list(int), default=[16], help="16 or a list: 16,64")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    parser.add_argument("--steps", type=int, default=10, help="timed steps")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (and the BLAS's own pool)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if min(args.batch) < 2 or args.steps < 1 or args.warmup < 0 or args.threads < 1:
        parser.error("need --batch >= 2, --steps >= 1, --warmup >= 0, --threads >= 1")
    unknown = set(args.task) - {"unlearn", "pretrain"}
    if unknown:
        parser.error(f"unknown --task {', '.join(sorted(unknown))}; tasks: unlearn, pretrain")
    return args


def comma_list(kind):
    return lambda text: [kind(item) for item in text.split(",")]


def blas_warning():
    """A note for stderr when torch runs on the reference (Netlib) BLAS: Debian's python3-torch
    links libblas.so.3, which is the reference one unless an optimised BLAS is installed, and
    there its matmuls are several times slower than any usual PyTorch install."""
    try:
        with open("/proc/self/maps") as f:
            mapped = {line.split()[-1] for line in f if "blas" in line}
    except OSError:
        return None
    reference = sorted(p for p in mapped if "/blas/libblas.so" in os.path.realpath(p))
    if reference and not any("openblas" in p or "mkl" in p or "blis" in p for p in mapped):
        return f"twin.py: note: torch runs on the reference BLAS ({reference[0]}); see bench/peers/README.md"
    return None


def main():
    args = parse_args()
    with open(args.card) as f:
        card = json.load(f)

    # torch.set_num_threads covers ATen and oneDNN (OpenMP); a BLAS with its own thread pool
    # (OpenBLAS, MKL) reads its variable when it loads, i.e. at `import torch`.
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)
    import torch

    from families import FAMILIES
    from steps import pretrain_step_fn, unlearn_step_fn

    family = card.get("family")
    if family not in FAMILIES:
        print(f"twin.py: unknown model family {family!r} in {args.card}; families: {', '.join(FAMILIES)}", file=sys.stderr)
        sys.exit(2)
    if not card.get("tasks"):
        print(f"twin.py: {args.card} names no task", file=sys.stderr)
        sys.exit(2)
    warning = blas_warning()
    if warning:
        print(warning, file=sys.stderr)

    if args.device == "cuda":
        if not torch.cuda.is_available():
            print("twin.py: --device cuda, but torch sees no CUDA GPU", file=sys.stderr)
            sys.exit(2)
        # Every tensor and module the twin makes lands on the GPU, as a CUDA user's code would put it.
        torch.set_default_device("cuda")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    twin = FAMILIES[family](card)
    task = card["tasks"][0]
    shape = (card["channels"], card["height"], card["width"])
    for task_name in args.task:
        for batch in args.batch:
            torch.manual_seed(args.seed)
            make_step = unlearn_step_fn if task_name == "unlearn" else pretrain_step_fn
            step = make_step(twin, task, shape, batch)
            for _ in range(args.warmup):
                step()
            # Each step ends reading its loss (a GPU sync), so the clock sees finished work.
            start = time.perf_counter()
            for _ in range(args.steps):
                step()
            ms_per_step = (time.perf_counter() - start) * 1000 / args.steps
            row = {
                "family": family,
                "card": card.get("id"),
                "task": task_name,
                "batchSize": batch,
                "threads": args.threads,
                "device": torch.cuda.get_device_name() if args.device == "cuda" else "cpu",
                "steps": args.steps,
                "msPerStep": round(ms_per_step, 3),
                "torch": torch.__version__,
            }
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()

"""What every twin shares: task masks, the optimiser, the noise images, a ViT block.

Each piece mirrors one file of the TypeScript studio (named in its docstring). Layout is
PyTorch's own NCHW; masks are [n, 1, H, W] with 1 where the task hides the pixel.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


# ------------------------------------------------------------------ task masks (src/core/tasks)


def js_round(x):
    """Math.round: halves go up (Python's round() goes to even, which differs at .5)."""
    return math.floor(x + 0.5)


def centred_square(fraction, side):
    """task.ts centredSquare: the centred square of side round(side * fraction)."""
    size = js_round(side * fraction)
    top = (side - size) // 2
    return top, size


def fixed_mask(task, height, width):
    """task.ts fixedMaskPixels as a [1, 1, H, W] tensor, or None for random patches."""
    kind = task["kind"]
    if kind == "random-patches":
        return None
    if kind not in ("centre-hole", "outpainting"):
        raise ValueError(f"unknown task kind {kind!r}")
    fraction = task["holeFraction"] if kind == "centre-hole" else task["keepFraction"]
    top, size = centred_square(fraction, min(height, width))
    inside = 1.0 if kind == "centre-hole" else 0.0
    mask = torch.full((1, 1, height, width), 1.0 - inside)
    mask[:, :, top : top + size, top : top + size] = inside
    return mask


def draw_mask(task, count, height, width):
    """masks.ts drawMask: fixed tasks tile one mask; random patches draw a layout per image
    with the same number of hidden patches in every image (round(ratio * patches), clamped)."""
    fixed = fixed_mask(task, height, width)
    if fixed is not None:
        return fixed.expand(count, 1, height, width)
    patch = task["patch"]
    rows, cols = -(-height // patch), -(-width // patch)
    patches = rows * cols
    hidden = min(patches - 1, max(1, js_round(task["ratio"] * patches)))
    # A random permutation per image; its first `hidden` patches are hidden.
    order = torch.rand(count, patches).argsort(dim=1)
    layout = torch.zeros(count, patches)
    layout.scatter_(1, order[:, :hidden], 1.0)
    grid = layout.view(count, 1, rows, cols)
    full = grid.repeat_interleave(patch, dim=2).repeat_interleave(patch, dim=3)
    return full[:, :, :height, :width].contiguous()


def masked_input(images, mask):
    """masks.ts maskedInput, the task transform T: hidden pixels zeroed, plus the mask as a channel."""
    return torch.cat([images * (1 - mask), mask], dim=1)


def pixel_loss(output, target, mask, hidden_weight):
    """losses.ts weightedPixelLoss: per-image MSE, hidden pixels weighted by hidden_weight; [n]."""
    weights = 1 + mask * (hidden_weight - 1)
    return ((output - target) ** 2 * weights).mean(dim=(1, 2, 3))


# ------------------------------------------------------------------ unlearning (src/core/unlearning)


def noise_images(batch, count):
    """noise.ts noiseImages ('normal', the default) for the first `count` images (the forget
    ones): N(0, 1) scaled by the whole batch's scalar std (population, as tf.moments) and shifted
    by its mean, clipped to [0, 1]. Ours draws noise for the whole batch and keeps the forget part."""
    mean = batch.mean()
    std = batch.std(unbiased=False)
    return (torch.randn((count,) + tuple(batch.shape[1:])) * std + mean).clamp_(0, 1)


def adamw(parameters, lr, beta2=0.95, weight_decay=0.05):
    """optimizer.ts AdamW: β = (0.9, beta2), eps 1e-8, decoupled decay on rank > 1 parameters only.
    torch's AdamW decays as p ← p − lr·wd·p, the same as ours."""
    parameters = list(parameters)
    groups = [
        {"params": [p for p in parameters if p.dim() > 1], "weight_decay": weight_decay},
        {"params": [p for p in parameters if p.dim() <= 1], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW([g for g in groups if g["params"]], lr=lr, betas=(0.9, beta2), eps=1e-8)


CLIP_NORM = 3.0
"""optimizer.ts DEFAULT_ADAMW.clipNorm: gradients clipped to a global L2 norm of 3."""


# ------------------------------------------------------------------ transformers (mae.ts, mage.ts)


class Attention(nn.Module):
    """Multi-head self-attention as mae.ts / mage.ts write it: one qkv dense, scaled dot product,
    softmax, one output dense. `key_bias` [n, 1, 1, t] is added to the scores (MAGE's
    -1e9 on keys that must not be seen). torch 1.13 has no scaled_dot_product_attention, so this
    is the usual hand-written (timm-style) form."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, key_bias=None):
        n, t, d = x.shape
        qkv = self.qkv(x).view(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        scores = (q @ k.transpose(-2, -1)) * self.scale
        if key_bias is not None:
            scores = scores + key_bias
        mixed = scores.softmax(dim=-1) @ v
        return self.proj(mixed.transpose(1, 2).reshape(n, t, d))


class Block(nn.Module):
    """A pre-LN ViT block (LayerNorm eps 1e-6), MLP of dim·mlp_ratio hidden units.

    Ours uses GELU's sigmoid form x·σ(1.702x) because tfjs has no gelu op; torch's GELU is the same
    function to ~0.02 and one kernel, which is what a PyTorch user would write."""

    def __init__(self, dim, heads, mlp_ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = nn.Linear(dim, dim * mlp_ratio)
        self.fc2 = nn.Linear(dim * mlp_ratio, dim)

    def forward(self, x, key_bias=None):
        x = x + self.attn(self.norm1(x), key_bias)
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


def sin_cos_positions(rows, cols, dim):
    """mae.ts sinCosPositions: fixed 2-D sin-cos embeddings, [rows·cols, dim]."""
    quarter = dim // 4
    omega = 1.0 / 10000 ** (torch.arange(quarter, dtype=torch.float32) / quarter)
    r = torch.arange(rows, dtype=torch.float32).repeat_interleave(cols)[:, None] * omega
    c = torch.arange(cols, dtype=torch.float32).repeat(rows)[:, None] * omega
    return torch.cat([r.sin(), r.cos(), c.sin(), c.cos()], dim=1)


# ------------------------------------------------------------------ the family interface


class TwinFamily:
    """What twin.py needs from a family. `prepare` turns images and their mask into the encoder's
    input (with the family's own random draws, made once so that student and teacher see the same);
    inputs are dicts of tensors batched on dim 0, so two can be concatenated with `cat_inputs`.
    Keys starting with "_" are side data (loss targets, what forget_target_input needs): the
    encoder never reads them, so they are not concatenated."""

    #: Whether the unlearning step's forget target uses the pixel-space noise images
    #: (Palette's forget target draws its own noise instead).
    uses_noise_images = True

    encoder: nn.Module
    decoder: nn.Module

    def prepare(self, images, mask):
        raise NotImplementedError

    def forget_target_input(self, forget_images, forget_mask, forget_input, noise):
        """The teacher's input for the forget target E_θ0(T(n)): by default the noise images under
        the forget batch's masks (types.ts forgetTarget)."""
        return self.prepare(noise, forget_mask)

    def encode(self, encoder, inputs):
        """The encoder outputs the objective compares, as a list."""
        raise NotImplementedError

    def task_loss(self, inputs):
        """The family's L_task averaged over the batch, through encoder and decoder."""
        raise NotImplementedError


def cat_inputs(a, b):
    """Two prepared inputs as one batch (a first), for one encoder pass over both."""
    return {key: torch.cat([a[key], b[key]], dim=0) for key in a if not key.startswith("_")}

"""Twin of src/core/models/palette.ts: a Palette-style inpainting diffusion U-Net split into
encoder (the timestep MLP, stem, down blocks, middle block) and decoder (up blocks, output layers),
which adds the encoder's timestep embedding: one embedding, as the official U-Net's `cond_embed`."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .common import TwinFamily

GROUPS = 8


def cosine_gammas(timesteps):
    """palette.ts cosineGammas: ᾱ_t of the cosine schedule, β capped at 0.999."""
    s = 0.008
    f = lambda t: math.cos(((t / timesteps + s) / (1 + s)) * (math.pi / 2)) ** 2
    gammas, product = [], 1.0
    for t in range(timesteps):
        product *= 1 - min(1 - f(t + 1) / f(t), 0.999)
        gammas.append(product)
    return torch.tensor(gammas, dtype=torch.float32)


class TimeEmbedding(nn.Module):
    """Sinusoidal embedding of the timestep (cos half, sin half), a two-layer MLP, SiLU after each
    layer (the ResBlocks take it as is). The encoder's, shared with the decoder, as in ours."""

    def __init__(self, base):
        super().__init__()
        self.base = base
        self.fc1 = nn.Linear(base, 4 * base)
        self.fc2 = nn.Linear(4 * base, 4 * base)

    def forward(self, t):
        half = self.base // 2
        freqs = torch.exp(-math.log(10_000) * torch.arange(half, dtype=torch.float32) / half)
        args = t.float()[:, None] * freqs
        x = torch.cat([args.cos(), args.sin()], dim=1)
        return F.silu(self.fc2(F.silu(self.fc1(x))))


class ResBlock(nn.Module):
    """GN → SiLU → 3x3 conv, plus a dense of the time embedding; GN → SiLU → 3x3 conv (zero-init in
    ours, which does not change the cost); a 1x1 skip conv when the width changes."""

    def __init__(self, cin, cout, embed):
        super().__init__()
        self.norm1 = nn.GroupNorm(GROUPS, cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.emb = nn.Linear(embed, cout)
        self.norm2 = nn.GroupNorm(GROUPS, cout, eps=1e-5)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb(emb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


def stem_kernel(patch):
    """The stem folds patch x patch pixel blocks into one feature vector (a 3x3 conv when patch is 1)."""
    return 3 if patch == 1 else patch


class PaletteEncoder(nn.Module):
    """Returns every down-block output (stem, each ResBlock, each downsampling conv) plus the middle
    block, the U-Net's skips and its bottom (the official `return_feat`), and the timestep embedding
    the decoder adds too."""

    def __init__(self, channels, patch, widths, res_blocks):
        super().__init__()
        embed = 4 * widths[0]
        self.temb = TimeEmbedding(widths[0])
        k = stem_kernel(patch)
        self.stem = nn.Conv2d(2 * channels + 1, widths[0], k, stride=patch, padding=(k - 1) // 2 if patch == 1 else 0)
        self.levels = nn.ModuleList()
        ch = widths[0]
        for level, w in enumerate(widths):
            blocks = nn.ModuleList()
            for _ in range(res_blocks):
                blocks.append(ResBlock(ch, w, embed))
                ch = w
            pool = nn.Conv2d(ch, ch, 3, stride=2, padding=1) if level < len(widths) - 1 else None
            self.levels.append(nn.ModuleDict({"res": blocks, **({"pool": pool} if pool is not None else {})}))
        self.mid = ResBlock(ch, ch, embed)

    def forward(self, x, t):
        emb = self.temb(t)
        h = self.stem(x)
        outputs = [h]
        for level in self.levels:
            for block in level["res"]:
                h = block(h, emb)
                outputs.append(h)
            if "pool" in level:
                h = level["pool"](h)
                outputs.append(h)
        outputs.append(self.mid(h, emb))
        return outputs, emb


def encoder_output_channels(widths, res_blocks):
    """palette.ts encoderOutputChannels."""
    out = [widths[0]]
    for level, w in enumerate(widths):
        out += [w] * res_blocks
        if level < len(widths) - 1:
            out.append(w)
    return out + [widths[-1]]


class PaletteDecoder(nn.Module):
    """Up path: per level, resBlocks + 1 ResBlocks each on [h, next skip] concatenated, then
    (but on the first level) nearest 2x upsampling and a 3x3 conv; GN → SiLU → a transposed conv
    that unfolds the stem's patches back to pixels: the predicted noise ε̂."""

    def __init__(self, channels, patch, widths, res_blocks):
        super().__init__()
        embed = 4 * widths[0]
        skips = encoder_output_channels(widths, res_blocks)[:-1]
        self.levels = nn.ModuleList()
        ch = widths[-1]
        for level in range(len(widths) - 1, -1, -1):
            blocks = nn.ModuleList()
            for _ in range(res_blocks + 1):
                blocks.append(ResBlock(ch + skips.pop(), widths[level], embed))
                ch = widths[level]
            up = nn.Conv2d(ch, ch, 3, padding=1) if level > 0 else None
            self.levels.append(nn.ModuleDict({"res": blocks, **({"up": up} if up is not None else {})}))
        self.out_norm = nn.GroupNorm(GROUPS, ch, eps=1e-5)
        k = stem_kernel(patch)
        if patch == 1:
            self.out_conv = nn.ConvTranspose2d(ch, channels, k, padding=1)
        else:
            self.out_conv = nn.ConvTranspose2d(ch, channels, k, stride=patch)

    def forward(self, features, emb):
        skips = list(features[:-1])
        h = features[-1]
        for level in self.levels:
            for block in level["res"]:
                h = block(torch.cat([h, skips.pop()], dim=1), emb)
            if "up" in level:
                h = level["up"](F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.out_conv(F.silu(self.out_norm(h)))


def paste(inside, outside, mask):
    return inside * mask + outside * (1 - mask)


class PaletteTwin(TwinFamily):
    # The forget target is the teacher at the forget batch's draws with x_t = ε inside the mask
    # (the official code's), not the pixel-space noise images: ours draws those anyway and drops
    # them, a twin has no reason to.
    uses_noise_images = False

    def __init__(self, card):
        a = card["architecture"]
        channels, patch, widths, res_blocks = card["channels"], a["patch"], list(a["widths"]), a["resBlocks"]
        self.timesteps = a["timesteps"]
        self.gammas = cosine_gammas(self.timesteps)
        self.encoder = PaletteEncoder(channels, patch, widths, res_blocks)
        self.decoder = PaletteDecoder(channels, patch, widths, res_blocks)

    def prepare(self, images, mask):
        """palette.ts noised + networkInput: y_0 in [-1, 1], per-image t, ε and the cond noise drawn
        once per batch; input [y_cond, x_t pasted over the visible pixels, mask]."""
        n = images.shape[0]
        y0 = images * 2 - 1
        t = torch.randint(0, self.timesteps, (n,))
        eps = torch.randn_like(y0)
        cond = torch.randn_like(y0)
        gamma = self.gammas[t].view(n, 1, 1, 1)
        xt = gamma.sqrt() * y0 + (1 - gamma).sqrt() * eps
        network_input = torch.cat([paste(cond, y0, mask), paste(xt, y0, mask), mask], dim=1)
        return {"input": network_input, "t": t, "_eps": eps, "_mask": mask, "_y0": y0, "_cond": cond}

    def forget_target_input(self, forget_images, forget_mask, forget_input, noise):
        y0, cond, eps, mask = forget_input["_y0"], forget_input["_cond"], forget_input["_eps"], forget_input["_mask"]
        network_input = torch.cat([paste(cond, y0, mask), paste(eps, y0, mask), mask], dim=1)
        return {"input": network_input, "t": forget_input["t"]}

    def encode(self, encoder, inputs):
        """The compared outputs (the unlearning losses do not compare the embedding)."""
        return encoder(inputs["input"], inputs["t"])[0]

    def task_loss(self, inputs):
        """MSE between ε̂ and ε over the hidden pixels only, per image over its hidden pixel count."""
        eps_hat = self.decoder(*self.encoder(inputs["input"], inputs["t"]))
        mask = inputs["_mask"]
        squared = ((eps_hat - inputs["_eps"]) ** 2 * mask).sum(dim=(1, 2, 3))
        hidden = (mask.sum(dim=(1, 2, 3)) * eps_hat.shape[1]).clamp(min=1)
        return (squared / hidden).mean()

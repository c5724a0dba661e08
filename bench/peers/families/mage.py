"""Twin of src/core/models/mage.ts with its frozen VQ tokenizer (vq-tokenizer.ts)."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .common import Block, TwinFamily


class VqTokenizerEncoder(nn.Module):
    """vq-tokenizer.ts tokenize: 3x3 stride-2 ReLU convs per width, a 1x1 conv to codeDim, then
    the nearest code of the codebook per position. Frozen: only ever run under no_grad. (The VQ
    decoder is used by reconstruct only, never in a training step, so the twin has none.)"""

    def __init__(self, channels, widths, code_dim, codebook_size):
        super().__init__()
        layers, previous = [], channels
        for w in widths:
            layers += [nn.Conv2d(previous, w, 3, stride=2, padding=1), nn.ReLU()]
            previous = w
        layers.append(nn.Conv2d(previous, code_dim, 1))
        self.net = nn.Sequential(*layers)
        self.register_buffer("codebook", torch.randn(codebook_size, code_dim))

    def forward(self, images):
        z = self.net(images)
        n = z.shape[0]
        flat = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])  # raster order, as NHWC
        # ||z||² − 2 z·e + ||e||², as codeDistances does.
        distances = flat.pow(2).sum(1, keepdim=True) - 2 * flat @ self.codebook.t() + self.codebook.pow(2).sum(1)
        return distances.argmin(dim=1).view(n, -1)


class MageEncoder(nn.Module):
    """Token embedding (codes and the mask id), a class token, learned positions, an embedding
    LayerNorm, blocks in which hidden tokens are masked out of attention (-1e9 on their keys), a
    final LayerNorm; hidden positions are zeroed in the output. Runs over all L + 1 positions,
    as ours does (the mask makes that the same as dropping them)."""

    def __init__(self, codebook_size, tokens, dim, depth, heads, mlp_ratio):
        super().__init__()
        self.mask_id = codebook_size
        self.token_emb = nn.Embedding(codebook_size + 1, dim)
        self.cls = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.pos_emb = nn.Parameter(torch.randn(1, tokens + 1, dim) * 0.02)
        self.emb_norm = nn.LayerNorm(dim, eps=1e-6)
        self.blocks = nn.ModuleList(Block(dim, heads, mlp_ratio) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, codes, keep):
        n = codes.shape[0]
        ids = torch.where(keep > 0, codes, torch.full_like(codes, self.mask_id))
        x = torch.cat([self.cls.expand(n, -1, -1), self.token_emb(ids)], dim=1) + self.pos_emb
        x = self.emb_norm(x)
        seen = torch.cat([keep.new_ones(n, 1), keep], dim=1)
        key_bias = ((1 - seen) * -1e9)[:, None, None, :]
        for block in self.blocks:
            x = block(x, key_bias)
        return self.norm(x) * seen[:, :, None]


class MageDecoder(nn.Module):
    """Dense from encoderDim, hidden positions filled with the class token's embedding (MAGE's
    pad_with_cls_token), learned positions, blocks, LayerNorm, code logits for the L tokens."""

    def __init__(self, encoder_dim, codebook_size, tokens, dim, depth, heads, mlp_ratio):
        super().__init__()
        self.embed = nn.Linear(encoder_dim, dim)
        self.pos_emb = nn.Parameter(torch.randn(1, tokens + 1, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads, mlp_ratio) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.logits = nn.Linear(dim, codebook_size)

    def forward(self, latent, keep):
        n = latent.shape[0]
        x0 = self.embed(latent)
        seen = torch.cat([keep.new_ones(n, 1), keep], dim=1)[:, :, None]
        x = x0 * seen + x0[:, :1] * (1 - seen) + self.pos_emb
        for block in self.blocks:
            x = block(x)
        return self.logits(self.norm(x)[:, 1:])


class MageTwin(TwinFamily):
    def __init__(self, card):
        a = card["architecture"]
        widths = list(a["vqWidths"])
        self.factor = 2 ** len(widths)
        self.rows, self.cols = -(-card["height"] // self.factor), -(-card["width"] // self.factor)
        tokens = self.rows * self.cols
        k = a["codebookSize"]
        self.label_smoothing = a["labelSmoothing"]
        self.tokenizer = VqTokenizerEncoder(card["channels"], widths, a["codeDim"], k).requires_grad_(False).eval()
        self.encoder = MageEncoder(k, tokens, a["encoderDim"], a["encoderDepth"], a["heads"], a["mlpRatio"])
        self.decoder = MageDecoder(a["encoderDim"], k, tokens, a["decoderDim"], a["decoderDepth"], a["heads"], a["mlpRatio"])

    def training_keep(self, mask):
        """mage.ts trainingKeep: a token is hidden when any of its pixels is; a share of the hidden
        ones, 1 − cos(π/2·u) with u ~ U[0, 1] per image, is revealed (MaskGIT training states).
        Returns keep (1 = seen) and target (1 = still hidden: where the loss is taken)."""
        n = mask.shape[0]
        # tfjs maxPool 'same' pads at the end; ceil_mode does the same for sides not divisible.
        hidden = F.max_pool2d(mask, self.factor, ceil_mode=True).view(n, -1)
        reveal_probability = 1 - torch.cos(torch.rand(n, 1) * (math.pi / 2))
        revealed = hidden * (torch.rand_like(hidden) < reveal_probability).float()
        target = hidden - revealed
        return 1 - target, target

    def codes(self, images):
        with torch.no_grad():
            return self.tokenizer(images)

    def prepare(self, images, mask):
        keep, target = self.training_keep(mask)
        return {"codes": self.codes(images), "keep": keep, "_target": target}

    def forget_target_input(self, forget_images, forget_mask, forget_input, noise):
        # The noise images' codes under the forget batch's token masks (same draws).
        return {"codes": self.codes(noise), "keep": forget_input["keep"]}

    def encode(self, encoder, inputs):
        return [encoder(inputs["codes"], inputs["keep"])]

    def task_loss(self, inputs):
        """Label-smoothed cross-entropy on the tokens still hidden, averaged per image, then over the
        batch. torch's label_smoothing is (1 − ε)·nll + ε·mean(−log p), the same form as ours."""
        codes, keep, target = inputs["codes"], inputs["keep"], inputs["_target"]
        logits = self.decoder(self.encoder(codes, keep), keep)
        per_token = F.cross_entropy(logits.transpose(1, 2), codes, reduction="none", label_smoothing=self.label_smoothing)
        return ((per_token * target).sum(1) / target.sum(1).clamp(min=1)).mean()

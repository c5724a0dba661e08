"""Twin of src/core/models/mae.ts: a small ViT masked autoencoder that encodes visible tokens only."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .common import Block, TwinFamily, masked_input, pixel_loss, sin_cos_positions
from .conv_ae import HOLE_WEIGHT


class MaeEncoder(nn.Module):
    """Patch embedding (a dense layer over each patch's pixels and mask) + fixed sin-cos
    positions, `depth` pre-LN blocks over the visible tokens, a final LayerNorm."""

    def __init__(self, input_values, rows, cols, dim, depth, heads, mlp_ratio):
        super().__init__()
        self.patch = nn.Linear(input_values, dim)
        self.register_buffer("positions", sin_cos_positions(rows, cols, dim))
        self.blocks = nn.ModuleList(Block(dim, heads, mlp_ratio) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, visible_patches, visible_index):
        x = self.patch(visible_patches) + self.positions[visible_index]
        for block in self.blocks:
            x = block(x)
        return self.norm(x)


class MaeDecoder(nn.Module):
    """Visible embeddings (projected to decoderDim) back to their places, a learned mask token at
    the hidden ones, fixed positions, `decoderDepth` blocks, LayerNorm, sigmoid patch pixels."""

    def __init__(self, dim, patch_values, rows, cols, decoder_dim, depth, heads, mlp_ratio):
        super().__init__()
        self.embed = nn.Linear(dim, decoder_dim)
        self.mask_token = nn.Parameter(torch.randn(decoder_dim) * 0.02)
        self.register_buffer("positions", sin_cos_positions(rows, cols, decoder_dim))
        self.blocks = nn.ModuleList(Block(decoder_dim, heads, mlp_ratio) for _ in range(depth))
        self.norm = nn.LayerNorm(decoder_dim, eps=1e-6)
        self.pred = nn.Linear(decoder_dim, patch_values)

    def forward(self, latent, visible_index, hidden):
        n, tokens = hidden.shape
        embedded = self.embed(latent)
        index = visible_index[:, :, None].expand(-1, -1, embedded.shape[2])
        placed = embedded.new_zeros(n, tokens, embedded.shape[2]).scatter(1, index, embedded)
        x = placed + hidden[:, :, None] * self.mask_token + self.positions
        for block in self.blocks:
            x = block(x)
        return torch.sigmoid(self.pred(self.norm(x)))


class MaeTwin(TwinFamily):
    def __init__(self, card):
        a = card["architecture"]
        self.height, self.width, self.channels = card["height"], card["width"], card["channels"]
        self.patch = a["patch"]
        self.rows, self.cols = self.height // self.patch, self.width // self.patch
        self.encoder = MaeEncoder(self.patch**2 * (self.channels + 1), self.rows, self.cols, a["dim"], a["depth"], a["heads"], a["mlpRatio"])
        self.decoder = MaeDecoder(
            a["dim"], self.patch**2 * self.channels, self.rows, self.cols, a["decoderDim"], a["decoderDepth"], a["decoderHeads"], a["mlpRatio"]
        )

    def patchify(self, x):
        """[n, c, H, W] -> [n, tokens, c·patch²], tokens in raster order."""
        return F.unfold(x, self.patch, stride=self.patch).transpose(1, 2)

    def unpatchify(self, patches):
        return F.fold(patches.transpose(1, 2), (self.height, self.width), self.patch, stride=self.patch)

    def prepare(self, images, mask):
        """mae.ts tokenLayout: a token is hidden when *all* its pixels are; the encoder gets the
        visible tokens in raster order (every image of a batch keeps the same count)."""
        n = images.shape[0]
        hidden = (-F.max_pool2d(-mask, self.patch)).view(n, -1)
        visible = hidden == 0
        counts = visible.sum(dim=1)
        if not bool((counts == counts[0]).all()):
            raise ValueError("MAE: every image of a batch must leave the same number of tokens visible")
        # nonzero lists (image, token) pairs row-major: each image's visible tokens in raster order.
        visible_index = visible.nonzero()[:, 1].view(n, int(counts[0]))
        patches = self.patchify(masked_input(images, mask))
        visible_patches = patches.gather(1, visible_index[:, :, None].expand(-1, -1, patches.shape[2]))
        return {"patches": visible_patches, "index": visible_index, "_hidden": hidden, "_images": images, "_mask": mask}

    def encode(self, encoder, inputs):
        return [encoder(inputs["patches"], inputs["index"])]

    def task_loss(self, inputs):
        latent = self.encoder(inputs["patches"], inputs["index"])
        output = self.unpatchify(self.decoder(latent, inputs["index"], inputs["_hidden"]))
        return pixel_loss(output, inputs["_images"], inputs["_mask"], HOLE_WEIGHT).mean()

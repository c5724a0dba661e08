"""Twin of src/core/models/conv-inpainting-ae.ts (and layers.ts stridedConvStack)."""

import torch.nn as nn

from .common import TwinFamily, masked_input, pixel_loss

HOLE_WEIGHT = 4
"""pretrain.ts DEFAULT_PRETRAIN.holeWeight: hidden pixels weigh 4x in the pixel loss."""


def build_encoder(channels, height, width, widths, projection, latent):
    """3x3 ReLU convs (the first at stride 1, each later one halving the resolution), a 1x1 ReLU
    projection, then a dense bottleneck over the whole flattened feature map (no activation).
    tfjs 'same' at stride 2 pads (0, 1), torch padding=1 pads (1, 1): same shapes and cost."""
    layers = []
    previous = channels + 1  # the image and its mask (maskedInput)
    for i, filters in enumerate(widths):
        layers += [nn.Conv2d(previous, filters, 3, stride=1 if i == 0 else 2, padding=1), nn.ReLU()]
        previous = filters
    layers += [nn.Conv2d(previous, projection, 1), nn.ReLU(), nn.Flatten()]
    downsamples = len(widths) - 1
    grid = (height // 2**downsamples) * (width // 2**downsamples)
    layers.append(nn.Linear(grid * projection, latent))
    return nn.Sequential(*layers)


def build_decoder(channels, height, width, widths, projection, latent):
    """Dense (ReLU) back to the coarsest grid, 3x3 stride-2 transposed ReLU convs up through the
    widths (reversed, last one dropped), then a 3x3 sigmoid conv to the image."""
    downsamples = len(widths) - 1
    grid_h, grid_w = height // 2**downsamples, width // 2**downsamples
    layers = [nn.Linear(latent, grid_h * grid_w * projection), nn.ReLU(), nn.Unflatten(1, (projection, grid_h, grid_w))]
    previous = projection
    for filters in reversed(widths[:-1]):
        # output_padding=1 doubles the side exactly, as tfjs conv2dTranspose 'same' at stride 2 does.
        layers += [nn.ConvTranspose2d(previous, filters, 3, stride=2, padding=1, output_padding=1), nn.ReLU()]
        previous = filters
    layers += [nn.Conv2d(previous, channels, 3, padding=1), nn.Sigmoid()]
    return nn.Sequential(*layers)


class ConvInpaintingTwin(TwinFamily):
    def __init__(self, card):
        a = card["architecture"]
        shape = (card["channels"], card["height"], card["width"], list(a["widths"]), a["projection"], a["latent"])
        self.encoder = build_encoder(*shape)
        self.decoder = build_decoder(*shape)

    def prepare(self, images, mask):
        return {"input": masked_input(images, mask), "_images": images, "_mask": mask}

    def encode(self, encoder, inputs):
        return [encoder(inputs["input"])]

    def task_loss(self, inputs):
        output = self.decoder(self.encoder(inputs["input"]))
        return pixel_loss(output, inputs["_images"], inputs["_mask"], HOLE_WEIGHT).mean()

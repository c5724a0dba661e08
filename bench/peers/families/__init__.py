"""The PyTorch twins of the studio's model families, by the card's `family`."""

from .conv_ae import ConvInpaintingTwin
from .mae import MaeTwin
from .mage import MageTwin
from .palette import PaletteTwin

FAMILIES = {
    "conv-inpainting-ae": ConvInpaintingTwin,
    "mae": MaeTwin,
    "mage": MageTwin,
    "palette": PaletteTwin,
}

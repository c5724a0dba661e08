import { useEffect, useRef } from 'react';
import type { ImageStack } from '../shared/protocol';

/** A square region in image pixels, outlined over the canvas. */
export interface PixelBox {
  top: number;
  left: number;
  size: number;
}

/** One NHWC image of the stack (values in [0, 1], 1 or 3 channels) as RGBA. */
export function toImageData(stack: ImageStack, index: number): ImageData {
  const { width, height, channels, pixels } = stack;
  const image = new ImageData(width, height);
  const offset = index * width * height * channels;
  for (let p = 0; p < width * height; p++) {
    const source = offset + p * channels;
    for (let rgb = 0; rgb < 3; rgb++) {
      const value = pixels[source + (channels === 1 ? 0 : rgb)];
      image.data[p * 4 + rgb] = Math.round(Math.min(1, Math.max(0, value)) * 255);
    }
    image.data[p * 4 + 3] = 255;
  }
  return image;
}

interface ImageCanvasProps {
  stack: ImageStack;
  index: number;
  /** CSS width in px; the canvas keeps the image's resolution and is scaled up without smoothing. */
  displayWidth: number;
  outline?: PixelBox;
  testId?: string;
  label: string;
}

export function ImageCanvas({ stack, index, displayWidth, outline, testId, label }: ImageCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    canvasRef.current?.getContext('2d')?.putImageData(toImageData(stack, index), 0, 0);
  }, [stack, index]);

  // The outline is an overlay, not drawn pixels, so it stays a crisp line at any scale.
  const percent = (px: number, of: number) => `${(px / of) * 100}%`;
  return (
    <span className="image" style={{ width: displayWidth, height: (displayWidth * stack.height) / stack.width }}>
      <canvas ref={canvasRef} width={stack.width} height={stack.height} data-testid={testId} role="img" aria-label={label} />
      {outline && (
        <span
          className="hole-outline"
          style={{
            top: percent(outline.top, stack.height),
            left: percent(outline.left, stack.width),
            width: percent(outline.size, stack.width),
            height: percent(outline.size, stack.height),
          }}
        />
      )}
    </span>
  );
}

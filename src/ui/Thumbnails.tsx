import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef, useState } from 'react';
import type { ImageFormat } from '../shared/decode-protocol';
import type { OwnImage } from '../state/own-sets-store';

const CELL = 48;
const THUMB = 44;

/** HWC bytes (1 or 3 channels) as RGBA. */
function toImageData(pixels: Uint8Array, format: ImageFormat): ImageData {
  const { width, height, channels } = format;
  const image = new ImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    for (let rgb = 0; rgb < 3; rgb++) image.data[p * 4 + rgb] = pixels[p * channels + (channels === 1 ? 0 : rgb)];
    image.data[p * 4 + 3] = 255;
  }
  return image;
}

const Thumb = memo(function Thumb({ image, format, testId }: { image: OwnImage; format: ImageFormat; testId: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    // An image restored from an older format would not fit the canvas: draw only what matches.
    if (image.pixels.length === format.width * format.height * format.channels) ref.current?.getContext('2d')?.putImageData(toImageData(image.pixels, format), 0, 0);
  }, [image, format]);
  return <canvas ref={ref} width={format.width} height={format.height} style={{ width: THUMB, height: THUMB }} title={image.name} data-testid={testId} />;
});

/** Only the rows in view are rendered, so thousands of images scroll smoothly. */
export function Thumbnails({ images, format, set }: { images: OwnImage[]; format: ImageFormat; set: string }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [columns, setColumns] = useState(6);
  useEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setColumns(Math.max(1, Math.floor(element.clientWidth / CELL))));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const rows = Math.ceil(images.length / columns);
  const virtualizer = useVirtualizer({ count: rows, getScrollElement: () => scrollRef.current, estimateSize: () => CELL, overscan: 3 });

  return (
    <div ref={scrollRef} className="thumbs" data-testid={`thumbs-${set}`} data-count={images.length}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => (
          <div key={row.key} className="thumb-row" style={{ transform: `translateY(${row.start}px)`, height: CELL }}>
            {images.slice(row.index * columns, (row.index + 1) * columns).map((image, i) => (
              <Thumb key={image.hash} image={image} format={format} testId={`thumb-${set}-${row.index * columns + i}`} />
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}

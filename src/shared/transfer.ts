/**
 * Every buffer under a message, to transfer instead of copy: image sets, checkpoints and grids
 * cross between the threads without a copy. Senders hand over buffers of their own (a transferred
 * buffer is empty for the sender afterwards).
 */
export function transferables(message: unknown): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const visit = (value: unknown): void => {
    if (ArrayBuffer.isView(value)) {
      if (value.buffer instanceof ArrayBuffer) buffers.add(value.buffer);
    } else if (Array.isArray(value)) {
      // Plain number arrays (curves, points) hold no buffers.
      if (value.length > 0 && typeof value[0] !== 'number') value.forEach(visit);
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(visit);
    }
  };
  visit(message);
  return [...buffers];
}

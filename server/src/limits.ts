import type { Limits } from './protocol';

/**
 * Enforced before work starts; documented in README "Limits". A page of A4 at 600 DPI is 35 MP, so 60 MP
 * admits every real scan while refusing decompression bombs (a 30 000 × 30 000 PNG would need 2.7 GB as RGB).
 */
export const defaultLimits: Limits = {
  maxPixels: 60_000_000,
  maxFileBytes: 200 * 1024 * 1024,
  maxPdfDpi: 600,
  maxQueuedRequests: 32,
  requestTimeoutMs: 120_000,
};

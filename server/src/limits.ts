import { OcrError } from './errors';
import type { Limits } from './protocol';

/**
 * Enforced before work starts; documented in README "Limits". A page of A4 at 600 DPI is 35 MP, so 60 MP
 * admits every real scan while refusing decompression bombs (a 30 000 × 30 000 PNG would need 2.7 GB as RGB).
 * Memory: text detection alone can take 1–1.4 GB (its input is scaled up to 2 560 px on the long side, see
 * memory.ts), so 2.5 GB per request admits an A4 page at 600 DPI in every mode; the RSS ceiling sits above
 * what the daemon keeps after such a request (≈ 2 GB) plus one more in flight.
 */
export const defaultLimits: Limits = {
  maxPixels: 60_000_000,
  maxFileBytes: 200 * 1024 * 1024,
  maxPdfDpi: 600,
  maxDocumentPages: 1000,
  maxQueuedRequests: 32,
  requestTimeoutMs: 120_000,
  memoryPerRequestMB: 2560,
  rssCeilingMB: 4096,
};

/**
 * The defaults with `overrides` applied. Overrides arrive from `initializationOptions` as untrusted JSON, so a
 * typo or a non-positive value is an error rather than a silently ignored or disabled limit.
 */
export function resolveLimits(overrides: unknown = {}): Limits {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new OcrError('badRequest', 'limits must be an object such as { "memoryPerRequestMB": 1024 }.');
  }
  const limits = { ...defaultLimits };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(key in defaultLimits)) throw new OcrError('badRequest', `Unknown limit "${key}"; the limits are ${Object.keys(defaultLimits).join(', ')}.`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new OcrError('badRequest', `limits.${key} must be a positive number, not ${JSON.stringify(value)}.`);
    }
    limits[key as keyof Limits] = value;
  }
  return limits;
}

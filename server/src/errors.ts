import type { OcrErrorKind } from './protocol';

/** An error the user can act on; its message is shown as is, so it says what failed and what to do. */
export class OcrError extends Error {
  constructor(
    readonly kind: OcrErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OcrError';
  }
}

/** Thrown between pipeline stages when the caller cancelled. */
export class CancelledError extends Error {
  constructor() {
    super('Request cancelled.');
    this.name = 'CancelledError';
  }
}

export interface CancelToken {
  readonly isCancellationRequested: boolean;
}

export const neverCancelled: CancelToken = { isCancellationRequested: false };

/** Yield to the event loop so a pending `$/cancelRequest` is seen, then stop if it was. */
export async function checkpoint(token: CancelToken): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (token.isCancellationRequested) throw new CancelledError();
}

// Batch issuance over the API: the POST answers with NDJSON progress lines while the batch is
// validated, wrapped, recorded on Fabric and anchored; this module sends the batch, hands each
// progress line to the page as it arrives and resolves to the final line.
import { readNdjson, batchEventOf, type BatchDone, type BatchProgress } from '../lib/ndjson';
import type { BatchPreview } from '../lib/batch-input';
import { api, unwrap, type BatchIssueRequest } from './client';
import { ApiError, apiErrorFromResponse, CLIENT_CODES } from './errors';

/**
 * Sends a batch and follows its progress.
 *
 * @param typeCode - the type of a CSV batch (a JSON batch names its own)
 * @param key - the Idempotency-Key: the same batch sent again resumes instead of issuing twice
 * @throws {ApiError} for a refused batch (`BATCH.INVALID_ROWS` with every row's problems, 409, 413...),
 *   an error line from the ledger (its problem), a network failure, or an answer that ends
 *   without its final line (`CLIENT.BAD_RESPONSE`).
 */
export async function issueBatch(batch: BatchPreview, typeCode: string, key: string, onProgress: (progress: BatchProgress) => void): Promise<BatchDone> {
  const header = { 'Idempotency-Key': key };
  const stream = await unwrap(
    batch.format === 'csv'
      ? api.POST('/api/certificate-batches', {
          params: { header, query: { typeCode } },
          body: batch.body as string,
          bodySerializer: (body: unknown) => body as string,
          headers: { 'Content-Type': 'text/csv; charset=utf-8' },
          parseAs: 'stream',
        })
      : api.POST('/api/certificate-batches', { params: { header }, body: batch.body as BatchIssueRequest, parseAs: 'stream' }),
  );
  if (stream === null) throw new ApiError({ code: CLIENT_CODES.badResponse, status: 200, title: 'Empty response' });
  try {
    for await (const value of readNdjson(stream)) {
      const event = batchEventOf(value);
      if (event?.type === 'progress') onProgress(event);
      else if (event?.type === 'done') return event;
      else if (event?.type === 'error') {
        const status = typeof event.problem.status === 'number' ? event.problem.status : 502;
        throw apiErrorFromResponse(status, event.problem);
      }
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError({ code: CLIENT_CODES.badResponse, status: 200, title: 'Unreadable progress', detail: err instanceof Error ? err.message : String(err), cause: err });
  }
  throw new ApiError({ code: CLIENT_CODES.badResponse, status: 200, title: 'The answer ended before the batch was finished' });
}

/**
 * The wrapped documents of a batch, as the NDJSON file the API gives.
 *
 * @throws {ApiError} as {@link unwrap} does.
 */
export function batchDocuments(batchId: string): Promise<Blob> {
  return unwrap(api.GET('/api/certificate-batches/{batchId}/documents', { params: { path: { batchId } }, parseAs: 'blob' }));
}

// Unit tests of pure logic: turning API answers into the portal's error type.
import { expect } from 'chai';
import { ApiError, apiErrorFromResponse, CLIENT_CODES, toApiError } from '../src/api/errors';

describe('web: API errors', () => {
  it('keeps the code, texts, request id and field problems of a problem document', () => {
    const error = apiErrorFromResponse(400, {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'The request is not valid',
      code: 'REQUEST.VALIDATION_FAILED',
      requestId: 'req-1',
      errors: [{ path: 'body.holder.name', message: 'Required' }, { pointer: '/typeCode', detail: 'Unknown type' }, 'junk'],
    });
    expect(error).to.be.instanceOf(ApiError);
    expect(error.name).to.equal('ApiError');
    expect([error.code, error.status, error.title, error.detail, error.requestId]).to.deep.equal([
      'REQUEST.VALIDATION_FAILED',
      400,
      'Bad Request',
      'The request is not valid',
      'req-1',
    ]);
    expect(error.fieldProblems).to.deep.equal([
      { path: 'body.holder.name', message: 'Required' },
      { path: '/typeCode', message: 'Unknown type' },
    ]);
  });

  it('falls back to the HTTP status and the request-id header for bodies that are not problems', () => {
    for (const body of ['<html>Bad gateway</html>', undefined, null, [1]]) {
      const error = apiErrorFromResponse(502, body, 'hdr-7');
      expect([error.code, error.title, error.detail, error.requestId]).to.deep.equal(['HTTP.502', 'HTTP 502', undefined, 'hdr-7']);
    }
  });

  it('recognises a failed fetch as a network error and anything else as unexpected', () => {
    const network = toApiError(new TypeError('Failed to fetch'));
    expect([network.code, network.status, network.isNetwork]).to.deep.equal([CLIENT_CODES.network, 0, true]);
    const unexpected = toApiError(new Error('boom'));
    expect([unexpected.code, unexpected.detail, unexpected.isNetwork]).to.deep.equal([CLIENT_CODES.unexpected, 'boom', false]);
    const same = apiErrorFromResponse(404, { title: 'Not Found' });
    expect(toApiError(same)).to.equal(same);
  });

  it("keeps the row of a batch's row-level problems (BATCH.INVALID_ROWS)", () => {
    const error = apiErrorFromResponse(422, {
      code: 'BATCH.INVALID_ROWS',
      title: 'Unprocessable Content',
      errors: [{ row: 3, path: 'holder.name', message: 'is required' }, { row: 'x', path: 'fields', message: 'unknown' }, { path: 'items', message: 'too many' }],
    });
    expect(error.fieldProblems).to.deep.equal([
      { row: 3, path: 'holder.name', message: 'is required' },
      { path: 'fields', message: 'unknown' },
      { path: 'items', message: 'too many' },
    ]);
  });
});

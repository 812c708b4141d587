import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACTED_PATHS, serializeError } from './logger.js';
import { GatewayError } from './ports/payment-gateway.js';

function capture() {
  let out = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  const logger = pino(
    { redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: { err: serializeError } },
    sink,
  );
  return { logger, text: () => out };
}

/** What an axios error from the PayPal SDK looks like: the request config with its credentials. */
const sdkError = () =>
  Object.assign(new Error('Request failed with status code 503'), {
    config: {
      headers: { Authorization: 'Bearer A21AAF-secret-token' },
      auth: { username: 'client', password: 'client-secret' },
    },
    response: { status: 503, data: { name: 'SERVICE_UNAVAILABLE' } },
  });

describe('logs never carry credentials', () => {
  it('drops the vendor error inside a GatewayError, keeping the facts that explain it', () => {
    const { logger, text } = capture();
    logger.warn(
      {
        err: new GatewayError('unavailable', 'PayPal answered 503', {
          gateway: 'paypal',
          httpStatus: 503,
          cause: sdkError(),
        }),
      },
      'refund outcome unknown',
    );
    expect(text()).not.toContain('secret');
    expect(text()).toContain('"code":"unavailable"');
    expect(text()).toContain('"httpStatus":503');
  });

  it('drops request configs and responses from an SDK error logged directly', () => {
    const { logger, text } = capture();
    logger.error({ err: sdkError() }, 'gateway call failed');
    expect(text()).not.toContain('secret');
    expect(text()).toContain('Request failed with status code 503');
  });

  it('redacts tokens, secrets and authorization headers in ordinary fields', () => {
    const { logger, text } = capture();
    logger.info(
      { token: 'rd_abc', config: { STRIPE_SECRET_KEY: 'sk_live_x' }, headers: { authorization: 'Bearer y' } },
      'x',
    );
    expect(text()).not.toMatch(/rd_abc|sk_live_x|Bearer y/);
  });
});

import { parseRetryAfter } from '../backoff.js';
import { DeliveryError, type SendResult } from '../types.js';

export const USER_AGENT = 'Vigil-Notify/1';

/**
 * One HTTP request with a JSON body. 2xx is delivered. 408, 425, 429 and 5xx are worth
 * retrying (with Retry-After when given); any other status is refused for good. Network
 * errors and timeouts are retried. Errors never carry the URL (it may hold a token).
 */
export async function sendJson(
  url: string,
  body: string,
  opts: { method?: string; headers?: Record<string, string>; signal: AbortSignal },
): Promise<SendResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': USER_AGENT, ...opts.headers },
      body,
      signal: opts.signal,
      // A redirect could carry the body (and the token in the URL) elsewhere: not followed.
      redirect: 'manual',
    });
  } catch (err) {
    // A header value HTTP cannot carry (a secret's): the same every time, not worth a retry.
    if (err instanceof TypeError && /ByteString/.test(err.message)) {
      throw new DeliveryError('a header value has a character HTTP headers cannot carry (only Latin-1 text)', { retryable: false, channelFault: true });
    }
    // A port fetch refuses whatever answers there (6666, 6000, 10080, ...): no retry helps.
    if ((err as { cause?: { message?: string } }).cause?.message === 'bad port') {
      let port = '';
      try {
        port = ` ${new URL(url).port}`;
      } catch {
        /* named without it */
      }
      throw new DeliveryError(`port${port} is one that fetch refuses to connect to (as browsers do: IRC, X11 and other services' ports); put the receiver on another port`, {
        retryable: false,
        channelFault: true,
      });
    }
    throw new DeliveryError(networkReason(err, opts.signal), { retryable: true });
  }
  if (res.status >= 300 && res.status < 400) {
    void res.body?.cancel();
    const where = redirectTarget(res.headers.get('location'), url);
    throw new DeliveryError(`HTTP ${res.status}: the receiver redirects${where ? ` to ${where}` : ''}; Vigil does not follow redirects (they could take the message elsewhere): set the channel's URL to where it moved`, {
      retryable: false,
      statusCode: res.status,
      channelFault: true,
    });
  }
  const text = await readSome(res);
  if (res.ok) return { statusCode: res.status };
  const retryable = res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500;
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  throw new DeliveryError(`HTTP ${res.status}${text ? `: ${text}` : ''}`, {
    retryable,
    statusCode: res.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    channelFault: res.status !== 429,
  });
}

/** Where a redirect points: its origin and path, not its query (it may hold a token), as errors never carry one. */
function redirectTarget(location: string | null, base: string): string | null {
  if (!location) return null;
  try {
    const u = new URL(location, base);
    return `${u.origin}${u.pathname}`;
  } catch {
    return null;
  }
}

/** The first 300 characters of a response body, for the error shown to the user. */
async function readSome(res: Response): Promise<string> {
  try {
    const text = await res.text();
    return text.replace(/\s+/g, ' ').trim().slice(0, 300);
  } catch {
    return '';
  }
}

function networkReason(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason = signal.reason as Error | undefined;
    return reason?.name === 'TimeoutError' ? 'timed out waiting for the receiver' : 'cancelled (Vigil is stopping)';
  }
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  // llhttp's codes: the receiver was reached, and what it answered was not HTTP.
  if (cause?.code?.startsWith('HPE_')) return `the receiver answered, but not with valid HTTP (${cause.code}${cause.message ? `: ${cause.message}` : ''})`;
  if (cause?.code) return `cannot reach the receiver (${cause.code})`;
  return `request failed: ${cause?.message ?? (err as Error).message}`;
}

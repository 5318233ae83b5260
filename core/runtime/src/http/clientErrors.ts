/**
 * Answers for requests Node's HTTP parser gives up on before the app sees them: a client too slow
 * with its headers or body (the server's headersTimeout and requestTimeout), headers too large, or
 * bytes that are not HTTP. Node answers these with a bare status line; these answer in the same
 * JSON shape as every other error, saying which limit was hit and what to change.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';

interface ClientErrorAnswer {
  status: number;
  code: string;
  message: string;
}

/** What to answer for parser error `err`, or undefined when the client is gone and nothing should be written. */
export function answerFor(err: NodeJS.ErrnoException, limits: { headersTimeoutMs: number; requestTimeoutMs: number }): ClientErrorAnswer | undefined {
  switch (err.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        code: 'request_timeout',
        message: `The request was not received in time: headers must arrive within ${limits.headersTimeoutMs} ms and the whole request within ${limits.requestTimeoutMs} ms (server.headersTimeout, server.requestTimeout). Send it faster or raise those limits.`,
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'headers_too_large',
        message: "The request's headers are larger than Node's limit (16 KiB by default). Send fewer or smaller headers.",
      };
    default:
      return { status: 400, code: 'bad_request', message: `The request is not valid HTTP (${err.code ?? err.message}).` };
  }
}

/**
 * A `clientError` listener for an `http.Server`: writes the JSON answer on the socket when nothing
 * was written on it yet (as Node itself does), then closes it.
 *
 * @example
 * server.on('clientError', clientErrorListener({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 }));
 */
export function clientErrorListener(limits: { headersTimeoutMs: number; requestTimeoutMs: number }): (err: Error, socket: Socket) => void {
  return (err, socket) => {
    const answer = answerFor(err as NodeJS.ErrnoException, limits);
    if (answer !== undefined && socket.writable && socket.bytesWritten === 0) {
      const body = JSON.stringify({ error: { code: answer.code, message: answer.message, requestId: randomUUID() } });
      socket.write(
        `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    }
    socket.destroySoon();
  };
}

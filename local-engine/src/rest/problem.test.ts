import { describe, expect, it } from 'vitest';
import { CommandRejection } from '../interpreter/rejection';
import { httpProblem, problemFor } from './problem';

describe('problemFor', () => {
  it('given an unexpected error, then 500 without its message, stack or paths', () => {
    const error = new Error("ENOENT: no such file or directory, open '/work/main/secret.json'");
    const { problem } = problemFor(error, '/v2/user-tasks/search');
    expect(problem).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'Unexpected error occurred during the request processing.', instance: '/v2/user-tasks/search' });
  });

  it("given the engine's rejection, then its type is the title and it keeps its message", () => {
    expect(problemFor(new CommandRejection('INVALID_STATE', 'User task is completed'), '/p').problem).toMatchObject({ status: 409, title: 'INVALID_STATE', detail: 'User task is completed' });
  });

  it("given the body parser's errors, then their status with a fixed detail", () => {
    const malformed = Object.assign(new SyntaxError('Unexpected token } in JSON at position 3'), { type: 'entity.parse.failed', status: 400, expose: true });
    expect(problemFor(malformed, '/p').problem).toMatchObject({ status: 400, title: 'Bad Request', detail: 'Failed to read request: the body is not valid JSON.' });
    const large = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413, expose: true, limit: 4 * 1024 * 1024 });
    expect(problemFor(large, '/p').problem).toMatchObject({ status: 413, title: 'Payload Too Large', detail: 'Failed to read request: the body is larger than 4mb.' });
  });

  it('given a 4xx error not meant for the client, then it is still a 500', () => {
    expect(problemFor(Object.assign(new Error('internal'), { status: 404 }), '/p').problem.status).toBe(500);
  });

  it('given an HTTP problem with headers, then they come along', () => {
    expect(problemFor(httpProblem(405, "Method 'GET' is not supported.", { Allow: 'POST' }), '/p')).toEqual({
      problem: { type: 'about:blank', title: 'Method Not Allowed', status: 405, detail: "Method 'GET' is not supported.", instance: '/p' },
      headers: { Allow: 'POST' },
    });
  });
});

import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';

/** The Redis the rate-limit tests share budgets in (stack note 15: one answers on every machine; `.ci/run` starts one). */
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** A key prefix of its own per test run, so that runs (and parallel Jest workers) never share a budget. */
export function testRedisPrefix(label: string): string {
  return `test:rate-limit:${label}:${randomUUID()}`;
}

/** Whether something answers PING with +PONG on 127.0.0.1:6379 within a second. */
export function redisAnswers(): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    const finish = (answer: boolean) => {
      socket.destroy();
      done(answer);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('data', (chunk) => finish(chunk.toString('latin1').startsWith('+PONG')));
    socket.connect(6379, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

/** Fails aloud, naming the fix, when no Redis answers: these tests are never skipped in silence. */
export async function requireRedis(): Promise<void> {
  if (await redisAnswers()) return;
  throw new Error(
    `No Redis answers on 127.0.0.1:6379, so the shared (Redis) rate-limit tests cannot run. Start one with ` +
      `"redis-server --port 6379 --save '' --appendonly no --daemonize yes" (.ci/run does when redis-server is installed).`,
  );
}

/**
 * true when `work` resolves within `ms`, false when the time runs out first (a rejection of `work`
 * propagates). With `unref`, the timer alone does not keep the process alive.
 */
export async function settlesWithin(ms: number, work: Promise<unknown>, options: { unref?: boolean } = {}): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((done) => {
    timer = setTimeout(() => done(false), ms);
    if (options.unref) timer.unref();
  });
  try {
    return await Promise.race([work.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

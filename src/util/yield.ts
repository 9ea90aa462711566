let last = performance.now();

/**
 * Lets the event loop run (timers, signal handlers such as Ctrl-C, I/O callbacks) when the engine has kept it busy
 * for more than 20 ms. Steps whose work and stores are synchronous would otherwise only ever queue microtasks,
 * and a long map would not notice Ctrl-C until it ended.
 */
export async function yieldToEventLoop(): Promise<void> {
  const now = performance.now();
  if (now - last < 20) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  last = performance.now();
}

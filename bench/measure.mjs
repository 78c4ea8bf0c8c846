import { performance } from 'node:perf_hooks';

/** Runs `run` `iterations` times after a warm-up; one table row of time and heap growth. */
export function measure(name, iterations, run) {
  for (let i = 0; i < Math.min(50, iterations); i += 1) run(); // warm-up
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  for (let i = 0; i < iterations; i += 1) run();
  const elapsed = performance.now() - start;
  return {
    case: name,
    iterations,
    'mean ms': (elapsed / iterations).toFixed(4),
    'ops/s': Math.round((iterations * 1000) / elapsed),
    'heap delta MB': ((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(1),
  };
}

// Runs internal/localmode/asl's BenchmarkExecute state machine (definition.json, kept
// identical to benchDefinition by TestBenchDefinitionMatchesPeer) through
// aws-local-stepfunctions N times, one execution after another, with the
// Task overridden by an identity function, and prints executions per second.
//
//   node bench.mjs [N]        (make bench-asl runs it next to the Go benchmark)
import { readFileSync } from 'node:fs';

// aws-local-stepfunctions 3 declares node >= 22 and uses Promise.withResolvers;
// on older nodes (this machine has node 20) supply the standard polyfill.
Promise.withResolvers ??= function withResolvers() {
  let resolve, reject;
  const promise = new this((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
};
const { StateMachine } = await import('aws-local-stepfunctions');

const n = Number(process.argv[2] ?? 20000);
const definition = JSON.parse(readFileSync(new URL('./definition.json', import.meta.url), 'utf8'));
const input = { id: 'T-1', kind: 'complaint', tags: ['a', 'b'] };
const sm = new StateMachine(definition);
const options = { overrides: { taskResourceLocalHandlers: { Call: async (event) => event } } };

async function runOnce() {
  const out = await sm.run(input, options).result;
  if (out.ticket !== 'T-1' || out.n !== 2) throw new Error('unexpected output ' + JSON.stringify(out));
}

for (let i = 0; i < Math.min(1000, n); i++) await runOnce(); // warm-up (JIT)
const start = process.hrtime.bigint();
for (let i = 0; i < n; i++) await runOnce();
const secs = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`aws-local-stepfunctions 3.0.0 (node ${process.version}): ${n} executions in ${secs.toFixed(3)} s = ${Math.round(n / secs)} executions/s (${(secs / n * 1e6).toFixed(1)} µs/execution)`);

// Child process for wait.test.ts: waits once to success and once to a timeout, then simply
// returns. If any watch or socket stayed open, the process would not exit and the test fails.
import { Kube } from '../../../src/kube/client.js';
import { podRunning } from '../../../src/kube/conditions.js';
import { waitFor } from '../../../src/kube/wait.js';

const [kubeconfig, namespace] = process.argv.slice(2);
const kube = Kube.load({ kubeconfig });
const ref = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', namespace: namespace ?? '', name });

await waitFor(kube, ref('report'), { ...podRunning, test: (p) => p !== undefined }, { timeoutMs: 30_000 });
console.log('running: ok');
try {
  await waitFor(kube, ref('huge'), podRunning, { timeoutMs: 1000, heartbeatMs: 200, log: () => undefined });
} catch (err) {
  console.log(`timeout: ${(err as Error).name}`);
}

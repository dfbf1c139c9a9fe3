// Starts `dss-gitops sim` in a child process and waits for the URL it listens on: the build (to make the code
// cache from real runs) and the benchmark use it.

import { spawn, type ChildProcess } from 'node:child_process';

export interface SimulatorProcess {
  url: string;
  child: ChildProcess;
}

/** `node ARGS sim --port 0` with `env`: resolves with its URL once it listens, rejects if it exits first. */
export async function startSimulatorProcess(node: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<SimulatorProcess> {
  const child = spawn(node, [...args, 'sim', '--port', '0'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(output);
      if (found?.[1] !== undefined) resolve(found[1]);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) => reject(new Error(`the simulator exited with ${code}: ${output}`)));
  });
  return { url, child };
}

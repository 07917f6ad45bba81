import { type ChildProcess, spawn } from 'node:child_process';

/** moto_server in a child process: an AWS IoT control plane we did not write. */
export interface MotoServer {
  url: string;
  close(): Promise<void>;
}

/** Starts `moto_server` on a free loopback port (it prints the port it picked). */
export function startMoto(timeoutMs = 30_000): Promise<MotoServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`moto_server did not start within ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        const url = match[1];
        resolve({
          url,
          close: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`moto_server ${why}; install it with pip install 'moto[server]': ${output}`));
    };
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code) => fail(`exited with ${code}`));
  });
}

// Preloaded (NODE_OPTIONS=--import) into a `provbench run` pointed at a standalone emulator
// as a remote target: connections to the account's data endpoint (DescribeEndpoint's
// `<prefix>-ats.iot.<region>.amazonaws.com`, port 8883) go to the emulator's MQTT listener at
// 127.0.0.1:$PROVBENCH_TEST_MQTT_PORT instead. TLS still names the data endpoint (SNI and the
// server certificate check). Stands in for a remote target's own MQTT endpoint option.
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

const port = Number(process.env.PROVBENCH_TEST_MQTT_PORT);
const DATA_ENDPOINT = /\.iot\.[a-z0-9-]+\.amazonaws\.com$/;

if (Number.isInteger(port) && port > 0) {
  const connect = net.connect;
  const redirected = (options, ...rest) => {
    if (typeof options === 'object' && options !== null && DATA_ENDPOINT.test(options.host ?? '')) {
      return connect({ ...options, host: '127.0.0.1', port }, ...rest);
    }
    return connect(options, ...rest);
  };
  net.connect = redirected;
  net.createConnection = redirected;
  syncBuiltinESMExports();
}

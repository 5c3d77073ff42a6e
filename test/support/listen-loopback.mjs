// Preloaded (node --import) into the built custom runtime by tests that spawn it: the server binds
// 0.0.0.0 as FC needs, and a test server listens on 127.0.0.1 only, so that address is swapped for the
// loopback one in every listen() of the process. Nothing else of the bundle is touched.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args[0] && typeof args[0] === 'object' && args[0].host === '0.0.0.0') args[0] = { ...args[0], host: '127.0.0.1' };
  else if (args[1] === '0.0.0.0') args[1] = '127.0.0.1';
  return listen.apply(this, args);
};

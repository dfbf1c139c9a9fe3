// Bundled in place of undici's lib/dispatcher/client-h2.js (scripts/build.ts). A connection speaks HTTP/2 only when
// TLS's ALPN offered `h2`, which undici offers only to a pool made with `allowH2`; dss-gitops makes none (src/dss/pool.ts),
// so this is never called. Loading the real one loads Node's http2 module, ~7 ms of start-up for every run.
'use strict';
/* global module */

module.exports = function connectH2() {
  throw new Error('HTTP/2 is not enabled on the DSS client');
};

// Connections opened ahead of need. A run reads with as many connections as its parallelism, but undici opens each
// one only when a request finds every other busy: the first reads after the preflight each wait for a TCP connect
// (and a TLS handshake on https) on top of their round trip. A client asked to warm its pool opens those connections
// while the preflight's own request waits for its answer, with undici's connector and the pool's TLS options (the
// same verification), and hands them to the pool as it asks for connections. Nothing is sent on them until then.

import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';

type Connector = buildConnector.connector;
type ConnectOptions = buildConnector.Options;
type Callback = buildConnector.Callback;

/** How long an opened connection waits for the pool to want it before it is closed (DSS closes idle ones too). */
const WARM_IDLE_MS = 10_000;

interface Opening {
  /** Once open; none when it failed. */
  socket?: Socket;
  /** The pool's callback, when the pool asked for this connection before it was open. */
  waiter?: Callback;
  settled: boolean;
}

export class WarmConnector {
  readonly #connect: Connector;
  readonly #openings: Opening[] = [];
  #wanted = 0;
  #started = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(connect: Connector) {
    this.#connect = connect;
  }

  /**
   * Asks for `count` connections more than the first, opened as soon as the pool opens its first one; once the pool
   * has opened a connection, it opens the others as it needs them.
   */
  warm(count: number): void {
    if (!this.#started) this.#wanted = Math.max(this.#wanted, Math.floor(count));
  }

  /** The connector the pool calls: a connection opened ahead when there is one, else a new one. */
  readonly connect = (options: ConnectOptions, callback: Callback): void => {
    const wanted = this.#wanted;
    this.#started = true;
    if (wanted > 0) {
      this.#wanted = 0;
      this.#connect(options, callback);
      for (let i = 0; i < wanted; i++) this.#open(options);
      this.#timer = setTimeout(() => this.close(), WARM_IDLE_MS).unref();
      return;
    }
    const opening = this.#take();
    if (opening === undefined) this.#connect(options, callback);
    else if (opening.socket !== undefined) process.nextTick(callback, null, release(opening.socket));
    else opening.waiter = callback;
  };

  /** An open connection if there is one, else one still opening; those that failed or closed meanwhile are dropped. */
  #take(): Opening | undefined {
    for (const opening of this.#openings) {
      if (opening.settled && !isOpen(opening.socket)) opening.socket?.destroy();
    }
    const usable = this.#openings.filter((o) => !o.settled || isOpen(o.socket));
    const taken = usable.find((o) => o.settled) ?? usable[0];
    this.#openings.splice(0, this.#openings.length, ...usable.filter((o) => o !== taken));
    return taken;
  }

  /** Closes the connections the pool never asked for. */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wanted = 0;
    for (const opening of this.#openings.splice(0)) {
      opening.settled = true;
      opening.socket?.destroy();
    }
  }

  #open(options: ConnectOptions): void {
    const opening: Opening = { settled: false };
    this.#openings.push(opening);
    this.#connect(options, (error, socket) => {
      const waiter = opening.waiter;
      if (opening.settled) {
        // Closed before it opened: nobody wants it.
        socket?.destroy();
        return;
      }
      opening.settled = true;
      if (waiter !== undefined) {
        if (error !== null) waiter(error, null);
        else waiter(null, socket);
        return;
      }
      if (error === null && socket !== null) opening.socket = hold(socket);
    });
  }
}

const onIdleError = (): void => {
  // An opened connection that fails before the pool wants it is skipped when the pool asks (it is destroyed).
};

/** While kept: an error destroys the socket instead of going unhandled, and the socket alone keeps no process alive. */
function hold(socket: Socket): Socket {
  socket.on('error', onIdleError);
  socket.unref();
  return socket;
}

function release(socket: Socket): Socket {
  socket.off('error', onIdleError);
  socket.ref();
  return socket;
}

function isOpen(socket: Socket | undefined): boolean {
  return socket !== undefined && !socket.destroyed && socket.readyState === 'open';
}

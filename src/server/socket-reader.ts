/**
 * How client sockets are read. A net.Socket normally delivers input through its Readable stream:
 * every read allocates a new Buffer, pushes it through the stream's state machine, emits 'data'
 * and schedules a nextTick. Profiles of redis-benchmark at pipeline 1 put that machinery at about a
 * quarter of the server's user CPU per request.
 *
 * Node's `onread` socket option skips all of it: the handle reads into one buffer the owner
 * provides and calls a function with the byte count. Node offers the option only for sockets it
 * connects, not for those a server accepts, so an accepted socket is switched to that mode here
 * through the same fields the option sets, found by their symbols' names on a probe socket. On a
 * Node without them, the socket is read through 'data' events as usual. Either way the callback
 * gets a chunk it must not keep: in shared mode the next read overwrites it.
 */
import net from 'node:net';

/** Receives the bytes of one read; `shared` says the buffer is reused by the next read. */
export type SocketInput = (chunk: Buffer, shared: boolean) => void;

interface OnreadFields {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}

/** Node's default read size for sockets; also what one read may fill here. */
const READ_BUFFER_SIZE = 64 * 1024;

/** The internal fields behind net.Socket's onread option, or null when this Node lacks them. */
function findOnreadFields(): OnreadFields | null {
  // The option exists on net.Socket since Node 12; @types/node lists it for net.connect only.
  const options = { onread: { buffer: Buffer.alloc(1), callback: () => true } } as net.SocketConstructorOpts;
  const probe = new net.Socket(options);
  const symbols = Object.getOwnPropertySymbols(probe);
  const named = (name: string): symbol | undefined => symbols.find((s) => s.description === name);
  const buffer = named('kBuffer');
  const callback = named('kBufferCb');
  const generator = named('kBufferGen');
  probe.destroy();
  if (buffer === undefined || callback === undefined || generator === undefined) return null;
  return { buffer, callback, generator };
}

export class SocketReader {
  private readonly fields: OnreadFields | null;
  /** One buffer for every socket's reads: reads happen one at a time on the event loop. */
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);

  constructor(useSharedBuffer = true) {
    this.fields = useSharedBuffer ? findOnreadFields() : null;
  }

  /** True when sockets must be accepted paused (net.Server's pauseOnConnect) for start() to switch them. */
  get needsPausedSockets(): boolean {
    return this.fields !== null;
  }

  /** Starts reading a freshly accepted socket, handing each read's bytes to `input`. */
  start(socket: net.Socket, input: SocketInput): void {
    const fields = this.fields;
    const handle = (socket as unknown as { _handle?: { useUserBuffer?: (b: Buffer) => void } })._handle;
    if (fields === null || handle?.useUserBuffer === undefined) {
      socket.on('data', (chunk: Buffer) => input(chunk, false));
      socket.resume();
      return;
    }
    const shared = this.readBuffer;
    const target = socket as unknown as Record<symbol, unknown>;
    target[fields.buffer] = shared;
    target[fields.generator] = null;
    target[fields.callback] = (length: number): void => input(shared.subarray(0, length), true);
    handle.useUserBuffer(shared);
    socket.resume();
  }
}

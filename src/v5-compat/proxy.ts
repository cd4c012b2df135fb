// v5's proxy(): forwards messages between two v5 sockets with 'message' listeners (in the event
// loop, like v5, not on a libzmq thread), so the sockets stay usable and closable as before.
// Unlike v5, which forwarded only the frames it expected, whole messages are forwarded.
import type { Socket } from "./socket";

function forward(from: Socket, to: Socket, capture?: (frames: Buffer[]) => void): void {
  from.on("message", (...frames: Buffer[]) => {
    to.send(frames);
    capture?.(frames);
  });
}

/**
 * Forwards every message the front end receives to the back end and back: frontend/backend
 * must be router/dealer (or xrep/xreq), pull/push, push/pull or xpub/xsub. The capture socket,
 * if any, gets a copy of what the back end sends back (for router/dealer, without the routing
 * envelope), as v5's did.
 */
export function proxy(frontend: Socket, backend: Socket, capture?: Socket): void {
  switch (`${frontend.type}/${backend.type}`) {
    case "push/pull":
    case "pull/push":
    case "xpub/xsub":
      forward(frontend, backend);
      forward(backend, frontend, capture && ((frames) => capture.send(frames)));
      break;
    case "router/dealer":
    case "xrep/xreq":
      forward(frontend, backend);
      forward(backend, frontend, capture && ((frames) => capture.send(frames.slice(2))));
      break;
    default:
      throw new Error("wrong socket order to proxy");
  }
}

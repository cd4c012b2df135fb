// CURVE interoperability with a real pyzmq peer (libzmq through /usr/bin/python3's pyzmq, a
// separate process): a zmq-napi server with a pyzmq client, and a pyzmq server with a
// zmq-napi client, each for several round trips, plus the refusals either side must give.
// The peer scripts are test/fixtures/security-curve-{client,server}.py; they give up after
// 20 s (or a given time) without a message, and every child here is killed after 40 s, so
// nothing can hang.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

import { Context, Reply, Request, curveKeyPair, type Socket } from "../src/index";
import { Authenticator, createCertificates, type AuthDecision } from "../src/auth/index";
import { startChild, type Child, type ChildResult } from "./helpers/children";
import { bindFresh } from "./helpers/endpoints";
import { within } from "./helpers/lifecycle";

const PYTHON = "/usr/bin/python3";
const fixture = (name: string) => path.join(__dirname, "fixtures", name);
const CLIENT_SCRIPT = fixture("security-curve-client.py");
const SERVER_SCRIPT = fixture("security-curve-server.py");

// --- helpers ----------------------------------------------------------------------------------

const open: Array<{ close(): void }> = [];
const children: Child[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

function track<T extends { close(): void }>(closable: T): T {
  open.push(closable);
  return closable;
}

afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const closable of open.splice(0).reverse()) closable.close();
});

interface Peer {
  process: Child;
  /** Resolves with the first stdout line matching `pattern`. */
  line(pattern: RegExp): Promise<string>;
  /** Resolves when the process exits, with its code and everything it printed. */
  exited: Promise<ChildResult>;
}

/** Starts a Python peer script; it is killed after `ms` at the latest. */
function python(script: string, args: string[], ms = 40_000): Peer {
  const child = startChild([PYTHON, script, ...args], {
    timeoutMs: ms,
    name: `python3 ${path.basename(script)}`,
  });
  children.push(child);
  return { process: child, line: (pattern) => child.line(pattern, ms), exited: child.done };
}

/** Answers "ping <i>" with "pong <i>" until the socket closes. */
async function serve(socket: Reply): Promise<number> {
  let served = 0;
  for await (const [request] of socket) {
    await socket.send(request.toString().replace(/^ping/, "pong"));
    served += 1;
  }
  return served;
}

/** Whether a socket has reported a completed handshake (read `.value` later). */
function handshakeSeen(socket: Socket): { readonly value: boolean } {
  const state = { value: false };
  socket.events.on("handshake", () => (state.value = true));
  return state;
}

// --- zmq-napi server, pyzmq client ------------------------------------------------------------

describe("zmq-napi CURVE server (REP), pyzmq CURVE client (REQ)", () => {
  /** A CURVE REP server on tcp with fresh keys, serving, and a fresh key pair for the client. */
  async function startServer() {
    const server = curveKeyPair();
    const client = curveKeyPair();
    const reply = track(
      new Reply({ curveServer: true, curveSecretKey: server.secretKey, linger: 0 }),
    );
    const handshake = handshakeSeen(reply);
    const address = await bindFresh(reply, "tcp");
    const serving = serve(reply);
    return { server, client, reply, handshake, address, serving };
  }

  it("serves several round trips to the pyzmq client", async () => {
    const { server, client, reply, handshake, address, serving } = await startServer();

    const peer = python(CLIENT_SCRIPT, [
      address,
      server.publicKey,
      client.publicKey,
      client.secretKey,
      "10",
    ]);
    const { code, stdout, stderr } = await peer.exited;
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `pong ${i}`),
      "done",
    ]);
    expect(handshake.value).toBe(true);
    reply.close();
    expect(await serving).toBe(10);
  });

  it("with the Authenticator admitting exactly the pyzmq client's key", async () => {
    const context = track(new Context());
    const server = curveKeyPair();
    const client = curveKeyPair();
    const decisions: AuthDecision[] = [];
    const auth = new Authenticator({ context, onDecision: (decision) => decisions.push(decision) });
    cleanups.push(() => auth.stop());
    auth.configureCurve("*", [client.publicKey]);
    await auth.start();
    const reply = track(
      new Reply({ context, curveServer: true, curveSecretKey: server.secretKey, linger: 0 }),
    );
    const address = await bindFresh(reply, "tcp");
    void serve(reply);

    const admitted = python(CLIENT_SCRIPT, [
      address,
      server.publicKey,
      client.publicKey,
      client.secretKey,
      "3",
    ]);
    expect((await admitted.exited).code).toBe(0);

    const stranger = curveKeyPair();
    const refused = python(CLIENT_SCRIPT, [
      address,
      server.publicKey,
      stranger.publicKey,
      stranger.secretKey,
      "1",
      "1500",
    ]);
    const result = await refused.exited;
    expect(result.code).toBe(2);
    expect(result.stdout.trim()).toBe("timeout");
    expect(decisions.map((decision) => [decision.allowed, decision.userId])).toEqual([
      [true, client.publicKey],
      [false, ""],
    ]);
  });

  it("the pyzmq client gets nothing through with a wrong server key", async () => {
    const { client, reply, handshake, address, serving } = await startServer();

    const wrong = curveKeyPair().publicKey;
    const result = await python(CLIENT_SCRIPT, [
      address,
      wrong,
      client.publicKey,
      client.secretKey,
      "1",
      "1500",
    ]).exited;
    expect(result.code).toBe(2);
    expect(result.stdout.trim()).toBe("timeout");
    expect(handshake.value).toBe(false);
    reply.close();
    expect(await serving).toBe(0);
  });
});

// --- pyzmq server, zmq-napi client ------------------------------------------------------------

describe("pyzmq CURVE server (REP), zmq-napi CURVE client (REQ)", () => {
  async function startServer(
    server: { publicKey: string; secretKey: string },
    count: number,
    certDir?: string,
  ) {
    const args = ["tcp://127.0.0.1:*", server.publicKey, server.secretKey, String(count)];
    const peer = python(SERVER_SCRIPT, certDir === undefined ? args : [...args, certDir]);
    const ready = await peer.line(/^ready /);
    return { peer, address: ready.slice("ready ".length).trim() };
  }

  function curveRequest(serverPublicKey: string, client = curveKeyPair()) {
    return track(
      new Request({
        curveServerKey: serverPublicKey,
        curvePublicKey: client.publicKey,
        curveSecretKey: client.secretKey,
        linger: 0,
        receiveTimeout: 20_000,
      }),
    );
  }

  it("several round trips with the pyzmq server", async () => {
    const server = curveKeyPair();
    const { peer, address } = await startServer(server, 10);
    const request = curveRequest(server.publicKey);
    const handshake = handshakeSeen(request);
    request.connect(address);
    for (let i = 0; i < 10; i++) {
      await request.send(`ping ${i}`);
      const [answer] = await request.receive();
      expect(answer.toString()).toBe(`pong ${i}`);
    }
    const { code, stdout, stderr } = await peer.exited;
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.trim().split("\n").at(-1)).toBe("done");
    expect(handshake.value).toBe(true);
    expect(request.securityMechanism).toBe("curve");
  });

  it("pyzmq's own authenticator admits a client whose certificate createCertificates wrote", async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-pyzmq-"));
    cleanups.push(() => fs.rmSync(directory, { recursive: true, force: true }));
    const known = createCertificates(directory, "known");
    const server = curveKeyPair();
    const { peer, address } = await startServer(server, 2, directory);

    // A client pyzmq does not know is refused: its request never gets an answer.
    const stranger = curveRequest(server.publicKey);
    const refused = new Promise<number>((resolve) => {
      stranger.events.on("handshake:error:auth", (event) => resolve(event.error.status));
    });
    stranger.connect(address);
    await stranger.send("ping stranger");
    expect(await within(refused, 20_000, "refusal")).toBe(400);

    const request = curveRequest(server.publicKey, known);
    request.connect(address);
    for (let i = 0; i < 2; i++) {
      await request.send(`ping ${i}`);
      const [answer] = await request.receive();
      expect(answer.toString()).toBe(`pong ${i}`);
    }
    expect((await peer.exited).code).toBe(0);
  });
});

// ZAP authentication with the Authenticator over real sockets: PLAIN users, IP allow and deny
// lists, CURVE client keys (a set, "any", or certificate files), the decisions the program
// sees, and the certificate files themselves (ours, pyzmq's and czmq's format).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

import {
  Context,
  Dealer,
  context as sharedContext,
  curveKeyPair,
  curvePublic,
  z85Decode,
} from "../src/index";
import {
  Authenticator,
  CertificateError,
  ZAP_ENDPOINT,
  createCertificates,
  loadCertificate,
  loadPublicKeys,
  parseCertificate,
} from "../src/auth/index";
import { describeExit, runChild } from "./helpers/children";
import {
  authenticators,
  connect,
  curveClient,
  curveServer,
  expectAllowed,
  expectRefused,
  startAuthenticator,
  track,
} from "./helpers/zap";

const PYTHON = "/usr/bin/python3";

/** Runs a pyzmq snippet (python3 -c) and returns what it printed; fails on a non-zero exit. */
async function python(code: string, ...args: string[]): Promise<{ stdout: string }> {
  const result = await runChild([PYTHON, "-c", code, ...args], {
    timeoutMs: 30_000,
    name: "python3 -c",
  });
  if (result.code !== 0) throw new Error(`python3 -c ${code}: ${describeExit(result)}`);
  return result;
}

// --- helpers ----------------------------------------------------------------------------------

const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0))
    fs.rmSync(directory, { recursive: true, force: true });
});

function tempDirectory(): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-certs-"));
  directories.push(directory);
  return directory;
}

// --- the authenticator itself -----------------------------------------------------------------

describe("Authenticator lifecycle", () => {
  it("binds the ZAP endpoint of its context; one per context; restartable after stop()", async () => {
    const context = track(new Context());
    const first = new Authenticator({ context });
    const second = new Authenticator({ context });
    authenticators.push(first, second);
    expect(first.running).toBe(false);
    await first.start();
    expect(first.running).toBe(true);
    await expect(second.start()).rejects.toMatchObject({
      name: "ZmqError",
      code: "EADDRINUSE",
      message: expect.stringContaining(ZAP_ENDPOINT),
    });
    expect(second.running).toBe(false);

    // Another context has its own ZAP endpoint.
    const elsewhere = new Authenticator({ context: track(new Context()) });
    authenticators.push(elsewhere);
    await elsewhere.start();

    await first.stop();
    expect(first.running).toBe(false);
    await second.start();
    expect(second.running).toBe(true);
    await second.stop();
    for (let i = 0; i < 5; i++) {
      await first.start();
      await first.stop();
    }
  });

  it("start() twice is one start; stop() before start() does nothing", async () => {
    const auth = new Authenticator({ context: track(new Context()) });
    authenticators.push(auth);
    await auth.stop();
    const starting = auth.start();
    expect(auth.start()).toBe(starting);
    await starting;
    expect(auth.running).toBe(true);
  });

  it("uses the shared context by default and stops at the end of an `await using` block", async () => {
    {
      await using auth = new Authenticator();
      expect(auth.context).toBe(sharedContext);
      await auth.start();
      const other = new Authenticator();
      await expect(other.start()).rejects.toMatchObject({ code: "EADDRINUSE" });
    }
    const next = new Authenticator();
    authenticators.push(next);
    await next.start();
    expect(next.running).toBe(true);
  });

  it("after stop() libzmq asks no one: a CURVE server admits any client that knows its key", async () => {
    const server = curveServer();
    const { context, auth } = await startAuthenticator((auth) => auth.configureCurve("*", []));
    await expectRefused(
      await connect(context, server.options, curveClient(server.keys.publicKey).options),
    );
    await auth.stop();
    await expectAllowed(
      await connect(context, server.options, curveClient(server.keys.publicKey).options),
    );
  });

  it("answers ZAP 1.0 requests on the wire, and malformed ones with status 500", async () => {
    const { context, decisions } = await startAuthenticator((auth) =>
      auth.configurePlain("*", { user: "secret" }),
    );
    const peer = track(new Dealer({ context, linger: 0, receiveTimeout: 5000 }));
    peer.connect(ZAP_ENDPOINT);
    const ask = async (...frames: string[]) => {
      await peer.send(["", ...frames]);
      return (await peer.receive()).map((frame) => frame.toString());
    };
    expect(await ask("1.0", "7", "dom", "10.0.0.1", "", "PLAIN", "user", "secret")).toEqual([
      "",
      "1.0",
      "7",
      "200",
      "OK",
      "user",
      "",
    ]);
    const [, , id, status] = await ask("1.0", "8", "dom", "10.0.0.1", "", "PLAIN", "user", "wrong");
    expect([id, status]).toEqual(["8", "400"]);
    expect((await ask("2.0", "9", "dom"))[3]).toBe("500");
    expect((await ask("1.0", "10", "dom"))[3]).toBe("500");
    expect(decisions.map((decision) => [decision.statusCode, decision.allowed])).toEqual([
      [200, true],
      [400, false],
      [500, false],
      [500, false],
    ]);
    expect(decisions[0]).toEqual({
      address: "10.0.0.1",
      domain: "dom",
      mechanism: "PLAIN",
      allowed: true,
      statusCode: 200,
      reason: "OK",
      userId: "user",
    });
  });

  it("validates its arguments", () => {
    const auth = new Authenticator({ context: track(new Context()) });
    expect(() => new Authenticator({ onDecision: 42 as never })).toThrow(TypeError);
    expect(() => auth.allow("localhost")).toThrow(RangeError);
    expect(() => auth.allow("127.0.0.1", "127.0.0")).toThrow(/addresses\[1\]/);
    expect(() => auth.deny(42 as never)).toThrow(TypeError);
    expect(() => auth.configurePlain(1 as never, {})).toThrow(TypeError);
    expect(() => auth.configurePlain("*", { user: 1 as never })).toThrow(TypeError);
    expect(() => auth.configurePlain("*", null as never)).toThrow(TypeError);
    expect(() => auth.configureCurve("*", "every" as never)).toThrow(TypeError);
    expect(() => auth.configureCurve("*", 42 as never)).toThrow(TypeError);
    const good = curveKeyPair().publicKey;
    expect(() => auth.configureCurve("*", [good, "short"])).toThrow(
      /^Expected a 40-character Z85 key for clients\[1\] but received/,
    );
    expect(() => auth.configureCurve("*", ["#".repeat(40)])).toThrow(RangeError);
    expect(() => auth.configureCurve("*", [Buffer.alloc(31)])).toThrow(RangeError);
    expect(() => auth.configureCurve("*", { directory: "/nonexistent/zmq-napi" })).toThrow(
      expect.objectContaining({ code: "ENOENT" }),
    );
  });
});

// --- PLAIN ------------------------------------------------------------------------------------

describe("PLAIN users", () => {
  const plainServer = { plainServer: true };
  const plainClient = (user: string, password: string) => ({
    plainUsername: user,
    plainPassword: password,
  });

  it("admits a user with the right password; the decision names the user", async () => {
    const { context, decisions } = await startAuthenticator((auth) =>
      auth.configurePlain("*", { admin: "s3cret", guest: "pässwörd 🙂" }),
    );
    await expectAllowed(await connect(context, plainServer, plainClient("admin", "s3cret")));
    await expectAllowed(await connect(context, plainServer, plainClient("guest", "pässwörd 🙂")));
    expect(decisions).toEqual([
      expect.objectContaining({
        mechanism: "PLAIN",
        allowed: true,
        statusCode: 200,
        userId: "admin",
      }),
      expect.objectContaining({
        mechanism: "PLAIN",
        allowed: true,
        statusCode: 200,
        userId: "guest",
      }),
    ]);
    expect(decisions[0]).toMatchObject({ address: "127.0.0.1", domain: "", reason: "OK" });
  });

  it("refuses a wrong password and an unknown user with status 400 on both sides", async () => {
    const { context, decisions } = await startAuthenticator((auth) =>
      auth.configurePlain("*", { admin: "s3cret" }),
    );
    await expectRefused(await connect(context, plainServer, plainClient("admin", "s3cret!")));
    await expectRefused(await connect(context, plainServer, plainClient("root", "s3cret")));
    // Names that are also Object.prototype's are just names.
    await expectRefused(await connect(context, plainServer, plainClient("constructor", "x")));
    expect(
      decisions.map((decision) => [decision.allowed, decision.statusCode, decision.reason]),
    ).toEqual([
      [false, 400, 'Wrong password for "admin"'],
      [false, 400, 'Unknown user "root"'],
      [false, 400, 'Unknown user "constructor"'],
    ]);
    expect(decisions.every((decision) => decision.userId === "")).toBe(true);
  });

  it("keeps users per zapDomain, with '*' for domains without their own", async () => {
    const { context, decisions } = await startAuthenticator((auth) =>
      auth.configurePlain("*", { anyone: "a" }).configurePlain("admin", { root: "r" }),
    );
    const adminServer = { ...plainServer, zapDomain: "admin" };
    await expectAllowed(await connect(context, adminServer, plainClient("root", "r")));
    await expectRefused(await connect(context, adminServer, plainClient("anyone", "a")));
    await expectAllowed(
      await connect(context, { ...plainServer, zapDomain: "web" }, plainClient("anyone", "a")),
    );
    await expectRefused(
      await connect(context, { ...plainServer, zapDomain: "web" }, plainClient("root", "r")),
    );
    expect(decisions.map((decision) => [decision.domain, decision.allowed])).toEqual([
      ["admin", true],
      ["admin", false],
      ["web", true],
      ["web", false],
    ]);
  });

  it("refuses every PLAIN client while no users are configured", async () => {
    const { context, decisions } = await startAuthenticator();
    await expectRefused(await connect(context, plainServer, plainClient("admin", "s3cret")));
    expect(decisions[0].reason).toBe('No PLAIN users for domain ""');
  });
});

// --- IP addresses -----------------------------------------------------------------------------

describe("IP allow and deny lists", () => {
  // libzmq asks ZAP about NULL connections only when the server has a zapDomain.
  const nullServer = { zapDomain: "ip" };

  it("allow list: 127.0.0.1 on the list passes, a list without it refuses", async () => {
    const allowed = await startAuthenticator((auth) => auth.allow("10.0.0.1", "127.0.0.1"));
    await expectAllowed(await connect(allowed.context, nullServer, {}));
    expect(allowed.decisions).toEqual([
      {
        address: "127.0.0.1",
        domain: "ip",
        mechanism: "NULL",
        allowed: true,
        statusCode: 200,
        reason: "OK",
        userId: "",
      },
    ]);
    const refused = await startAuthenticator((auth) => auth.allow("10.0.0.1"));
    await expectRefused(await connect(refused.context, nullServer, {}));
    expect(refused.decisions[0]).toMatchObject({
      allowed: false,
      reason: "Address 127.0.0.1 is not allowed",
    });
  });

  it("deny list: 127.0.0.1 on the list is refused, a list without it passes", async () => {
    const refused = await startAuthenticator((auth) => auth.deny("127.0.0.1"));
    await expectRefused(await connect(refused.context, nullServer, {}));
    expect(refused.decisions[0]).toMatchObject({
      allowed: false,
      reason: "Address 127.0.0.1 is denied",
    });
    const allowed = await startAuthenticator((auth) => auth.deny("10.0.0.1", "::1"));
    await expectAllowed(await connect(allowed.context, nullServer, {}));
  });

  it("the allow list wins over the deny list", async () => {
    const { context } = await startAuthenticator((auth) =>
      auth.deny("127.0.0.1").allow("127.0.0.1"),
    );
    await expectAllowed(await connect(context, nullServer, {}));
  });

  it("apply to CURVE and PLAIN clients too", async () => {
    const { context, decisions } = await startAuthenticator((auth) =>
      auth.deny("127.0.0.1").configureCurve("*", "any").configurePlain("*", { user: "pw" }),
    );
    const server = curveServer();
    await expectRefused(
      await connect(context, server.options, curveClient(server.keys.publicKey).options),
    );
    await expectRefused(
      await connect(context, { plainServer: true }, { plainUsername: "user", plainPassword: "pw" }),
    );
    expect(decisions.map((decision) => [decision.mechanism, decision.reason])).toEqual([
      ["CURVE", "Address 127.0.0.1 is denied"],
      ["PLAIN", "Address 127.0.0.1 is denied"],
    ]);
  });

  it("NULL servers without a zapDomain are not asked at all", async () => {
    const { context, decisions } = await startAuthenticator((auth) => auth.deny("127.0.0.1"));
    await expectAllowed(await connect(context, {}, {}));
    expect(decisions).toEqual([]);
  });

  it("an IPv4 entry matches an IPv4 client of an ipv6 socket (::ffff:127.0.0.1)", async () => {
    const { context, decisions } = await startAuthenticator((auth) => auth.allow("127.0.0.1"));
    await expectAllowed(
      await connect(context, { ...nullServer, ipv6: true }, {}, "tcp://[::ffff:127.0.0.1]:*"),
    );
    expect(decisions[0].address).toBe("::ffff:127.0.0.1");
  });
});

// --- CURVE ------------------------------------------------------------------------------------

describe("CURVE client keys", () => {
  it("an allowed key passes and the decision carries it; an unknown key is refused (400)", async () => {
    const server = curveServer();
    const known = curveClient(server.keys.publicKey);
    const { context, decisions } = await startAuthenticator((auth) =>
      auth.configureCurve("*", [curveKeyPair().publicKey, known.keys.publicKey]),
    );
    await expectAllowed(await connect(context, server.options, known.options));
    const stranger = curveClient(server.keys.publicKey);
    await expectRefused(await connect(context, server.options, stranger.options));
    expect(decisions).toEqual([
      expect.objectContaining({ mechanism: "CURVE", allowed: true, userId: known.keys.publicKey }),
      expect.objectContaining({
        mechanism: "CURVE",
        allowed: false,
        statusCode: 400,
        reason: `Unknown public key ${stranger.keys.publicKey}`,
        userId: "",
      }),
    ]);
  });

  it('"any" admits every client that knows the server key; keys may be given as bytes', async () => {
    const server = curveServer();
    const listed = curveClient(server.keys.publicKey);
    const { context } = await startAuthenticator((auth) =>
      auth
        .configureCurve("*", "any")
        .configureCurve("strict", new Set([z85Decode(listed.keys.publicKey)])),
    );
    await expectAllowed(
      await connect(context, server.options, curveClient(server.keys.publicKey).options),
    );
    const strict = { ...server.options, zapDomain: "strict" };
    await expectAllowed(await connect(context, strict, listed.options));
    await expectRefused(await connect(context, strict, curveClient(server.keys.publicKey).options));
  });

  it("refuses CURVE clients of a domain with no CURVE configuration", async () => {
    const server = curveServer();
    const { context, decisions } = await startAuthenticator((auth) =>
      auth.configureCurve("other", "any"),
    );
    await expectRefused(
      await connect(context, server.options, curveClient(server.keys.publicKey).options),
    );
    expect(decisions[0].reason).toBe('No CURVE clients for domain ""');
  });

  it("a change of configuration applies to the next handshake", async () => {
    const server = curveServer();
    const client = curveClient(server.keys.publicKey);
    const { context, auth } = await startAuthenticator((auth) => auth.configureCurve("*", []));
    await expectRefused(await connect(context, server.options, client.options));
    auth.configureCurve("*", [client.keys.publicKey]);
    await expectAllowed(await connect(context, server.options, client.options));
  });

  it("admits the clients whose certificates createCertificates wrote into a directory", async () => {
    const clients = tempDirectory();
    const alice = createCertificates(clients, "alice", { name: "Alice" });
    createCertificates(clients, "bob");
    // A secret certificate in the same directory is not a client's public key.
    const server = curveServer();
    const serverFiles = createCertificates(clients, "server");
    expect(loadPublicKeys(clients)).toHaveLength(3);
    const { context, decisions } = await startAuthenticator((auth) =>
      auth.configureCurve("*", { directory: clients }),
    );
    const aliceKeys = loadCertificate(alice.secretFile);
    const aliceClient = curveClient(server.keys.publicKey, {
      publicKey: aliceKeys.publicKey,
      secretKey: aliceKeys.secretKey!,
    });
    await expectAllowed(await connect(context, server.options, aliceClient.options));
    expect(decisions[0].userId).toBe(alice.publicKey);
    await expectRefused(
      await connect(context, server.options, curveClient(server.keys.publicKey).options),
    );
    expect(serverFiles.publicFile.endsWith("server.key")).toBe(true);
  });

  it("admits clients whose keys are in certificates written by pyzmq", async () => {
    const clients = tempDirectory();
    const { stdout } = await python(
      "import sys, zmq.auth; print(*zmq.auth.create_certificates(sys.argv[1], 'carol', {'name': 'Carol'}))",
      clients,
    );
    const [publicFile, secretFile] = stdout.trim().split(" ");
    const carol = loadCertificate(secretFile);
    const server = curveServer();
    const { context } = await startAuthenticator((auth) =>
      auth.configureCurve("*", { directory: clients }),
    );
    const client = curveClient(server.keys.publicKey, {
      publicKey: carol.publicKey,
      secretKey: carol.secretKey!,
    });
    await expectAllowed(await connect(context, server.options, client.options));
    expect(loadCertificate(publicFile).publicKey).toBe(carol.publicKey);
  });
});

// --- certificate files ------------------------------------------------------------------------

describe("certificate files", () => {
  it("createCertificates writes a public and a 0600 secret certificate that load back", () => {
    const directory = tempDirectory();
    const files = createCertificates(directory, "server", { name: "Server", motto: 'say "hi"' });
    expect(files.publicFile).toBe(path.join(directory, "server.key"));
    expect(files.secretFile).toBe(path.join(directory, "server.key_secret"));
    expect(fs.statSync(files.secretFile).mode & 0o777).toBe(0o600);
    expect(curvePublic(files.secretKey)).toBe(files.publicKey);

    const publicText = fs.readFileSync(files.publicFile, "utf8");
    expect(publicText).toMatch(/^#   \*\*\*\*  Generated on .* by zmq-napi  \*\*\*\*\n/);
    expect(publicText).toContain(`\ncurve\n    public-key = "${files.publicKey}"\n`);
    expect(publicText).not.toContain("secret-key");

    const publicCertificate = loadCertificate(files.publicFile);
    expect(publicCertificate).toEqual({
      publicKey: files.publicKey,
      secretKey: null,
      metadata: { name: "Server", motto: 'say "hi"' },
    });
    const secretCertificate = loadCertificate(files.secretFile);
    expect(secretCertificate.publicKey).toBe(files.publicKey);
    expect(secretCertificate.secretKey).toBe(files.secretKey);
  });

  it("replacing a secret certificate narrows a wider mode back to 0600", () => {
    const directory = tempDirectory();
    const first = createCertificates(directory, "node");
    fs.chmodSync(first.secretFile, 0o644);
    const second = createCertificates(directory, "node");
    expect(fs.statSync(second.secretFile).mode & 0o777).toBe(0o600);
    expect(second.publicKey).not.toBe(first.publicKey);
    expect(loadCertificate(second.secretFile).secretKey).toBe(second.secretKey);
  });

  it("loadPublicKeys reads every *.key file, sorted by name, and nothing else", () => {
    const directory = tempDirectory();
    const b = createCertificates(directory, "b");
    const a = createCertificates(directory, "a");
    fs.writeFileSync(path.join(directory, "notes.txt"), "not a certificate");
    fs.mkdirSync(path.join(directory, "sub.key"));
    expect(loadPublicKeys(directory)).toEqual([a.publicKey, b.publicKey]);
    expect(loadPublicKeys(tempDirectory())).toEqual([]);
  });

  it("reads pyzmq's certificates, and pyzmq reads ours", async () => {
    const directory = tempDirectory();
    const { stdout } = await python(
      [
        "import sys, zmq.auth",
        "pub, sec = zmq.auth.create_certificates(sys.argv[1], 'py', {'name': 'Py', 'email': 'py@example.com'})",
        "p, s = zmq.auth.load_certificate(sec)",
        "print(pub, sec, p.decode(), s.decode())",
      ].join("\n"),
      directory,
    );
    const [publicFile, secretFile, publicKey, secretKey] = stdout.trim().split(" ");
    expect(loadCertificate(publicFile)).toEqual({ publicKey, secretKey: null, metadata: {} });
    // pyzmq writes the metadata, unquoted, into the secret certificate only.
    expect(loadCertificate(secretFile)).toEqual({
      publicKey,
      secretKey,
      metadata: { name: "Py", email: "py@example.com" },
    });

    const ours = createCertificates(directory, "ours", { name: "Ours" });
    const read = await python(
      [
        "import sys, zmq.auth",
        "p, s = zmq.auth.load_certificate(sys.argv[1])",
        "keys = zmq.auth.load_certificates(sys.argv[2])",
        "print(p.decode(), s.decode(), len(keys), p in keys)",
      ].join("\n"),
      ours.secretFile,
      directory,
    );
    expect(read.stdout.trim()).toBe(`${ours.publicKey} ${ours.secretKey} 2 True`);
  });

  it("tolerates the variants of czmq's zcert and hand-edited files", () => {
    const { publicKey, secretKey } = curveKeyPair();
    // As czmq's zconfig writes it.
    const czmq = [
      "#   ****  Generated on 2016-03-01 12:00:00 by CZMQ  ****",
      "#   ZeroMQ CURVE **Secret** Certificate",
      "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.",
      "",
      "metadata",
      '    name = "czmq node"',
      "    quote = 'say \"hi\"'",
      "curve",
      `    public-key = "${publicKey}"`,
      `    secret-key = "${secretKey}"`,
      "",
    ].join("\n");
    expect(parseCertificate(czmq)).toEqual({
      publicKey,
      secretKey,
      metadata: { name: "czmq node", quote: 'say "hi"' },
    });
    // CRLF, a byte order mark, tabs, comments after values and section names, single quotes,
    // bare values, a name without value, unknown sections and sub-properties.
    const edited = [
      "\uFEFF# edited by hand",
      "metadata   # who this is",
      "\tname = bare value  # a comment",
      "\tflag",
      "\t\tnested = ignored",
      "other",
      '\tpublic-key = "not this one"',
      "curve",
      `\tpublic-key = '${publicKey}'   # the key`,
      "",
    ].join("\r\n");
    expect(parseCertificate(edited)).toEqual({
      publicKey,
      secretKey: null,
      metadata: { name: "bare value", flag: "" },
    });
    // Z85 keys may contain '#' and '=': inside quotes they are not comments or separators.
    const hashKey = "#".repeat(4) + "0".repeat(36);
    expect(() => parseCertificate(`curve\n    public-key = "${hashKey}"\n`)).toThrow(
      CertificateError,
    );
    const tricky = curveKeyPairWith("#", "=");
    expect(parseCertificate(`curve\n    public-key = "${tricky}"\n`).publicKey).toBe(tricky);
  });

  it("rejects malformed certificates with a CertificateError naming file and line", () => {
    const { publicKey, secretKey } = curveKeyPair();
    const other = curveKeyPair();
    const cases: Array<[string, RegExp]> = [
      ["metadata\n", /No public-key in the curve section \(test\.key\)/],
      [`public-key = "${publicKey}"\n`, /No public-key in the curve section/],
      [
        'curve\n    public-key = "abc"\n',
        /Expected a 40-character Z85 public-key but found "abc" \(test\.key:2\)/,
      ],
      [
        "curve\n    public-key\n",
        /Expected a 40-character Z85 public-key but found no value \(test\.key:2\)/,
      ],
      [
        `curve\n    public-key = "${publicKey}"\n    secret-key = "${other.secretKey}"\n`,
        /secret-key does not belong to public-key \(test\.key:3\)/,
      ],
      [`curve\n    public-key = "${publicKey}\n`, /Unterminated "-quoted value \(test\.key:2\)/],
      [`curve\n    public-key = "${publicKey}" trailing\n`, /Unexpected text after a quoted value/],
      [
        `curve\n    public-key = "${publicKey}"\n    public-key = "${publicKey}"\n`,
        /Duplicate property public-key \(test\.key:3\)/,
      ],
      [
        `curve\n        public-key = "${publicKey}"\n    secret-key = "${secretKey}"\n`,
        /Inconsistent indentation \(test\.key:3\)/,
      ],
      ["this is not a certificate\n", /Malformed line \(25 characters\) \(test\.key:1\)/],
    ];
    for (const [text, message] of cases) {
      let caught: unknown;
      try {
        parseCertificate(text, "test.key");
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(CertificateError);
      expect((caught as CertificateError).message).toMatch(message);
      expect((caught as CertificateError).code).toBe("ERR_INVALID_CERTIFICATE");
      expect((caught as CertificateError).file).toBe("test.key");
    }
    const directory = tempDirectory();
    fs.writeFileSync(path.join(directory, "broken.key"), 'curve\n    public-key = "short"\n');
    expect(() => loadPublicKeys(directory)).toThrow(
      expect.objectContaining({ file: path.join(directory, "broken.key"), line: 2 }),
    );
    expect(() => loadCertificate(path.join(directory, "missing.key"))).toThrow(
      expect.objectContaining({ code: "ENOENT" }),
    );
  });

  it("createCertificates validates its arguments", () => {
    const directory = tempDirectory();
    expect(() => createCertificates(directory, "a/b")).toThrow(RangeError);
    expect(() => createCertificates(directory, "..")).toThrow(RangeError);
    expect(() => createCertificates(directory, "")).toThrow(RangeError);
    expect(() => createCertificates(directory, 42 as never)).toThrow(TypeError);
    expect(() => createCertificates(directory, "x", { name: "two\nlines" })).toThrow(RangeError);
    expect(() => createCertificates(directory, "x", { name: `both ' and "` })).toThrow(RangeError);
    expect(() => createCertificates(directory, "x", { "bad key": "v" })).toThrow(RangeError);
    expect(() => createCertificates(directory, "x", { name: 1 as never })).toThrow(TypeError);
    expect(fs.readdirSync(directory)).toEqual([]);
  });
});

/** A key pair's public key that contains each of `characters` (found by drawing pairs). */
function curveKeyPairWith(...characters: string[]): string {
  for (;;) {
    const { publicKey } = curveKeyPair();
    if (characters.every((character) => publicKey.includes(character))) return publicKey;
  }
}

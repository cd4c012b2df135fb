// Every fenced code block of README.md and docs/**/*.md (but docs/api/, which typedoc writes) is
// checked here, one test case per block, named `file:line (language)` after its opening fence,
// so that the documentation cannot drift from the code. A block in a language this file does not
// know how to check fails; so does a block with an unknown annotation.
//
// What is checked, by language:
//
// - js, javascript, mjs, cjs: the block runs as a program against this repository (`zmq-napi`
//   resolves to it through a `node_modules/zmq-napi` symlink in a temporary directory) and must
//   exit with 0. It is an ES module when it has `import`/`export` or a top-level `await`, and
//   CommonJS when it calls `require()`; mixing the two fails. At its end every top-level variable
//   it declares must be defined (a misspelt export or property is caught that way).
// - ts, typescript: type-checked with tsc (strict, node16 modules, @types/node), then transpiled
//   with `typescript`'s transpileModule and run like a js block.
// - python, py: run with /usr/bin/python3 (Debian's python3-zmq).
// - sh, bash, shell, console (`$ ` lines): each command is checked without running it:
//   `npm run X` and `npm test` name a script of package.json (`npm run example -- X` also an
//   example that `examples/run.mjs` lists); `npm install`/`bun add` install nothing but this
//   package; `npm pack` and `npm ci` are allowed; `node FILE …` names a file that exists (a bare
//   name such as `app.mjs` stands for the reader's program) and each `--option` appears in what
//   `node FILE --help` prints (in the file's source when it has no --help); `deno run` options
//   appear in `deno run --help`; `bun` is installed; `apt-get install` names only packages that
//   .ci/run installs. Any other command fails the check. With `run` (below) the block is run
//   instead.
// - text: not code (a diagram, a grammar); every repository path it names must exist.
//
// Programs run in a user and network namespace of their own (`unshare -rn`, lo up), so the
// fixed ports of the docs (5555…) collide neither with each other nor with other tests; each run
// has a 30 s limit, and up to RUN_CONCURRENCY runs go at once. The runner is
// test/helpers/docs-snippet-runner.mjs.
//
// Annotations: an HTML comment on the line before the fence (a blank line between is allowed),
// `<!-- snippet: directive; directive … -->`, says how to run a block that is not a complete
// program on its own:
//
//   fixture NAME[, NAME]   wrap the block in the named fixtures (`fixtures` below): code before it
//                          (the sockets and values it talks about) and after it (checks of what it
//                          claims, and closing what keeps the process alive)
//   imports                import the zmq-napi (and zmq-napi/draft) names the block uses
//   prints                 its standard output must be the `// …` comments on or after its
//                          `console.log(…)` lines (white space collapsed; a comment that is a
//                          quoted string stands for its content)
//   throws CODE            it must fail with an uncaught ZmqError of that code, and the message
//                          written after `ZmqError CODE` in its comments
//   service                a server: it runs until the other programs of its run are done (and,
//                          with `prints`, until it printed that), must not exit before, and is
//                          then stopped
//   repeat                 run again each time it exits with 0 until the rest of its run is done
//                          (a PGM publisher: there is no handshake, so repeat the first message)
//   group NAME             the blocks of a file with the same group run together, each in a
//                          process of its own (a server block and its client block)
//   peer NAME [ARG…]       also run the test's peer program NAME (`peers` below) in the run
//   multicast [ADDR…]      route 224.0.0.0/4 through lo and give lo these addresses (the
//                          interfaces PGM endpoints name)
//   unprivileged           run as uid 65534 in a nested user namespace, without CAP_NET_RAW
//   deno                   run with `deno run -A` instead of node
//   run FILE…              (sh) run the script as it is, outside any namespace of ours, in a
//                          directory holding the test's files FILE… (`files` below); it must
//                          exit with 0 and print what those files say it prints
//   variant K=V…           (sh, with run) run it again with these environment variables
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { runChild } from "./helpers/children";

const root = path.join(__dirname, "..");
const runner = path.join(__dirname, "helpers", "docs-snippet-runner.mjs");
const RUN_TIMEOUT_MS = 30_000;
// tsc alone takes seconds on an idle machine and tens of them on a loaded one.
const TSC_TIMEOUT_MS = 90_000;
const RUN_CONCURRENCY = 4;
const keep = process.env.ZMQ_NAPI_KEEP_SNIPPETS === "1"; // keep the generated programs

// ---------------------------------------------------------------------------------------------
// Fixtures. Their code may use $zmq, $draft, $assert and $fs, imported for every program that
// uses a fixture; names they declare start with $ unless the block refers to them.

interface Fixture {
  before?: string;
  after?: string;
}

/** Two sockets joined over inproc, and a helper to make such pairs. */
const pairHelper = `
async function $pair(name, messages) {
  const pull = new $zmq.Pull();
  await pull.bind(\`inproc://docs-\${name}\`);
  const push = new $zmq.Push();
  push.connect(\`inproc://docs-\${name}\`);
  for (const message of messages) await push.send(message);
  return pull;
}`;

const requestBefore = `
const $server = new $zmq.Reply();
await $server.bind("inproc://docs-request");
void (async () => {
  for await (const [message] of $server) await $server.send(message);
})();
const socket = new $zmq.Request();
socket.connect("inproc://docs-request");
const request = "ping";`;
const requestAfter = `
$assert.equal(String(reply), "ping");
socket.close();
$server.close();`;

const fixtures: Record<string, Fixture> = {
  // `zmq` as the guides use it.
  zmq: { before: `import * as zmq from "zmq-napi";` },
  // The v5 API; zeromq 6 carries it as zeromq/v5-compat.
  "zeromq-v5": { before: `const zmq = require("zeromq/v5-compat");` },
  "push-pull": {
    before: `
const pull = new $zmq.Pull();
await pull.bind("inproc://docs-push-pull");
const push = new $zmq.Push();
push.connect("inproc://docs-push-pull");`,
  },
  // The replies arrive in the order of the calls.
  "queued-replies": {
    after: `
const $frames = (await Promise.all(replies)).map((message) => message.map(String));
$assert.deepEqual($frames, [["a"], ["b"], ["c", "d"]]);`,
  },
  // \`socket\`, a Request connected to an echo server, and \`request\`.
  request: { before: requestBefore, after: requestAfter },
  // The same, with the request sent.
  "request-sent": { before: `${requestBefore}\nawait socket.send(request);`, after: requestAfter },
  // Two sockets with messages waiting, and handlers that close their socket once they have them
  // all, which ends the loops.
  "polling-loops": {
    before: `${pairHelper}
const tasks = await $pair("tasks", ["task 1", "task 2"]);
const control = await $pair("control", ["stop"]);
const $handled = { tasks: [], control: [] };
const onTask = async (frames) => {
  $handled.tasks.push(String(frames));
  if ($handled.tasks.length === 2) tasks.close();
};
const onControl = async (frames) => {
  $handled.control.push(String(frames));
  control.close();
};`,
    after: `$assert.deepEqual($handled, { tasks: ["task 1", "task 2"], control: ["stop"] });`,
  },
  // Two sockets with messages waiting; \`handle\` exits once every message came, in order.
  racing: {
    before: `${pairHelper}
const a = await $pair("a", ["a1", "a2"]);
const b = await $pair("b", ["b1", "b2"]);
const $seen = [];
function handle(socket, frames) {
  $seen.push(\`\${socket === a ? "a" : "b"}:\${frames}\`);
  if ($seen.length === 4) {
    $assert.deepEqual($seen.filter((item) => item.startsWith("a")), ["a:a1", "a:a2"]);
    $assert.deepEqual($seen.filter((item) => item.startsWith("b")), ["b:b1", "b:b2"]);
    process.exit(0);
  }
}`,
  },
  // The ventilator's \`sender\`; three workers connect a little later.
  "ventilator-events": {
    before: `
const sender = new $zmq.Push();
await sender.bind("tcp://127.0.0.1:5557");
const $workers = [1, 2, 3].map(() => new $zmq.Pull());
setTimeout(() => {
  for (const worker of $workers) worker.connect("tcp://127.0.0.1:5557");
}, 100);`,
    after: `
$assert.equal(connected, 3);
for (const worker of $workers) worker.close();
sender.close();`,
  },
  // The broker's sockets; afterwards, the proxy has closed them.
  "router-dealer": {
    before: `
const frontend = new $zmq.Router();
await frontend.bind("tcp://127.0.0.1:5559");
const backend = new $zmq.Dealer();
await backend.bind("tcp://127.0.0.1:5560");`,
    after: `$assert.ok(frontend.closed && backend.closed);`,
  },
  "routing-check": {
    after: `
$assert.equal(String(id), "dealer-1");
$assert.equal(String(reply), "pong:ping");`,
  },
  "dish-check": {
    after: `
$assert.ok(Buffer.isBuffer(group));
$assert.equal(String(group), "weather");
$assert.equal(String(body), "sunny");`,
  },
  "curve-keys-check": {
    after: `
$assert.equal(server.publicKey.length, 40);
$assert.equal(curvePublic(server.secretKey), server.publicKey);
$assert.equal(bytes.length, 32);
$assert.equal(z85Encode(bytes), server.publicKey);
$assert.equal(isZ85Key(server.publicKey), true);`,
  },
  // The PLAIN client gets through; then stop what keeps the process alive.
  "plain-check": {
    after: `
await client.send("hello");
$assert.equal(String((await server.receive())[0]), "hello");
await auth.stop();
client.close();
server.close();`,
  },
  "certificate-directories": {
    before: `
$fs.mkdirSync("certificates/server", { recursive: true });
$fs.mkdirSync("certificates/clients", { recursive: true });`,
  },
  "certificates-check": {
    after: `
$assert.equal(server.publicFile, "certificates/server/server.key");
$assert.equal(server.secretFile, "certificates/server/server.key_secret");
$assert.equal($fs.statSync(server.secretFile).mode & 0o777, 0o600);
$assert.deepEqual({ publicKey, secretKey }, { publicKey: server.publicKey, secretKey: server.secretKey });
const $client = loadCertificate("certificates/clients/client-1.key");
$assert.equal($client.metadata.name, "client 1");
$assert.equal($client.secretKey, null);
$assert.deepEqual(clientKeys, [$client.publicKey]);`,
  },
  // A server certificate and one client's, as an administrator would have provisioned them.
  certificates: {
    before: `
$fs.mkdirSync("certificates/server", { recursive: true });
$fs.mkdirSync("certificates/clients", { recursive: true });
$zmq.createCertificates("certificates/server", "server");
$zmq.createCertificates("certificates/clients", "client-1");`,
  },
  // The provisioned client gets through.
  "curve-client-check": {
    after: `
const $keys = $zmq.loadCertificate("certificates/clients/client-1.key_secret");
const $client = new $zmq.Dealer({
  curveServerKey: $zmq.loadCertificate("certificates/server/server.key").publicKey,
  curvePublicKey: $keys.publicKey,
  curveSecretKey: $keys.secretKey,
});
$client.connect("tcp://127.0.0.1:5555");
await $client.send("hello");
const [, $body] = await server.receive();
$assert.equal(String($body), "hello");
await auth.stop();
$client.close();
server.close();`,
  },
  "server-secret-key": { before: `const { secretKey } = $zmq.curveKeyPair();` },
  // A client with a wrong server key: the server sees "handshake:error:protocol", as the table
  // says.
  "wrong-server-key": {
    after: `
const $failed = new Promise((resolve) => server.events.on("handshake:error:protocol", resolve));
const $keys = $zmq.curveKeyPair();
const $client = new $zmq.Dealer({
  curveServerKey: $zmq.curveKeyPair().publicKey,
  curvePublicKey: $keys.publicKey,
  curveSecretKey: $keys.secretKey,
});
$client.connect("tcp://127.0.0.1:5555");
$assert.equal((await $failed).error.code, "ERR_ZMTP_CRYPTOGRAPHIC");
$client.close();
server.close();`,
  },
};

// Peer programs (`peer NAME [ARG…]`): ES modules, given the ARGs as process.argv.slice(2).
const peers: Record<string, string> = {
  // A REQ client: "Hello" three times; every reply must start with "World".
  "request-hello": `
import { Request } from "zmq-napi";
const [endpoint = "tcp://127.0.0.1:5555"] = process.argv.slice(2);
const client = new Request({ receiveTimeout: 15_000 });
client.connect(endpoint);
for (let i = 0; i < 3; i++) {
  await client.send("Hello");
  const [reply] = await client.receive();
  console.log(String(reply));
  if (!String(reply).startsWith("World")) throw new Error(\`unexpected reply \${reply}\`);
}
client.close();`,
  // A PULL server that must receive one message.
  "pull-one": `
import { Pull } from "zmq-napi";
const [endpoint = "tcp://127.0.0.1:5555"] = process.argv.slice(2);
const pull = new Pull({ receiveTimeout: 15_000 });
await pull.bind(endpoint);
const message = await pull.receive();
console.log(message.map(String));
pull.close();`,
};

// Files for shell blocks run as they are (`run FILE…`), and what each makes the script print.
interface ScriptFile {
  source: string;
  prints: (env: Record<string, string>) => string[];
}

const files: Record<string, ScriptFile> = {
  // The guide's "program of the namespace": PGM between sockets of one namespace, over lo.
  "publisher-and-subscriber.mjs": {
    source: `
import { Publisher, Subscriber } from "zmq-napi";
for (const scheme of ["epgm", "pgm"]) {
  const endpoint = \`\${scheme}://127.0.0.1;239.192.1.1:5555\`;
  const sub = new Subscriber();
  sub.connect(endpoint);
  sub.subscribe();
  const pub = new Publisher();
  pub.connect(endpoint);
  const publishing = setInterval(() => pub.send(\`hello over \${scheme}\`), 50);
  const [message] = await sub.receive();
  clearInterval(publishing);
  console.log(String(message));
  sub.close();
  pub.close();
}`,
    prints: () => ["hello over epgm", "hello over pgm"],
  },
  // "subscriber.mjs and publisher.mjs connect a Subscriber and a Publisher to process.env.EP; the
  // publisher sends for a few seconds".
  "subscriber.mjs": {
    source: `
import { Subscriber } from "zmq-napi";
const sub = new Subscriber({ receiveTimeout: 15_000 });
sub.connect(process.env.EP);
sub.subscribe("news");
const [topic, body] = await sub.receive();
console.log(\`subscriber on \${process.env.EP}: \${topic} \${body}\`);
sub.close();`,
    prints: (env) => [`subscriber on ${env.SCHEME ?? "epgm"}://10.9.0.2;239.192.1.1:5555: news`],
  },
  "publisher.mjs": {
    source: `
import { Publisher } from "zmq-napi";
const pub = new Publisher({ rate: 10_000 });
pub.connect(process.env.EP);
const until = Date.now() + 3000;
for (let i = 0; Date.now() < until; i++) {
  await pub.send(["news", String(i)]);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
pub.close();`,
    prints: () => [],
  },
};

// ---------------------------------------------------------------------------------------------
// Reading the blocks.

interface Directives {
  fixtures: string[];
  imports: boolean;
  prints: boolean;
  throws: string | null;
  service: boolean;
  repeat: boolean;
  group: string | null;
  peers: { name: string; args: string[] }[];
  multicast: string[] | null;
  unprivileged: boolean;
  deno: boolean;
  run: string[] | null;
  variants: Record<string, string>[];
}

type Language = "js" | "ts" | "python" | "shell" | "text";

interface Block {
  file: string; // relative to the root
  line: number; // of the opening fence, 1-based
  info: string; // the fence's language word
  language: Language | null;
  code: string;
  directives: Directives;
  problems: string[]; // in the block's annotation
}

const LANGUAGES: Record<string, Language> = {
  js: "js",
  javascript: "js",
  mjs: "js",
  cjs: "js",
  ts: "ts",
  typescript: "ts",
  python: "python",
  py: "python",
  sh: "shell",
  bash: "shell",
  shell: "shell",
  console: "shell",
  text: "text",
};

function docFiles(): string[] {
  const found = ["README.md"];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.posix.join(dir, entry.name);
      if (entry.isDirectory() && relative !== "docs/api") walk(relative);
      else if (entry.isFile() && entry.name.endsWith(".md")) found.push(relative);
    }
  };
  walk("docs");
  return found.sort();
}

const ANNOTATION = /^\s*<!-{2}\s*snippet:(.*?)-{2}>\s*$/; // (<!-{2}: "<!--" trips a parser)

function parseDirectives(text: string, problems: string[]): Directives {
  const directives: Directives = {
    fixtures: [],
    imports: false,
    prints: false,
    throws: null,
    service: false,
    repeat: false,
    group: null,
    peers: [],
    multicast: null,
    unprivileged: false,
    deno: false,
    run: null,
    variants: [],
  };
  for (const part of text.split(";")) {
    const [word, ...args] = part
      .trim()
      .split(/[\s,]+/)
      .filter(Boolean);
    const flag = (): boolean => {
      if (args.length) problems.push(`"${word}" takes no arguments`);
      return true;
    };
    switch (word) {
      case undefined:
        break;
      case "fixture":
        for (const name of args) {
          if (Object.hasOwn(fixtures, name)) directives.fixtures.push(name);
          else problems.push(`no fixture named "${name}"`);
        }
        break;
      case "peer":
        if (args[0] && Object.hasOwn(peers, args[0])) {
          directives.peers.push({ name: args[0], args: args.slice(1) });
        } else problems.push(`no peer named "${args[0] ?? ""}"`);
        break;
      case "group":
        if (args.length === 1) directives.group = args[0]!;
        else problems.push("group takes one name");
        break;
      case "throws":
        if (args.length === 1) directives.throws = args[0]!;
        else problems.push("throws takes one error code");
        break;
      case "multicast":
        directives.multicast = args;
        break;
      case "run":
        for (const name of args) {
          if (!Object.hasOwn(files, name)) problems.push(`no file named "${name}"`);
        }
        directives.run = args;
        break;
      case "variant":
        directives.variants.push(
          Object.fromEntries(
            args.map((assignment) => {
              const [key, ...value] = assignment.split("=");
              if (!value.length) problems.push(`variant needs K=V, not "${assignment}"`);
              return [key, value.join("=")];
            }),
          ),
        );
        break;
      case "imports":
      case "prints":
      case "service":
      case "repeat":
      case "unprivileged":
      case "deno":
        directives[word] = flag();
        break;
      default:
        problems.push(`unknown directive "${word}"`);
    }
  }
  return directives;
}

interface FileBlocks {
  blocks: Block[];
  strayAnnotations: number[];
}

function readBlocks(file: string): FileBlocks {
  const lines = fs.readFileSync(path.join(root, file), "utf8").split("\n");
  const blocks: Block[] = [];
  const usedAnnotations = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[j]);
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) break;
      const text = lines[j];
      body.push(text.startsWith(indent) ? text.slice(indent.length) : text.trimStart());
    }
    const problems: string[] = [];
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === "") k--;
    const annotation = k >= 0 ? ANNOTATION.exec(lines[k]) : null;
    if (annotation) usedAnnotations.add(k);
    const directives = parseDirectives(annotation?.[1] ?? "", problems);
    const language = LANGUAGES[info.toLowerCase()] ?? null;
    blocks.push({
      file,
      line: i + 1,
      info,
      language,
      code: body.join("\n"),
      directives,
      problems,
    });
    i = j;
  }
  const strayAnnotations = lines
    .map((text, index) =>
      /<!-{2}\s*snippet/.test(text) && !usedAnnotations.has(index) ? index : -1,
    )
    .filter((index) => index >= 0)
    .map((index) => index + 1);
  return { blocks, strayAnnotations };
}

// ---------------------------------------------------------------------------------------------
// Analysing and assembling programs.

interface Analysis {
  esm: boolean; // import/export declarations or a top-level await
  usesRequire: boolean;
  variables: string[]; // top-level variables
  declared: Set<string>; // every top-level binding
  identifiers: Set<string>; // names it refers to
}

function analyse(code: string, typescript: boolean): Analysis {
  const source = ts.createSourceFile(
    typescript ? "block.mts" : "block.mjs",
    code,
    ts.ScriptTarget.Latest,
    true,
    typescript ? ts.ScriptKind.TS : ts.ScriptKind.JS,
  );
  const result: Analysis = {
    esm: false,
    usesRequire: false,
    variables: [],
    declared: new Set(),
    identifiers: new Set(),
  };
  const bindingNames = (name: ts.BindingName, into: string[]): void => {
    if (ts.isIdentifier(name)) into.push(name.text);
    else {
      for (const element of name.elements) {
        if (!ts.isOmittedExpression(element)) bindingNames(element.name, into);
      }
    }
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      result.esm = true;
      const clause = statement.importClause;
      if (clause?.name) result.declared.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) result.declared.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) result.declared.add(element.name.text);
      }
    } else if (ts.isExportDeclaration(statement) || ts.isExportAssignment(statement)) {
      result.esm = true;
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const names: string[] = [];
        bindingNames(declaration.name, names);
        result.variables.push(...names);
        for (const name of names) result.declared.add(name);
      }
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) &&
      statement.name
    ) {
      result.declared.add(statement.name.text);
    }
  }
  const visit = (node: ts.Node, inFunction: boolean): void => {
    if (
      !inFunction &&
      (ts.isAwaitExpression(node) ||
        (ts.isForOfStatement(node) && node.awaitModifier !== undefined) ||
        (ts.isVariableDeclarationList(node) &&
          (node.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing))
    ) {
      result.esm = true;
    }
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "require"
    ) {
      result.usesRequire = true;
    }
    if (ts.isIdentifier(node)) {
      const parent = node.parent;
      const isName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        (ts.isBindingElement(parent) && parent.propertyName === node) ||
        (ts.isMethodDeclaration(parent) && parent.name === node) ||
        (ts.isPropertyDeclaration(parent) && parent.name === node);
      if (!isName) result.identifiers.add(node.text);
    }
    const entersFunction = inFunction || ts.isFunctionLike(node);
    ts.forEachChild(node, (child) => visit(child, entersFunction));
  };
  visit(source, false);
  return result;
}

const requireFromRoot = createRequire(path.join(root, "package.json"));
let exportedNames: { main: Set<string>; draft: Set<string> } | undefined;

function exportsOfPackage(): { main: Set<string>; draft: Set<string> } {
  exportedNames ??= {
    main: new Set(Object.keys(requireFromRoot(path.join(root, "lib", "index.js")) as object)),
    draft: new Set(Object.keys(requireFromRoot(path.join(root, "lib", "draft.js")) as object)),
  };
  return exportedNames;
}

const normalize = (text: string): string => text.replace(/\s+/g, " ").trim();

/** The output a block documents: the `// …` comments on or after its console.log lines. */
function documentedOutput(code: string): string {
  const lines = code.split("\n");
  const parts: string[] = [];
  const unquote = (text: string): string => {
    const quoted = /^(["'])(.*)\1$/.exec(text.trim());
    return quoted ? quoted[2] : text;
  };
  lines.forEach((line, index) => {
    if (!line.includes("console.log(")) return;
    const trailing = /\);\s*\/\/ ?(.*)$/.exec(line);
    if (trailing) {
      parts.push(unquote(trailing[1]));
      return;
    }
    for (let next = index + 1; next < lines.length; next++) {
      const comment = /^\s*\/\/ ?(.*)$/.exec(lines[next]);
      if (!comment) break;
      parts.push(unquote(comment[1]));
    }
  });
  return normalize(parts.join(" "));
}

/** The message a block documents for its error: the comment text after `ZmqError CODE`. */
function documentedError(code: string, errorCode: string): string | null {
  const lines = code.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const found = new RegExp(`ZmqError ${errorCode}\\b:?\\s*(.*)$`).exec(lines[index]);
    if (!found) continue;
    const text = [found[1]];
    for (let next = index + 1; next < lines.length; next++) {
      const comment = /^\s*\/\/ ?(.*)$/.exec(lines[next]);
      if (!comment) break;
      text.push(comment[1]);
    }
    const joined = normalize(text.join(" "));
    const quoted = /^"([^"]*)"/.exec(joined);
    return quoted ? quoted[1] : joined || null;
  }
  return null;
}

interface Program {
  source: string;
  extension: ".mjs" | ".cjs" | ".mts" | ".py";
}

/** The block as a program: its fixtures around it, its imports, the check of its variables. */
function assemble(block: Block): Program {
  if (block.language === "python") {
    return { source: "\n".repeat(block.line) + block.code + "\n", extension: ".py" };
  }
  const typescript = block.language === "ts";
  const { directives } = block;
  const chosen = directives.fixtures.map((name) => fixtures[name]);
  const befores = chosen.map((fixture) => fixture.before?.trim() ?? "").filter(Boolean);
  const afters = chosen.map((fixture) => fixture.after?.trim() ?? "").filter(Boolean);
  const analysis = analyse(block.code, typescript);
  const whole = analyse([...befores, block.code, ...afters].join("\n"), typescript);
  if (whole.usesRequire && whole.esm) {
    throw new Error(
      "the block mixes require() with ES module syntax (import, export or a top-level await): " +
        "it runs neither as CommonJS nor as an ES module",
    );
  }
  const commonjs = whole.usesRequire && !typescript;
  const head: string[] = [];
  if (chosen.length) {
    head.push(
      commonjs
        ? 'const $zmq = require("zmq-napi"); const $draft = require("zmq-napi/draft"); ' +
            'const $assert = require("node:assert").strict; const $fs = require("node:fs");'
        : 'import * as $zmq from "zmq-napi"; import * as $draft from "zmq-napi/draft"; ' +
            'import { strict as $assert } from "node:assert"; import * as $fs from "node:fs";',
    );
  }
  head.push(...befores);
  if (directives.imports) {
    const { main, draft } = exportsOfPackage();
    const wanted = [...analysis.identifiers].filter((name) => !analysis.declared.has(name));
    const fromMain = wanted.filter((name) => main.has(name)).sort();
    const fromDraft = wanted.filter((name) => !main.has(name) && draft.has(name)).sort();
    for (const [names, specifier] of [
      [fromMain, "zmq-napi"],
      [fromDraft, "zmq-napi/draft"],
    ] as const) {
      if (!names.length) continue;
      head.push(
        commonjs
          ? `const { ${names.join(", ")} } = require("${specifier}");`
          : `import { ${names.join(", ")} } from "${specifier}";`,
      );
    }
  }
  // Put the block on the lines it has in the document, when the code before it fits, so that
  // a stack trace's line numbers are the document's.
  const before = head.join("\n");
  const beforeLines = before ? before.split("\n").length : 0;
  const padding = beforeLines ? Math.max(1, block.line + 1 - beforeLines) : block.line;
  const tail: string[] = [];
  if (analysis.variables.length) {
    tail.push(
      `for (const [$name, $value] of Object.entries({ ${analysis.variables.join(", ")} })) {`,
      "  if ($value === undefined) throw new Error(`${$name} is undefined at the end of the snippet`);",
      "}",
    );
  }
  tail.push(...afters);
  return {
    source: `${before}${"\n".repeat(padding)}${block.code}\n${tail.join("\n")}\n`,
    extension: typescript ? ".mts" : commonjs ? ".cjs" : ".mjs",
  };
}

// ---------------------------------------------------------------------------------------------
// Runs: the programs that run together, in one namespace.

interface Member {
  name: string;
  block: Block | null; // null for a peer
  role: "finish" | "service" | "repeat";
  write: (dir: string) => Promise<{ argv: string[]; problem?: string }>;
  unprivileged: boolean;
  awaitOutput: string | null;
  env: Record<string, string>;
}

interface Run {
  key: string;
  members: Member[];
  network: { multicast: boolean; addresses: string[] } | null;
  expectPrinted: string[]; // for shell scripts run as they are
}

interface MemberResult {
  name: string;
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  stopped: boolean;
  runs: number;
}

interface RunResult {
  problems: string[];
  setupError: string | null;
  timedOut: boolean;
  /** Why the runner was stopped from outside (its stdin closed, a signal), if it was. */
  aborted?: string | null;
  members: MemberResult[];
}

const slug = (block: Block): string => `${block.file.replace(/[/.]/g, "_")}-L${block.line}`;
let workDir = "";

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2022", "ESNext.Disposable"],
    module: "node16",
    moduleResolution: "node16",
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [path.join(root, "node_modules", "@types")],
  },
};

function programMember(block: Block): Member {
  const { directives } = block;
  const name = `${block.file}:${block.line}`;
  return {
    name,
    block,
    role: directives.service ? "service" : directives.repeat ? "repeat" : "finish",
    unprivileged: directives.unprivileged,
    awaitOutput: directives.service && directives.prints ? documentedOutput(block.code) : null,
    env: {},
    write: async (dir) => {
      const program = assemble(block);
      const base = path.join(dir, slug(block));
      if (program.extension === ".py") {
        fs.writeFileSync(`${base}.py`, program.source);
        return { argv: ["/usr/bin/python3", "-u", `${base}.py`] };
      }
      let file = `${base}${program.extension}`;
      fs.writeFileSync(file, program.source);
      if (program.extension === ".mts") {
        const config = `${base}.tsconfig.json`;
        fs.writeFileSync(config, JSON.stringify({ ...TSCONFIG, files: [file] }));
        const tsc = requireFromRoot.resolve("typescript/bin/tsc");
        const checked = await runChild([process.execPath, tsc, "-p", config], {
          cwd: dir,
          timeoutMs: TSC_TIMEOUT_MS,
          name: "tsc",
        });
        if (checked.timedOut) {
          return {
            argv: [],
            problem: `tsc was killed by its time limit after ${TSC_TIMEOUT_MS} ms; its output so far:\n${checked.stdout}${checked.stderr}`,
          };
        }
        if (checked.code !== 0) {
          const how = checked.signal ? `signal ${checked.signal}` : `exit code ${checked.code}`;
          return { argv: [], problem: `tsc (${how}):\n${checked.stdout}${checked.stderr}` };
        }
        const output = ts.transpileModule(program.source, {
          compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
          fileName: file,
        });
        file = `${base}.mjs`;
        fs.writeFileSync(file, output.outputText);
      }
      const command = directives.deno
        ? [path.join(root, "node_modules", ".bin", "deno"), "run", "-A"]
        : [process.execPath];
      return { argv: [...command, file] };
    },
  };
}

function peerMember(peer: { name: string; args: string[] }, index: number): Member {
  return {
    name: `peer ${peer.name} ${peer.args.join(" ")}`.trim(),
    block: null,
    role: "finish",
    unprivileged: false,
    awaitOutput: null,
    env: {},
    write: async (dir) => {
      const file = path.join(dir, `peer-${index}-${peer.name}.mjs`);
      fs.writeFileSync(file, peers[peer.name].trim() + "\n");
      return { argv: [process.execPath, file, ...peer.args] };
    },
  };
}

/** The runs of the program blocks of every file, and which run each block is in. */
function planRuns(blocks: Block[]): Map<Block, Run[]> {
  const runOf = new Map<Block, Run[]>();
  const groups = new Map<string, Run>();
  for (const block of blocks) {
    if (block.problems.length || block.language === null || misplaced(block).length) continue;
    if (block.language === "shell") {
      if (!block.directives.run) continue;
      const variants = [{}, ...block.directives.variants] as Record<string, string>[];
      runOf.set(
        block,
        variants.map((env, index) => ({
          key: `${slug(block)}-${index}`,
          network: null,
          expectPrinted: block.directives.run!.flatMap((name) => files[name].prints(env)),
          members: [
            {
              name: `${block.file}:${block.line}${Object.keys(env).length ? ` ${JSON.stringify(env)}` : ""}`,
              block,
              role: "finish",
              unprivileged: false,
              awaitOutput: null,
              env,
              write: async (dir) => {
                for (const name of block.directives.run!) {
                  fs.writeFileSync(path.join(dir, name), files[name].source.trim() + "\n");
                }
                fs.writeFileSync(path.join(dir, "script.sh"), block.code + "\n");
                return { argv: ["sh", path.join(dir, "script.sh")] };
              },
            },
          ],
        })),
      );
      continue;
    }
    if (block.language === "text") continue;
    const key = block.directives.group
      ? `${block.file.replace(/[/.]/g, "_")}-${block.directives.group}`
      : slug(block);
    let run = groups.get(key);
    if (!run) {
      run = { key, members: [], network: { multicast: false, addresses: [] }, expectPrinted: [] };
      groups.set(key, run);
    }
    run.members.push(programMember(block));
    for (const peer of block.directives.peers) {
      run.members.push(peerMember(peer, run.members.length));
    }
    if (block.directives.multicast) {
      run.network!.multicast = true;
      run.network!.addresses.push(...block.directives.multicast);
    }
    runOf.set(block, [run]);
  }
  return runOf;
}

async function execute(run: Run): Promise<RunResult> {
  const dir = path.join(workDir, run.key);
  fs.mkdirSync(dir, { recursive: true });
  const problems: string[] = [];
  const specMembers = [];
  // Services first, so that the others find them.
  const ordered = [...run.members].sort(
    (a, b) => Number(b.role === "service") - Number(a.role === "service"),
  );
  for (const member of ordered) {
    try {
      const { argv, problem } = await member.write(dir);
      if (problem) problems.push(`${member.name}: ${problem}`);
      specMembers.push({
        name: member.name,
        argv,
        cwd: dir,
        env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...member.env },
        role: member.role,
        unprivileged: member.unprivileged,
        awaitOutput: member.awaitOutput,
      });
    } catch (error) {
      problems.push(`${member.name}: ${(error as Error).message}`);
    }
  }
  const empty: RunResult = { problems, setupError: null, timedOut: false, members: [] };
  if (problems.length) return empty;
  if (!run.members.some((member) => member.role === "finish" || member.awaitOutput)) {
    problems.push("nothing in this run ends it: every program is a service or repeats");
    return empty;
  }
  const specFile = path.join(dir, "run.json");
  fs.writeFileSync(
    specFile,
    JSON.stringify({ network: run.network, timeoutMs: RUN_TIMEOUT_MS, members: specMembers }),
  );
  const argv = [process.execPath, runner, specFile];
  // The runner stops its programs (process groups of their own) and itself when its stdin
  // closes: that is how the clean-ups end it, even after this process died.
  const outcome = await runChild(run.network ? ["unshare", "-rn", ...argv] : argv, {
    cwd: dir,
    timeoutMs: RUN_TIMEOUT_MS + 15_000,
    stdin: true,
    endsWhenStdinCloses: true,
    name: `docs-snippet-runner.mjs ${run.key}`,
  });
  fs.writeFileSync(path.join(dir, "result.json"), outcome.stdout);
  try {
    return { problems, ...(JSON.parse(outcome.stdout) as Omit<RunResult, "problems">) };
  } catch {
    const how = outcome.signal ? `signal ${outcome.signal}` : `exit code ${outcome.code}`;
    problems.push(
      `the runner failed (${how} after ${Math.round(outcome.elapsed)} ms):\n${outcome.stdout}\n${outcome.stderr}`,
    );
    return empty;
  }
}

/** What went wrong in a run, for the block under test and the programs that run with it. */
function judge(run: Run, result: RunResult): string[] {
  const problems = [...result.problems];
  if (result.setupError) problems.push(`network set-up: ${result.setupError}`);
  if (problems.length) return problems;
  if (result.timedOut) problems.push(`the run did not end within ${RUN_TIMEOUT_MS / 1000} s`);
  if (result.aborted) problems.push(`the run was stopped from outside: ${result.aborted}`);
  for (const member of run.members) {
    const outcome = result.members.find((item) => item.name === member.name);
    if (!outcome) {
      problems.push(`${member.name}: no result`);
      continue;
    }
    const how = outcome.signal ?? `exit code ${outcome.code}`;
    const own: string[] = [];
    const directives = member.block?.directives;
    if (member.role === "service") {
      if (!outcome.stopped) own.push(`a service, it ended before the others were done (${how})`);
    } else if (member.role === "repeat") {
      if (!outcome.stopped && outcome.code !== 0) own.push(`failed (${how})`);
    } else if (directives?.throws) {
      const code = directives.throws;
      if (outcome.code === 0 || outcome.stopped) {
        own.push(`should have failed with ${code}, but ended with ${how}`);
      } else if (!outcome.stderr.includes(`code: '${code}'`)) {
        own.push(`should have failed with a ZmqError ${code}`);
      } else {
        const message = documentedError(member.block!.code, code);
        if (message && !normalize(outcome.stderr).includes(`ZmqError: ${message}`)) {
          own.push(`its error message is not the documented one: "${message}"`);
        }
      }
    } else if (outcome.stopped || outcome.code !== 0) {
      own.push(outcome.stopped ? "still running when the run ended" : `failed (${how})`);
    }
    if (member.block && directives?.prints && member.block.language !== "shell") {
      const expected = documentedOutput(member.block.code);
      const printed = normalize(outcome.stdout);
      const fits = member.role === "finish" ? printed === expected : printed.startsWith(expected);
      if (!fits) own.push(`printed "${printed}", the document says "${expected}"`);
    }
    for (const line of run.expectPrinted) {
      if (!outcome.stdout.includes(line)) own.push(`did not print "${line}"`);
    }
    if (own.length) {
      problems.push(
        `${member.name}: ${own.join("; ")}\n--- stdout\n${outcome.stdout.slice(-3000)}` +
          `\n--- stderr\n${outcome.stderr.slice(-3000)}`,
      );
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Shell and text blocks.

const packageJson = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
  name: string;
  version: string;
  repository: { url: string };
  scripts: Record<string, string>;
};

// This package by name, as the tarball `npm pack` makes, or from its git repository.
function isThisPackage(spec: string): boolean {
  const tarball = `./${packageJson.name}-${packageJson.version}.tgz`;
  return [packageJson.name, tarball, packageJson.repository.url].includes(spec);
}

/**
 * What a short command prints on stdout, whatever its exit status, through the shared runner
 * (killed at its time limit, which is then the error).
 */
async function printedBy(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const limitMs = 30_000;
  const shown = argv.map((arg) => path.relative(root, arg) || arg).join(" ");
  const result = await runChild(argv, { env, timeoutMs: limitMs, name: shown });
  if (result.timedOut) {
    throw new Error(
      `${shown} was killed by its time limit after ${limitMs} ms; its output so far:\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

let exampleNames: Set<string> | undefined;
async function examples(): Promise<Set<string>> {
  exampleNames ??= new Set(
    [
      ...(await printedBy([process.execPath, path.join(root, "examples", "run.mjs")])).matchAll(
        /^ {2}(\S+)\s{2,}/gm,
      ),
    ].map((match) => match[1]),
  );
  return exampleNames;
}

let denoHelp: string | undefined;
async function denoRunHelp(): Promise<string> {
  denoHelp ??= await printedBy([path.join(root, "node_modules", ".bin", "deno"), "run", "--help"], {
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
  });
  return denoHelp;
}

const ciPackages = (): Set<string> => {
  const script = fs.readFileSync(path.join(root, ".ci", "run"), "utf8").replace(/\\\n/g, " ");
  const install = /apt-get install ([^\n>]*)/.exec(script)?.[1] ?? "";
  return new Set(install.split(/\s+/).filter((word) => word && !word.startsWith("-")));
};

const REPO_PATH =
  /^(?:\.\/)?((?:src|lib|binding|deps|scripts|test|bench|examples|docs)\/[\w.*/-]*)/;

/** Whether a repository path exists; `*` in its last part matches any characters. */
function repositoryPathExists(relative: string): boolean {
  const trimmed = relative.replace(/\/$/, "");
  if (!trimmed.includes("*")) return fs.existsSync(path.join(root, trimmed));
  const dir = path.join(root, path.dirname(trimmed));
  const pattern = new RegExp(
    `^${path
      .basename(trimmed)
      .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")}$`,
  );
  return fs.existsSync(dir) && fs.readdirSync(dir).some((name) => pattern.test(name));
}

/** Splits a shell block into commands (words), without comments, continuations and operators. */
function shellCommands(block: Block): string[][] {
  let text = block.code;
  if (block.info === "console") {
    text = text
      .split("\n")
      .filter((line) => line.startsWith("$ "))
      .map((line) => line.slice(2))
      .join("\n");
  }
  const commands: string[][] = [];
  for (const line of text.replace(/\\\n/g, " ").split("\n")) {
    const code = line.replace(/(^|\s)#.*$/, "");
    for (const part of code.split(/&&|\|\||;|\|/)) {
      const words = part.trim().split(/\s+/).filter(Boolean);
      while (words.length && /^\w+=/.test(words[0])) words.shift(); // VAR=value prefixes
      if (words.length) commands.push(words);
    }
  }
  return commands;
}

async function checkShellCommand(words: string[]): Promise<string | null> {
  const [command, ...args] = words as [string, ...string[]];
  const shown = words.join(" ");
  const operands = args.filter((arg) => !arg.startsWith("-"));
  switch (command) {
    case "npm": {
      const [sub, ...rest] = args;
      if (sub === "test") return packageJson.scripts.test ? null : `${shown}: no "test" script`;
      if (sub === "run" || sub === "run-script") {
        const script = rest[0];
        if (!script || !Object.hasOwn(packageJson.scripts, script)) {
          return `${shown}: package.json has no script "${script ?? ""}"`;
        }
        const dashes = rest.indexOf("--");
        if (script === "example" && dashes >= 0 && rest[dashes + 1]) {
          const name = rest[dashes + 1];
          if (!(await examples()).has(name))
            return `${shown}: examples/run.mjs has no example "${name}"`;
        }
        return null;
      }
      if (sub === "install" || sub === "i" || sub === "ci") {
        const names = rest.filter((arg) => !arg.startsWith("-"));
        const other = names.filter((name) => !isThisPackage(name));
        return other.length
          ? `${shown}: installs ${other.join(", ")}, not ${packageJson.name}`
          : null;
      }
      if (sub === "pack") return null;
      return `${shown}: the check does not know "npm ${sub ?? ""}"`;
    }
    case "node": {
      const file = operands[0];
      if (!file) return `${shown}: no program`;
      if (!file.includes("/")) return /\.(c|m)?js$/.test(file) ? null : `${shown}: not a program`;
      if (!fs.existsSync(path.join(root, file))) return `${shown}: ${file} does not exist`;
      // Its options: those its --help lists, when it has one; else those its source mentions.
      const source = fs.readFileSync(path.join(root, file), "utf8");
      const documented = source.includes("--help")
        ? await printedBy([process.execPath, path.join(root, file), "--help"])
        : source;
      const unknown = args
        .slice(args.indexOf(file) + 1)
        .filter((arg) => arg.startsWith("--") && !new RegExp(`${arg}\\b`).test(documented));
      return unknown.length ? `${shown}: ${file} does not know ${unknown.join(", ")}` : null;
    }
    case "deno": {
      if (args[0] !== "run") return `${shown}: the check does not know "deno ${args[0] ?? ""}"`;
      const help = await denoRunHelp();
      const unknown = args
        .slice(1)
        .filter((arg) => arg.startsWith("-"))
        .filter(
          (arg) =>
            !new RegExp(`(^|[\\s,])${arg.replace(/[-]/g, "\\-")}([\\s,=]|$)`, "m").test(help),
        );
      if (!help) return `${shown}: could not run deno run --help`;
      return unknown.length ? `${shown}: deno run has no ${unknown.join(", ")}` : null;
    }
    case "bun": {
      if (!fs.existsSync(path.join(root, "node_modules", ".bin", "bun"))) {
        return `${shown}: bun is not installed (devDependency)`;
      }
      if (args[0] === "add") {
        const other = operands.slice(1).filter((name) => !isThisPackage(name));
        return other.length ? `${shown}: adds ${other.join(", ")}, not ${packageJson.name}` : null;
      }
      return operands.length === 1 && /\.(c|m)?(j|t)s$/.test(operands[0])
        ? null
        : `${shown}: the check does not know this bun command`;
    }
    case "apt-get": {
      if (args[0] !== "install") return `${shown}: the check does not know "apt-get ${args[0]}"`;
      const installed = ciPackages();
      const missing = operands.slice(1).filter((name) => !installed.has(name));
      return missing.length ? `${shown}: .ci/run does not install ${missing.join(", ")}` : null;
    }
    default:
      return `${shown}: the check does not know the command "${command}"`;
  }
}

const ALLOWED: Record<Language, Array<keyof Directives>> = {
  js: [
    "fixtures",
    "imports",
    "prints",
    "throws",
    "service",
    "repeat",
    "group",
    "peers",
    "multicast",
    "unprivileged",
    "deno",
  ],
  ts: ["fixtures", "imports", "prints", "throws", "service", "repeat", "group", "peers"],
  python: ["prints", "service", "repeat", "group", "peers", "multicast", "unprivileged"],
  shell: ["run", "variants"],
  text: [],
};

/** Directives the block has that make no sense for its language. */
function misplaced(block: Block): string[] {
  if (block.language === null) return [];
  const allowed = ALLOWED[block.language];
  const { variants, run } = block.directives;
  const problems = Object.entries(block.directives)
    .filter(([, value]) =>
      Array.isArray(value) ? value.length > 0 : value !== null && value !== false,
    )
    .map(([key]) => key as keyof Directives)
    .filter((key) => !allowed.includes(key))
    .map((key) => `"${key}" does not apply to a ${block.language} block`);
  if (variants.length && !run) problems.push("variant needs run");
  return problems;
}

function checkText(block: Block): string[] {
  const problems: string[] = [];
  for (const word of block.code.split(/[\s(),`]+/)) {
    const found = REPO_PATH.exec(word);
    if (found && !repositoryPathExists(found[1])) problems.push(`${found[1]} does not exist`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The tests.

const perFile = docFiles().map((file) => ({ file, ...readBlocks(file) }));
const allBlocks = perFile.flatMap(({ blocks }) => blocks);
const runsOf = planRuns(allBlocks);
const results = new Map<Run, Promise<RunResult>>();

/** Starts every run, RUN_CONCURRENCY at a time, in document order. */
function startRuns(): void {
  const queue = [...new Set([...runsOf.values()].flat())];
  let active = 0;
  const waiting: Array<() => void> = [];
  const slot = async (): Promise<void> => {
    if (active >= RUN_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
  };
  const release = (): void => {
    active -= 1;
    waiting.shift()?.();
  };
  for (const run of queue) {
    results.set(
      run,
      slot().then(() =>
        execute(run)
          .catch((error: Error): RunResult => ({
            problems: [error.stack ?? error.message],
            setupError: null,
            timedOut: false,
            members: [],
          }))
          .finally(release),
      ),
    );
  }
}

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-docs-"));
  fs.mkdirSync(path.join(workDir, "node_modules"));
  fs.symlinkSync(root, path.join(workDir, "node_modules", "zmq-napi"));
  fs.symlinkSync(
    path.join(root, "node_modules", "zeromq"),
    path.join(workDir, "node_modules", "zeromq"),
  );
  startRuns();
});

afterAll(async () => {
  await Promise.allSettled(results.values());
  if (keep) console.log(`docs snippets kept in ${workDir}`);
  else if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe.each(perFile)("$file", ({ file, blocks, strayAnnotations }) => {
  it("has a code block after every snippet annotation", () => {
    expect(
      strayAnnotations.map((line) => `${file}:${line}`),
      "annotations must be on the line before a fence (blank lines between allowed)",
    ).toEqual([]);
  });

  for (const block of blocks) {
    const name = `${block.file}:${block.line} (${block.info || "no language"})`;
    it(
      name,
      async () => {
        expect([...block.problems, ...misplaced(block)], "its annotation").toEqual([]);
        if (block.language === null) {
          throw new Error(
            `${name}: no check for a block in "${block.info}" ` +
              `(known: ${Object.keys(LANGUAGES).join(", ")}); a block that is not code is "text"`,
          );
        }
        if (block.language === "text") {
          expect(checkText(block)).toEqual([]);
          return;
        }
        if (block.language === "shell" && !block.directives.run) {
          const commands = shellCommands(block);
          expect(commands.length, "commands in the block").toBeGreaterThan(0);
          const problems = [];
          for (const command of commands) problems.push(await checkShellCommand(command));
          expect(problems.filter((problem) => problem !== null)).toEqual([]);
          return;
        }
        const runs = runsOf.get(block)!;
        for (const run of runs) {
          const problems = judge(run, await results.get(run)!);
          if (problems.length) throw new Error(`${name}:\n${problems.join("\n\n")}`);
        }
      },
      120_000,
    );
  }
});

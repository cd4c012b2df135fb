"use strict";
// A build from source out of the packed tarball, with no network, no apt and nothing cached:
// pack a clean copy of the tracked files (no prebuild in it), then `npm install` the tarball into
// an empty project inside a new network namespace (`unshare -n`: no interface but a downed
// loopback), with HOME, npm's cache and zmq-napi's cache empty, npm offline, and apt-get, curl
// and wget shadowed on PATH by stubs that record being called. Then load what it built.
//
// What passing proves: the tarball alone — its bundled dependencies, its pinned source
// archives (verified against versions.json's sha256 again at build time) and its recipes —
// builds libsodium, OpenPGM, libzmq and the addon with the machine's cmake, compilers, make or
// ninja, pkg-config, tar, xz and patch; nothing was fetched, apt was never asked, and the
// build ran once. What it does not prove: another OS or libc (it runs on this Debian machine),
// or a machine without the other programs on PATH (coreutils and the like).
//
//   node scripts/test-offline-build.js [--keep]      (root: unshare needs it; ~7 min on 2 cores)

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const packing = require("./packed-tree");
const { step, capture } = packing;

const versions = require("../deps/versions.json");
const keep = process.argv.includes("--keep");

// Programs that would fetch something; each stub records its call and fails.
function fetcherStubs(dir, record) {
  fs.mkdirSync(dir, { recursive: true });
  for (const name of ["apt-get", "apt", "curl", "wget"]) {
    const stub = path.join(dir, name);
    fs.writeFileSync(stub, `#!/bin/sh\necho "${name} $*" >> '${record}'\nexit 1\n`);
    fs.chmodSync(stub, 0o755);
  }
  return dir;
}

// The environment of the install: this one without npm's, zmq-napi's or XDG's settings.
function isolatedEnv(stage, stubs) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|ZMQ_NAPI_|XDG_)/i.test(key)) continue;
    env[key] = value;
  }
  const home = path.join(stage, "home");
  fs.mkdirSync(home);
  return {
    ...env,
    HOME: home,
    PATH: `${stubs}${path.delimiter}${process.env.PATH}`,
    npm_config_cache: path.join(stage, "npm-cache"),
    npm_config_offline: "true",
    npm_config_foreground_scripts: "true",
    npm_config_update_notifier: "false",
    ZMQ_NAPI_BUILD_FROM_SOURCE: "1",
  };
}

// Run in the consumer project: which binary loaded, what it says it has, and one round trip.
const LOAD_CHECK = `
const zmq = require("zmq-napi");
const dir = require("path").dirname(require.resolve("zmq-napi/package.json"));
const binary = require(require.resolve("node-gyp-build", { paths: [dir] })).path(dir); // bundled
(async () => {
  const rep = new zmq.Reply();
  const req = new zmq.Request();
  await rep.bind("inproc://offline-check");
  req.connect("inproc://offline-check");
  await req.send("ping");
  const [ping] = await rep.receive();
  await rep.send(ping.toString() === "ping" ? "pong" : "wrong");
  const [reply] = await req.receive();
  req.close();
  rep.close();
  console.log(JSON.stringify({ version: zmq.version, capability: zmq.capability, binary, reply: reply.toString() }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

function main() {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-offline-"));
  try {
    step("the network namespace has no network");
    const probe = spawnSync(
      "unshare",
      [
        "-n",
        "--",
        process.execPath,
        "-e",
        "fetch('https://registry.npmjs.org/').then(()=>process.exit(0),e=>{console.log(e.cause?.code??e.message);process.exit(3)})",
      ],
      { encoding: "utf8" },
    );
    if (probe.status !== 3) {
      throw new Error(
        probe.status === 0
          ? "the registry is reachable inside unshare -n"
          : `unshare -n does not work here (root is needed): ${probe.stderr || probe.error}`,
      );
    }
    process.stdout.write(`fetch inside unshare -n fails: ${probe.stdout}`);

    step("pack a clean copy of the tracked files (no prebuild)");
    const tree = path.join(stage, "tree");
    packing.copyTrackedTree(tree);
    packing.buildPackageContents(tree);
    const packed = packing.pack(tree, stage);
    packing.checkTarballContents(packed.names, { prebuild: false });
    if (packed.names.some((name) => name.startsWith("prebuilds/")))
      throw new Error("the tarball carries a prebuild; this test wants a build from source");
    process.stdout.write(`${packed.filename}: ${packed.size} bytes\n`);

    step("npm install the tarball offline, in a namespace with no network");
    const consumer = packing.emptyProject(path.join(stage, "consumer"));
    const record = path.join(stage, "fetchers-called.txt");
    const env = isolatedEnv(stage, fetcherStubs(path.join(stage, "stubs"), record));
    const started = Date.now();
    const install = spawnSync(
      "unshare",
      ["-n", "--", "npm", "install", "--no-audit", "--no-fund", packed.tarball],
      { cwd: consumer, env, encoding: "utf8", timeout: 40 * 60_000, maxBuffer: 256 << 20 },
    );
    const log = `${install.stdout}${install.stderr}`;
    fs.writeFileSync(path.join(stage, "install.log"), log);
    const progress = log.split("\n").filter((line) => /^\[zmq-napi/.test(line.trim()));
    process.stdout.write(`${progress.join("\n")}\n`);
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    if (install.status !== 0) {
      throw new Error(`npm install failed (exit ${install.status ?? install.signal}):\n${log}`);
    }
    process.stdout.write(`install with a build from source: ${minutes} min\n`);

    step("what the build used");
    if (fs.existsSync(record)) {
      throw new Error(`the build ran fetchers: ${fs.readFileSync(record, "utf8")}`);
    }
    for (const lib of Object.keys(versions).filter((key) => !key.startsWith("/"))) {
      for (const artifact of [versions[lib].archive, versions[lib].debian.patches]) {
        if (!artifact) continue;
        if (!log.includes(`${artifact.file}: packed with zmq-napi (sha256 verified)`))
          throw new Error(`${artifact.file} was not taken from the tarball`);
      }
      const configured = log.split(`${lib} ${versions[lib].version}: configure`).length - 1;
      if (configured !== 1) throw new Error(`${lib} was configured ${configured} times, not once`);
    }
    if (/downloading |apt-get source/.test(log)) throw new Error("the build tried to download");
    const prefixes = path.join(env.HOME, ".cache", "zmq-napi", "build");
    const built = fs.readdirSync(prefixes).filter((name) => {
      return fs.existsSync(path.join(prefixes, name, ".complete"));
    });
    if (built.length !== 1) throw new Error(`expected one fresh dependency prefix in ${prefixes}`);
    process.stdout.write(`libraries built afresh into ~/.cache/zmq-napi/build/${built[0]}\n`);

    step("load what it built");
    const loaded = JSON.parse(capture(process.execPath, ["-e", LOAD_CHECK], { cwd: consumer }));
    process.stdout.write(`${JSON.stringify(loaded)}\n`);
    if (loaded.version !== versions.libzmq.version) throw new Error("not the pinned libzmq");
    if (!loaded.binary.includes(`${path.sep}build${path.sep}Release${path.sep}`))
      throw new Error("did not load the addon built from source");
    packing.expectFullCapability(loaded.capability);
    if (loaded.reply !== "pong") throw new Error("REQ/REP over inproc did not answer");
    process.stdout.write("\noffline build from the tarball OK\n");
  } finally {
    if (keep) process.stdout.write(`kept ${stage}\n`);
    else fs.rmSync(stage, { recursive: true, force: true });
  }
}

packing.runCheck("test-offline-build", main);

// The published declarations, as a TypeScript project that depends on zmq-napi sees them:
// a CommonJS project with moduleResolution node10 (the default for `module: commonjs`) must
// resolve "zmq-napi/draft" (package.json's typesVersions), and lib/ts3.7 — the copy
// scripts/downlevel-types.js writes for compilers before 5.4 — must be the same API in a form
// TypeScript 3.7 can read. This uses the repo's own compiler; the conformance suite's typings
// test (TYPINGS_COMPAT=1) compiles against lib/ with TypeScript 3.7, 4.0, 4.x and 5.x.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.join(__dirname, "..");
const lib = path.join(root, "lib");
const downleveled = path.join(lib, "ts3.7");
const ENTRIES = {
  "zmq-napi": "index",
  "zmq-napi/draft": "draft",
  "zmq-napi/v5-compat": "v5-compat",
};

// Code a user of the v6 API writes; `from` gives the module specifier of each entry.
function consumerSource(from: (entry: string) => string): string {
  return `
import * as zmq from "${from("zmq-napi")}";
import { Server, Dish } from "${from("zmq-napi/draft")}";
import * as compat from "${from("zmq-napi/v5-compat")}";

export async function serve(): Promise<void> {
  const server = new Server({ linger: 0 });
  const [message, { routingId }] = await server.receive();
  await server.send(message, { routingId });
  // @ts-expect-error a SERVER reply needs the peer's routing id
  await server.send(message);
  new Dish().join("weather");
  const dealer = new zmq.Dealer({ routingId: "a", sendTimeout: 100 });
  const linger: number = dealer.linger;
  // @ts-expect-error a Dealer has no ROUTER options
  dealer.mandatory = true;
  const frame = zmq.ZeroCopyFrame.allocUnsafe(8);
  frame.buffer.fill(1);
  await dealer.send(["zero-copy", frame]);
  await frame.released;
  const legacy: compat.Socket = compat.socket("req");
  console.log(linger, legacy.type, zmq.version);
}
`;
}

const modernOnly = `
import * as zmq from "zmq-napi";
export async function scoped(): Promise<void> {
  await using push = new zmq.Push();
  push.connect("inproc://scoped");
}
`;

const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"],
  strict: true,
  noEmit: true,
  types: ["node"],
  typeRoots: [path.join(root, "node_modules", "@types")],
};

let consumer: string;
let program: ts.Program;

function file(name: string): string {
  return path.join(consumer, name);
}

function resolved(specifier: string): string | undefined {
  const result = ts.resolveModuleName(specifier, file("modern.ts"), COMPILER_OPTIONS, ts.sys);
  return result.resolvedModule && fs.realpathSync(result.resolvedModule.resolvedFileName);
}

function exportNames(fileName: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(fileName);
  const symbol = source && checker.getSymbolAtLocation(source);
  if (!symbol) throw new Error(`${fileName} is not a module of the program`);
  return checker
    .getExportsOfModule(symbol)
    .map((exported) => exported.name)
    .sort();
}

beforeAll(() => {
  expect(
    fs.existsSync(path.join(downleveled, "index.d.ts")),
    "lib/ts3.7 is missing (npm run build:ts)",
  ).toBe(true);
  consumer = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-types-"));
  fs.mkdirSync(path.join(consumer, "node_modules"));
  fs.symlinkSync(root, path.join(consumer, "node_modules", "zmq-napi"), "dir");
  fs.writeFileSync(
    file("modern.ts"),
    consumerSource((entry) => entry),
  );
  fs.writeFileSync(file("modern-dispose.ts"), modernOnly);
  fs.writeFileSync(
    file("downleveled.ts"),
    consumerSource((entry) => `zmq-napi/lib/ts3.7/${ENTRIES[entry as keyof typeof ENTRIES]}`),
  );
  program = ts.createProgram(
    ["modern.ts", "modern-dispose.ts", "downleveled.ts"].map(file),
    COMPILER_OPTIONS,
  );
});

afterAll(() => {
  if (consumer) fs.rmSync(consumer, { recursive: true, force: true });
});

describe("a CommonJS consumer with moduleResolution node10", () => {
  it("resolves every entry, subpaths included, to lib/'s declarations", () => {
    for (const [specifier, entry] of Object.entries(ENTRIES)) {
      expect(resolved(specifier), specifier).toBe(path.join(lib, `${entry}.d.ts`));
    }
  });

  it("compiles against lib/ and against lib/ts3.7 with no errors", () => {
    const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const where = diagnostic.file
        ? `${path.relative(root, fs.realpathSync(diagnostic.file.fileName))}: `
        : "";
      return where + ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    });
    expect(diagnostics).toEqual([]);
  });
});

describe("lib/ts3.7, the declarations for TypeScript before 5.4", () => {
  it("exports the same names as lib/ from every entry", () => {
    for (const entry of Object.values(ENTRIES)) {
      const modern = exportNames(path.join(lib, `${entry}.d.ts`));
      expect(modern.length, entry).toBeGreaterThan(5);
      expect(exportNames(path.join(downleveled, `${entry}.d.ts`)), entry).toEqual(modern);
    }
  });

  it("is what package.json and lib/package.json give compilers before 5.4", () => {
    const rootPackage = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    const libPackage = JSON.parse(fs.readFileSync(path.join(lib, "package.json"), "utf8"));
    const [range] = Object.keys(libPackage.typesVersions);
    expect(range).toBe("<5.4");
    expect(rootPackage.typesVersions[range]["*"]).toEqual(["lib/ts3.7/*"]);
    expect(libPackage.typesVersions[range]["*"]).toEqual(["ts3.7/*"]);
    expect(libPackage.type).toBe(rootPackage.type);
  });

  it("holds none of the syntax that TypeScript 3.7 cannot parse", () => {
    const found: string[] = [];
    const visit = (source: ts.SourceFile) => (node: ts.Node) => {
      const what =
        ts.isPrivateIdentifier(node) ||
        ts.isNamedTupleMember(node) ||
        ts.isTemplateLiteralTypeNode(node) ||
        (ts.isMappedTypeNode(node) && node.nameType) ||
        ((ts.isImportClause(node) || ts.isExportDeclaration(node)) && node.isTypeOnly) ||
        ((ts.isImportSpecifier(node) || ts.isExportSpecifier(node)) && node.isTypeOnly) ||
        (ts.isTypeReferenceNode(node) && node.typeName.getText(source) === "NoInfer") ||
        (ts.isStringLiteral(node) && node.text.startsWith("node:"));
      if (what) found.push(`${path.relative(lib, source.fileName)}: ${node.getText(source)}`);
      ts.forEachChild(node, visit(source));
    };
    const files = fs.readdirSync(downleveled, { recursive: true, encoding: "utf8" });
    const declarations = files.filter((name) => name.endsWith(".d.ts"));
    expect(declarations.length).toBeGreaterThan(10);
    for (const name of declarations) {
      const fileName = path.join(downleveled, name);
      const text = fs.readFileSync(fileName, "utf8");
      const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
      visit(source)(source);
    }
    expect(found).toEqual([]);
  });

  it("gives every get/set pair in lib/ts3.7 one type, as compilers before 5.1 require", () => {
    // TypeScript 3.7–5.0 reject `get x(): A; set x(v: B)` with A ≠ B (TS2380), which the
    // repo's own compiler accepts: compare the written types of each pair.
    const mismatched: string[] = [];
    const files = fs.readdirSync(downleveled, { recursive: true, encoding: "utf8" });
    for (const name of files.filter((file) => file.endsWith(".d.ts"))) {
      const fileName = path.join(downleveled, name);
      const text = fs.readFileSync(fileName, "utf8");
      const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) {
          const getters = new Map<string, string>();
          const setters = new Map<string, string>();
          for (const member of node.members) {
            const key = member.name?.getText(source) ?? "";
            if (ts.isGetAccessorDeclaration(member) && member.type) {
              getters.set(key, member.type.getText(source));
            } else if (ts.isSetAccessorDeclaration(member) && member.parameters[0]?.type) {
              setters.set(key, member.parameters[0].type.getText(source));
            }
          }
          for (const [key, type] of setters) {
            const got = getters.get(key);
            if (got !== undefined && got !== type) {
              mismatched.push(
                `${name} ${node.name?.getText(source)}.${key}: get ${got}, set ${type}`,
              );
            }
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(mismatched).toEqual([]);
  });
});

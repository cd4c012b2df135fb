"use strict";
// Writes lib/ts3.7/: a copy of the declarations in lib/ that TypeScript 3.7 and later can
// read, for the compilers older than the ones lib/'s own .d.ts files need (package.json's
// typesVersions sends them there). It runs after tsc, as part of `npm run build:ts`.
//
// What changes, and why it is safe for an old compiler's view of the API:
//   - `import type` / `export type` / `{ type X }` become plain imports and exports (3.8,
//     4.5); in a declaration file they mean the same thing.
//   - `#private;` becomes `private "#private:<Class>";`, which keeps the class nominal (3.8).
//   - `node:events` becomes `events`: old @types/node has no `node:` module names.
//   - `NoInfer<T>` becomes `T` (5.4): it only steers inference; the type itself is T.
//   - `Buffer<…>`, `Uint8Array<…>` and the other typed arrays lose their type arguments
//     (generic in TypeScript 5.7 and @types/node 20.17+, not before).
//   - key remapping that only filters keys, `[K in Keys as K extends U ? K : never]`, becomes
//     `[K in Extract<Keys, U>]` (4.1): the same properties.
//   - tuple member labels go (4.0), template literal types become `string` (4.1), type
//     parameter modifiers (`const`, `in`, `out`) and `accessor` go.
//   - `[Symbol.dispose]` / `[Symbol.asyncDispose]` members and `implements (Async)Disposable`
//     go: old lib files and old @types/node do not declare those symbols, and compilers
//     before 5.2 have no `using` to call them with anyway.
// Anything else that would need a newer compiler makes the build fail with the file and line,
// so that a new construct in src/ is noticed here rather than by a user of an old compiler.
//
//   node scripts/downlevel-types.js [LIB_DIR]     (default: the package's lib/)

const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const OUT_NAME = "ts3.7";
// Kept in step with package.json's typesVersions: the compilers that get lib/ts3.7.
const DOWNLEVEL_RANGE = "<5.4";

const TYPED_ARRAYS = new Set([
  "Buffer",
  "ArrayBufferView",
  "DataView",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
]);
const DISPOSABLE_INTERFACES = new Set(["Disposable", "AsyncDisposable"]);
const DISPOSE_SYMBOLS = new Set(["dispose", "asyncDispose"]);

function declarationFiles(dir, skip) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (full !== skip) found.push(...declarationFiles(full, skip));
    } else if (entry.name.endsWith(".d.ts")) {
      found.push(full);
    }
  }
  return found.sort();
}

function isDisposeMember(member) {
  const name = member.name;
  return (
    name !== undefined &&
    ts.isComputedPropertyName(name) &&
    ts.isPropertyAccessExpression(name.expression) &&
    ts.isIdentifier(name.expression.expression) &&
    name.expression.expression.text === "Symbol" &&
    DISPOSE_SYMBOLS.has(name.expression.name.text)
  );
}

function isDisposableReference(heritageType) {
  return (
    ts.isIdentifier(heritageType.expression) &&
    DISPOSABLE_INTERFACES.has(heritageType.expression.text)
  );
}

function isArrayType(type) {
  return (
    ts.isArrayTypeNode(type) ||
    (ts.isTypeReferenceNode(type) &&
      ts.isIdentifier(type.typeName) &&
      (type.typeName.text === "Array" || type.typeName.text === "ReadonlyArray"))
  );
}

function withoutNodePrefix(specifier) {
  return specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith("node:")
    ? ts.factory.createStringLiteral(specifier.text.slice("node:".length))
    : specifier;
}

function withoutModifiers(modifiers, kinds) {
  if (!modifiers) return modifiers;
  const kept = modifiers.filter((modifier) => !kinds.includes(modifier.kind));
  return kept.length === modifiers.length ? modifiers : kept;
}

// `{ [K in Keys as K extends U ? K : never]: … }`: key remapping (4.1) that only filters.
function isKeyFilter(mapped) {
  const name = mapped.nameType;
  const key = mapped.typeParameter.name.text;
  const isKey = (type) =>
    ts.isTypeReferenceNode(type) &&
    ts.isIdentifier(type.typeName) &&
    type.typeName.text === key &&
    !type.typeArguments;
  return (
    ts.isConditionalTypeNode(name) &&
    isKey(name.checkType) &&
    isKey(name.trueType) &&
    name.falseType.kind === ts.SyntaxKind.NeverKeyword
  );
}

// The same filter as `{ [K in Extract<Keys, U>]: … }`, which TypeScript 2.8 reads.
function keysFiltered(factory, mapped) {
  const parameter = mapped.typeParameter;
  const keys = factory.createTypeReferenceNode("Extract", [
    parameter.constraint,
    mapped.nameType.extendsType,
  ]);
  return factory.updateMappedTypeNode(
    mapped,
    mapped.readonlyToken,
    factory.updateTypeParameterDeclaration(
      parameter,
      parameter.modifiers,
      parameter.name,
      keys,
      parameter.default,
    ),
    undefined,
    mapped.questionToken,
    mapped.type,
    mapped.members,
  );
}

// `export * as ns from "m"` (3.8) as `import * as ns from "m"; export { ns };`.
function namespaceReexport(factory, node) {
  const name = node.exportClause.name;
  return [
    factory.createImportDeclaration(
      undefined,
      factory.createImportClause(undefined, undefined, factory.createNamespaceImport(name)),
      withoutNodePrefix(node.moduleSpecifier),
    ),
    factory.createExportDeclaration(
      undefined,
      false,
      factory.createNamedExports([factory.createExportSpecifier(false, undefined, name)]),
    ),
  ];
}

function downlevel(context) {
  const { factory } = context;
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      return factory.updateImportDeclaration(
        node,
        node.modifiers,
        clause &&
          factory.updateImportClause(
            clause,
            undefined,
            clause.name,
            clause.namedBindings && ts.visitNode(clause.namedBindings, visit),
          ),
        withoutNodePrefix(node.moduleSpecifier),
        node.attributes,
      );
    }
    if (ts.isExportDeclaration(node)) {
      if (node.exportClause && ts.isNamespaceExport(node.exportClause)) {
        return namespaceReexport(factory, node);
      }
      return factory.updateExportDeclaration(
        node,
        node.modifiers,
        false,
        node.exportClause && ts.visitNode(node.exportClause, visit),
        withoutNodePrefix(node.moduleSpecifier),
        node.attributes,
      );
    }
    if (ts.isImportSpecifier(node) && node.isTypeOnly) {
      return factory.updateImportSpecifier(node, false, node.propertyName, node.name);
    }
    if (ts.isExportSpecifier(node) && node.isTypeOnly) {
      return factory.updateExportSpecifier(node, false, node.propertyName, node.name);
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = withoutNodePrefix(node.argument.literal);
      if (literal !== node.argument.literal) {
        return ts.visitEachChild(
          factory.updateImportTypeNode(
            node,
            factory.createLiteralTypeNode(literal),
            node.attributes,
            node.qualifier,
            node.typeArguments,
            node.isTypeOf,
          ),
          visit,
          context,
        );
      }
    }
    if (ts.isPropertyDeclaration(node) && ts.isPrivateIdentifier(node.name)) {
      // One name per class: a subclass and its base may both have private fields, and two
      // `private` members of one name would clash where the #names do not.
      const className = node.parent.name ? node.parent.name.text : "default";
      return factory.createPropertyDeclaration(
        [factory.createModifier(ts.SyntaxKind.PrivateKeyword)],
        factory.createStringLiteral(`#private:${className}`),
        undefined,
        undefined,
        undefined,
      );
    }
    if ((ts.isClassElement(node) || ts.isTypeElement(node)) && isDisposeMember(node)) {
      return undefined;
    }
    if (ts.isHeritageClause(node)) {
      const types = node.types.filter((type) => !isDisposableReference(type));
      if (types.length === 0) return undefined;
      return factory.updateHeritageClause(
        node,
        ts.visitNodes(factory.createNodeArray(types), visit),
      );
    }
    if (ts.isPropertyDeclaration(node) && node.modifiers) {
      const modifiers = withoutModifiers(node.modifiers, [ts.SyntaxKind.AccessorKeyword]);
      if (modifiers !== node.modifiers) {
        return ts.visitEachChild(
          factory.updatePropertyDeclaration(
            node,
            modifiers,
            node.name,
            node.questionToken,
            node.type,
            node.initializer,
          ),
          visit,
          context,
        );
      }
    }
    if (ts.isTypeParameterDeclaration(node) && node.modifiers) {
      return ts.visitEachChild(
        factory.updateTypeParameterDeclaration(
          node,
          undefined,
          node.name,
          node.constraint,
          node.default,
        ),
        visit,
        context,
      );
    }
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const name = node.typeName.text;
      if (name === "NoInfer" && node.typeArguments?.length === 1) {
        return ts.visitNode(node.typeArguments[0], visit);
      }
      if (TYPED_ARRAYS.has(name) && node.typeArguments) {
        return factory.updateTypeReferenceNode(node, node.typeName, undefined);
      }
    }
    if (ts.isNamedTupleMember(node)) {
      const type = ts.visitNode(node.type, visit);
      if (node.dotDotDotToken) return factory.createRestTypeNode(type);
      if (node.questionToken) return factory.createOptionalTypeNode(type);
      return type;
    }
    if (ts.isMappedTypeNode(node) && node.nameType && isKeyFilter(node)) {
      return ts.visitEachChild(keysFiltered(factory, node), visit, context);
    }
    if (ts.isTemplateLiteralTypeNode(node)) {
      return factory.createKeywordTypeNode(ts.SyntaxKind.StringKeyword);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (sourceFile) => ts.visitNode(sourceFile, visit);
}

// Constructs TypeScript 3.7 cannot read and that have no faithful rewrite, as "file:line: what".
function unsupported(sourceFile, label) {
  const problems = [];
  const report = (node, what) => {
    const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
    problems.push(`${label}:${line + 1}: ${what}`);
  };
  const visit = (node) => {
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const name = node.typeName.text;
      if (name === "Awaited") report(node, "Awaited<T> needs TypeScript 4.5");
      if (DISPOSABLE_INTERFACES.has(name)) report(node, `${name} is not in old lib files`);
    }
    if (ts.isRestTypeNode(node) && !isArrayType(node.type)) {
      report(node, "a variadic tuple element needs TypeScript 4.0");
    }
    if (ts.isInferTypeNode(node) && node.typeParameter.constraint) {
      report(node, "`infer X extends Y` needs TypeScript 4.7");
    }
    if (ts.isConstructorTypeNode(node) && node.modifiers?.length) {
      report(node, "an abstract constructor type needs TypeScript 4.2");
    }
    if (ts.isMappedTypeNode(node) && node.nameType) {
      report(node, "key remapping (`as`) in a mapped type needs TypeScript 4.1");
    }
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.attributes !== undefined
    ) {
      report(node, "import attributes need TypeScript 5.3");
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return problems;
}

function main() {
  const lib = path.resolve(process.argv[2] ?? path.join(__dirname, "..", "lib"));
  const out = path.join(lib, OUT_NAME);
  fs.rmSync(out, { recursive: true, force: true });
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const problems = [];
  for (const file of declarationFiles(lib, out)) {
    const text = fs.readFileSync(file, "utf8").replace(/^\/\/# sourceMappingURL=.*$/m, "");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const [result] = ts.transform(source, [downlevel]).transformed;
    const printed = printer.printFile(result);
    const target = path.join(out, path.relative(lib, file));
    const label = path.relative(lib, target);
    problems.push(
      ...unsupported(ts.createSourceFile(target, printed, ts.ScriptTarget.Latest, true), label),
    );
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, printed);
  }
  // A directory import of lib/ itself (`import … from "zmq-napi/lib"`, or a relative one)
  // reads this, so old compilers get lib/ts3.7 there too; "type" restates the root's.
  fs.writeFileSync(
    path.join(lib, "package.json"),
    JSON.stringify(
      { type: "commonjs", typesVersions: { [DOWNLEVEL_RANGE]: { "*": [`${OUT_NAME}/*`] } } },
      null,
      2,
    ) + "\n",
  );
  if (problems.length) {
    process.stderr.write(
      `downlevel-types: ${problems.length} construct(s) TypeScript 3.7 cannot read:\n` +
        problems.map((problem) => `  ${problem}\n`).join(""),
    );
    process.exit(1);
  }
}

main();

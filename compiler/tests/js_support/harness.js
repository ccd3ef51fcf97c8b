// The node side of the differential tests: loads the runtime as a browser would (one classic
// script defining `blankett`), evaluates what the Rust side wrote, and prints JSON.
//
//   node harness.js expr  <runtime> <functions.js> <cases.json>
//   node harness.js forms <runtime> <cases.json> <form.js>...
//   node harness.js dom   <runtime> <felanmalan.form.js>
"use strict";
const fs = require("fs");
const vm = require("vm");

const [mode, runtime, ...files] = process.argv.slice(2);
const load = (path) => vm.runInThisContext(fs.readFileSync(path, "utf8"), { filename: path });
if (mode === "dom") require("./fake_dom.js").install(globalThis);
load(runtime);
const { B } = globalThis.blankett;

/** The JSON encoding of values that compiler/tests/js_support/mod.rs writes. */
function decode(j) {
  if (j === null || typeof j !== "object") return j;
  if (Array.isArray(j)) return j.map(decode);
  if (j.date) return B.date(...j.date);
  if (j.position) return new B.Position(...j.position);
  if (j.file) return new B.Upload(...j.file);
  const fields = Object.create(null);
  for (const k of Object.keys(j.row)) fields[k] = decode(j.row[k]);
  return new B.Row(fields);
}

function encode(v) {
  if (v === undefined) return { undefined: true };
  if (typeof v === "number" && !Number.isFinite(v)) return { nonfinite: String(v) };
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(encode);
  if (v instanceof B.Day) return { date: B.civil(v) };
  if (v instanceof B.Position) return { position: [v.lat, v.lon] };
  if (v instanceof B.Upload) return { file: [v.name, v.size, v.mime] };
  if (v instanceof B.Row) {
    const row = {};
    for (const k of Object.keys(v.fields)) row[k] = encode(v.fields[k]);
    return { row };
  }
  return { unknown: String(v) };
}

/** Encodings equal: numbers by `===`, so exactly, with -0 equal to 0. */
function same(a, b) {
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k]));
}

function attempt(f) {
  try {
    return encode(f());
  } catch (e) {
    return { threw: String(e && e.stack ? e.stack : e) };
  }
}

if (mode === "expr") {
  const fns = load(files[0]);
  const cases = JSON.parse(fs.readFileSync(files[1], "utf8"));
  const result = { exprs: 0, answers: 0, mismatches: [], answer_mismatches: [] };
  cases.exprs.forEach((c, i) => {
    const values = new Map(Object.keys(c.answers).map((k) => [k, decode(c.answers[k])]));
    const today = decode(c.today);
    const env = { get: (path) => (values.has(path) ? values.get(path) : null), today: () => today };
    const got = attempt(() => fns[i](env));
    result.exprs += 1;
    if (!same(got, c.expected)) result.mismatches.push({ index: i, got });
  });
  cases.answers.forEach((c, i) => {
    const got = attempt(() => {
      const v = globalThis.blankett.parseAnswer(c.kind, c.raw, decode(c.today));
      return v === undefined ? "refused" : v;
    });
    result.answers += 1;
    if (!same(got, c.expected)) result.answer_mismatches.push({ index: i, got });
  });
  process.stdout.write(JSON.stringify(result));
} else if (mode === "forms") {
  const cases = JSON.parse(fs.readFileSync(files[0], "utf8"));
  files.slice(1).forEach(load);
  const results = cases.map((c) => {
    try {
      const out = globalThis.blankett.evaluate(globalThis.blankett.forms[c.form], c.answers, decode(c.today));
      const values = {};
      for (const k of Object.keys(out.values)) values[k] = encode(out.values[k]);
      // In form.rs's order: the rules' order, row by row, sorted by page and field as there.
      const order = (p) => globalThis.blankett.forms[c.form].fields.findIndex((f) => f.path === p.replace(/\[[0-9]+\]/g, ""));
      const warnings = Object.keys(out.warnings).sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
      return { pages: out.pages, visible: out.visible, values, warnings };
    } catch (e) {
      return { threw: String(e && e.stack ? e.stack : e) };
    }
  });
  process.stdout.write(JSON.stringify(results));
} else if (mode === "dom") {
  process.stdout.write(JSON.stringify(require("./fake_dom.js").felanmalan(globalThis, () => load(files[0]))));
} else {
  throw new Error(`unknown mode ${mode}`);
}

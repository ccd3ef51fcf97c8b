/*
 * form.js, part of blankett.js: a whole form evaluated over answers, as
 * compiler/src/eval/form.rs does it (which pages and fields are shown, computed values,
 * requiredness, rule messages), and the page kept up to date with the result.
 */
(function (root) {
  "use strict";
  const blankett = root.blankett;
  const { B, util, parseAnswer, parseDate } = blankett;
  const { hasOwn, isObject, isoDate, trim } = util;

  // ---------------------------------------------------------------- the registered form

  /** The generated spec, with indices where form.rs has them. */
  function prepare(spec) {
    const paths = Object.keys(spec.fields);
    const index = new Map(paths.map((p, i) => [p, i]));
    const pageIndex = new Map(spec.pages.map((p, i) => [p.id, i]));
    const fields = paths.map((path) => {
      const f = spec.fields[path];
      return {
        path, kind: f.kind, conditions: f.conditions, required: f.required, value: f.value,
        page: pageIndex.get(f.page), parent: f.parent === null ? null : index.get(f.parent),
        children: [], key: path,
      };
    });
    for (const [i, f] of fields.entries()) {
      if (f.parent === null) continue;
      const parent = fields[f.parent];
      parent.children.push(i);
      // ir.rs `row_key`: the path inside the row.
      if (f.path.startsWith(parent.path)) f.key = f.path.slice(parent.path.length).replace(/^\.+/, "");
    }
    const rules = spec.rules.map((r) => ({ field: index.get(r.field), when: r.when, message: r.message, warning: r.warning === true }));
    return { id: spec.id, version: spec.version, hash: spec.hash, pages: spec.pages, fields, index, rules };
  }

  /** `barn.alder` in rows [0] → `barn[0].alder`. */
  function instancePath(form, id, rows) {
    const chain = [];
    for (let p = form.fields[id].parent; p !== null; p = form.fields[p].parent) chain.unshift(p);
    let path = form.fields[id].path;
    // From the innermost repeat outwards, so earlier offsets stay valid.
    for (let depth = chain.length - 1; depth >= 0; depth--) {
      if (depth >= rows.length) continue;
      const prefix = form.fields[chain[depth]].path;
      path = `${prefix}[${rows[depth]}]${path.slice(prefix.length)}`;
    }
    return path;
  }

  const isInput = (kind) => kind !== "computed" && kind !== "info";

  // ---------------------------------------------------------------- evaluation (eval/form.rs)

  /**
   * The answers as the form sees them. The memos record "in progress" as undefined→null so a
   * condition or value that reaches itself gets false or null, in the same order as form.rs.
   */
  class State {
    constructor(form, answers, today) {
      this.form = form;
      this.today = today;
      // eval/form.rs: the logged-in person kept with the answers (expr/inloggad.rs).
      const who = hasOwn(answers, "inloggad") && isObject(answers.inloggad) ? answers.inloggad : null;
      this.inloggad = who !== null && typeof who.personnummer === "string" && who.personnummer !== "" ? who : null;
      this.parsed = new Map();
      this.invalid = new Set();
      this.rows = new Map();
      this.visibleMemo = new Map();
      this.pageMemo = new Map();
      this.computedMemo = new Map();
      form.fields.forEach((f, id) => {
        if (f.parent === null) this.parseField(id, hasOwn(answers, f.path) ? answers[f.path] : null, []);
      });
    }

    parseField(id, raw, rows) {
      const f = this.form.fields[id];
      const path = instancePath(this.form, id, rows);
      if (f.kind === "repeat") {
        const items = Array.isArray(raw) ? raw : [];
        this.rows.set(path, items.length);
        items.forEach((row, i) => {
          for (const c of f.children) {
            const key = this.form.fields[c].key;
            this.parseField(c, isObject(row) && hasOwn(row, key) ? row[key] : null, rows.concat([i]));
          }
        });
        return;
      }
      if (!isInput(f.kind)) return;
      const v = parseAnswer(f.kind, raw === undefined ? null : raw, this.today);
      this.parsed.set(path, v === undefined ? null : v);
      if (v === undefined) this.invalid.add(path);
    }

    evalIn(fn, rows) {
      return fn({ get: (canonical) => this.getCanonical(canonical, rows), today: () => this.today });
    }

    pageVisible(p) {
      if (this.pageMemo.has(p)) return this.pageMemo.get(p) === true;
      this.pageMemo.set(p, null);
      const visible = this.form.pages[p].visible;
      const v = visible === null || B.truthy(this.evalIn(visible, []));
      this.pageMemo.set(p, v);
      return v;
    }

    visible(id, rows) {
      const key = `${id}|${rows}`;
      if (this.visibleMemo.has(key)) return this.visibleMemo.get(key) === true;
      this.visibleMemo.set(key, null);
      const f = this.form.fields[id];
      const parentOk = f.parent !== null ? this.visible(f.parent, rows.slice(0, -1)) : this.pageVisible(f.page);
      const v = parentOk && f.conditions.every((c) => B.truthy(this.evalIn(c, rows)));
      this.visibleMemo.set(key, v);
      return v;
    }

    rowCount(id, rows) {
      return this.rows.get(instancePath(this.form, id, rows)) || 0;
    }

    /** A field instance's value as expressions see it: null when hidden. */
    value(id, rows) {
      if (!this.visible(id, rows)) return null;
      const f = this.form.fields[id];
      if (f.kind === "computed") return this.computed(id, rows);
      if (f.kind === "repeat") {
        const list = [];
        for (let i = 0; i < this.rowCount(id, rows); i++) {
          const fields = Object.create(null);
          for (const c of f.children) fields[this.form.fields[c].key] = this.value(c, rows.concat([i]));
          list.push(new B.Row(fields));
        }
        return list;
      }
      const v = this.parsed.get(instancePath(this.form, id, rows));
      return v === undefined ? null : v;
    }

    computed(id, rows) {
      const key = `${id}|${rows}`;
      if (this.computedMemo.has(key)) return this.computedMemo.get(key);
      this.computedMemo.set(key, null);
      const fn = this.form.fields[id].value;
      const v = fn === null ? null : this.evalIn(fn, rows);
      this.computedMemo.set(key, v);
      return v;
    }

    /** A canonical reference: `sokande.namn`, `barn[*].alder`, or `barn.alder` in a row. */
    getCanonical(canonical, rows) {
      if (canonical.startsWith("inloggad.")) {
        const v = this.inloggad === null ? null : this.inloggad[canonical.slice("inloggad.".length)];
        return typeof v === "string" ? v : null;
      }
      const segs = canonical.split(".").map((s) => (s.endsWith("[*]") ? [s.slice(0, -3), true] : [s, false]));
      return this.walk(segs, 0, "", rows, 0);
    }

    walk(segs, i, prefix, ctx, depth) {
      const path = prefix === "" ? segs[i][0] : `${prefix}.${segs[i][0]}`;
      const last = i + 1 === segs.length;
      const id = this.form.index.get(path);
      if (id === undefined) return last ? null : this.walk(segs, i + 1, path, ctx, depth);
      const outer = ctx.slice(0, Math.min(depth, ctx.length));
      if (last) return this.value(id, outer);
      if (this.form.fields[id].kind !== "repeat") return this.walk(segs, i + 1, path, ctx, depth);
      if (!segs[i][1]) return this.walk(segs, i + 1, path, ctx, depth + 1);
      if (!this.visible(id, outer)) return [];
      const items = [];
      for (let r = 0; r < this.rowCount(id, outer); r++) items.push(this.walk(segs, i + 1, path, outer.concat([r]), depth + 1));
      return items;
    }

    /** Every row-index list at which a field exists. */
    instances(id) {
      const p = this.form.fields[id].parent;
      if (p === null) return [[]];
      const all = [];
      for (const outer of this.instances(p)) {
        for (let i = 0; i < this.rowCount(p, outer); i++) all.push(outer.concat([i]));
      }
      return all;
    }
  }

  /**
   * The whole form over `answers` (by field path; a repeat's answer is a list of rows keyed by
   * the row's field ids), with `today` a Day. Instance paths as keys (`barn[0].alder`).
   */
  function evaluate(form, answers, today) {
    const st = new State(form, answers, today);
    const out = {
      pages: form.pages.map((p, i) => st.pageVisible(i)),
      visible: {}, values: {}, required: {}, rules: {}, warnings: {},
      rows: {},
    };
    for (const [path, n] of st.rows) out.rows[path] = n;
    // In form.rs's order, which only matters for a form whose conditions reach themselves.
    const collect = (id, rows) => {
      const f = form.fields[id];
      const path = instancePath(form, id, rows);
      const visible = st.visible(id, rows);
      out.visible[path] = visible;
      out.values[path] = st.value(id, rows);
      if (f.kind === "repeat") {
        for (let i = 0; i < st.rowCount(id, rows); i++) {
          for (const c of f.children) collect(c, rows.concat([i]));
        }
      }
      if (!visible || !isInput(f.kind) || st.invalid.has(path)) return;
      out.required[path] = typeof f.required === "boolean" ? f.required : B.truthy(st.evalIn(f.required, rows));
    };
    form.fields.forEach((f, id) => {
      if (f.parent === null) collect(id, []);
    });
    for (const rule of form.rules) {
      for (const rows of st.instances(rule.field)) {
        if (st.visible(rule.field, rows) && B.truthy(st.evalIn(rule.when, rows))) {
          const path = instancePath(form, rule.field, rows);
          const list = rule.warning ? out.warnings : out.rules;
          if (!hasOwn(list, path)) list[path] = rule.message;
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- the page
  //
  // The HTML's side of the contract: an input's `name` is its field's instance path; a date is
  // three inputs `<path>.day`, `.month`, `.year`, a position two, `<path>.lat` and `.lon`;
  // multi_choice checkboxes share a name; yes_no radios have the values `true` and `false`; a
  // consent is a checkbox with the value `true`; a repeat's rows are the indices its inputs'
  // names carry (`barn[0].alder`). `[data-field="<path>"]` wraps a question,
  // `output[data-computed="<path>"]` shows a computed value, `[data-rule-for="<path>"]` is a
  // live region for rule messages, `textarea[data-maxlength]` has a `[data-count-for="<name>"]`,
  // and `[data-position-for="<path>"]` is a hidden "use my position" button.

  /** The inputs by name. */
  function inputsByName(doc) {
    const byName = new Map();
    for (const el of doc.querySelectorAll("[name]")) {
      if (!byName.has(el.name)) byName.set(el.name, []);
      byName.get(el.name).push(el);
    }
    return byName;
  }

  /** Text as a browser posts it: a lone surrogate (half an emoji, pasted) becomes U+FFFD. */
  function wellFormed(s) {
    let out = "";
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) out += s[i] + s[++i];
      else out += c >= 0xd800 && c <= 0xdfff ? "\ufffd" : s[i];
    }
    return out;
  }

  /** What the inputs called `name` hold, as the server receives it from the posted form. */
  function inputValue(byName, name, kind) {
    const els = byName.get(name) || [];
    if (kind === "multi_choice") return els.filter((el) => el.checked).map((el) => wellFormed(el.value));
    if (kind === "file" || kind === "files") {
      // Files uploaded earlier stand as hidden inputs (their ids) before the file input.
      const files = [];
      for (const el of els) {
        if (el.type === "hidden" && el.value) {
          files.push({ name: el.dataset.name || "", size: Number(el.dataset.size) || 0, type: el.dataset.type || null });
        } else if (el.files) {
          for (const file of el.files) files.push({ name: file.name, size: file.size, type: file.type });
        }
      }
      if (kind === "files") return files;
      // One file: a file chosen now replaces the one uploaded earlier.
      return files.length > 0 ? files[files.length - 1] : null;
    }
    for (const el of els) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) return wellFormed(el.value);
      } else return wellFormed(el.value);
    }
    return null;
  }

  function readField(form, id, name, byName) {
    const f = form.fields[id];
    switch (f.kind) {
      case "date":
        return { day: inputValue(byName, `${name}.day`), month: inputValue(byName, `${name}.month`), year: inputValue(byName, `${name}.year`) };
      case "position":
        return { lat: inputValue(byName, `${name}.lat`), lon: inputValue(byName, `${name}.lon`) };
      case "repeat": {
        // As many rows as the highest index any input's name carries.
        let count = 0;
        for (const n of byName.keys()) {
          const m = n.startsWith(`${name}[`) && /^\[([0-9]+)\]/.exec(n.slice(name.length));
          if (m) count = Math.max(count, Number(m[1]) + 1);
        }
        const rows = [];
        for (let i = 0; i < count; i++) {
          const row = {};
          for (const c of f.children) row[form.fields[c].key] = readField(form, c, `${name}[${i}].${form.fields[c].key}`, byName);
          rows.push(row);
        }
        return rows;
      }
      default:
        return inputValue(byName, name, f.kind);
    }
  }

  /** The answers as the server would see them after this page is posted: the page's own inputs,
   * and for the other pages what the server put in the form's `data-answers` (only what this
   * page's conditions and computed values read). Without it every earlier answer would read as
   * unanswered, and a question that depends on one would be hidden. */
  function readAnswers(form, doc) {
    const byName = inputsByName(doc);
    const holder = doc.querySelector("form[data-answers]");
    let saved = null;
    try {
      saved = holder ? JSON.parse(holder.getAttribute("data-answers") || "{}") : null;
    } catch (e) {
      saved = null;
    }
    const pageId = holder ? holder.getAttribute("data-page") : null;
    const here = form.pages.findIndex((p) => p.id === pageId);
    const answers = {};
    if (saved !== null && hasOwn(saved, "inloggad")) answers.inloggad = saved.inloggad;
    form.fields.forEach((f, id) => {
      if (f.parent !== null || !isInput(f.kind)) return;
      // A locked field on this page is drawn without an input; the server sends its value.
      const locked = saved !== null && f.page === here && hasOwn(saved, f.path) && !byName.has(f.path);
      if (saved !== null && (f.page !== here || locked)) answers[f.path] = hasOwn(saved, f.path) ? saved[f.path] : null;
      else answers[f.path] = readField(form, id, f.path, byName);
    });
    return answers;
  }

  /** Today in Sweden: the page's own `data-today` (the server's date) if it has one. */
  function todayInSweden(doc) {
    const fromPage = parseDate(doc.documentElement.getAttribute("data-today") || "");
    if (fromPage) return fromPage;
    const now = new Date();
    try {
      const parts = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Stockholm", year: "numeric", month: "numeric", day: "numeric" }).formatToParts(now);
      const part = (type) => Number(parts.find((p) => p.type === type).value);
      return B.date(part("year"), part("month"), part("day"));
    } catch (e) {
      return B.date(now.getFullYear(), now.getMonth() + 1, now.getDate());
    }
  }

  const WORDS = {
    sv: {
      yes: "Ja", no: "Nej", left: (n) => `Du har ${n} tecken kvar`, over: (n) => `Du har ${n} tecken för mycket`,
      noPosition: "Vi kunde inte hämta din position. Skriv in platsen i stället.",
    },
    en: {
      yes: "Yes", no: "No",
      left: (n) => `You have ${n} ${n === 1 ? "character" : "characters"} remaining`,
      over: (n) => `You have ${n} ${n === 1 ? "character" : "characters"} too many`,
      noPosition: "We could not get your position. Describe the place instead.",
    },
  };

  function display(v, lang) {
    if (v === null) return "";
    if (typeof v === "boolean") return v ? WORDS[lang].yes : WORDS[lang].no;
    if (typeof v === "number") return v.toLocaleString(lang === "en" ? "en-GB" : "sv-SE", { maximumFractionDigits: 10 });
    if (v instanceof B.Day) return isoDate(v);
    if (Array.isArray(v)) return v.map((x) => display(x, lang)).join(", ");
    return typeof v === "string" ? v : "";
  }

  /** Changes text only when it differs, so a live region speaks only of real changes. */
  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  function show(doc, out, lang) {
    for (const el of doc.querySelectorAll("[data-field]")) {
      const path = el.getAttribute("data-field");
      if (hasOwn(out.visible, path)) el.hidden = !out.visible[path];
    }
    for (const el of doc.querySelectorAll("output[data-computed]")) {
      const path = el.getAttribute("data-computed");
      if (hasOwn(out.values, path)) setText(el, display(out.values[path], lang));
    }
    for (const el of doc.querySelectorAll("[data-rule-for]")) {
      const message = out.rules[el.getAttribute("data-rule-for")];
      showRule(doc, el, message ? message[lang] || message.sv : "", lang);
    }
  }

  /** A rule's message as the server draws one: an error message with a hidden "Fel: " first,
   * so a screen reader announces it as an error; nothing at all when the rule holds. */
  function showRule(doc, el, text, lang) {
    const current = el.textContent;
    const prefix = lang === "en" ? "Error: " : "Fel: ";
    if (current === (text ? prefix + text : "")) return;
    while (el.firstChild) el.removeChild(el.firstChild);
    el.classList.toggle("bk-error-message", Boolean(text));
    if (!text) return;
    const hidden = doc.createElement("span");
    hidden.className = "bk-visually-hidden";
    hidden.textContent = prefix;
    el.appendChild(hidden);
    el.appendChild(doc.createTextNode(text));
  }

  /** "Du har 12 tecken kvar" under a textarea with a maximum length. */
  function showCounts(doc, lang) {
    const counters = new Map();
    for (const el of doc.querySelectorAll("[data-count-for]")) counters.set(el.getAttribute("data-count-for"), el);
    for (const area of doc.querySelectorAll("textarea[data-maxlength]")) {
      const counter = counters.get(area.name);
      if (!counter) continue;
      if (!counter.hasAttribute("aria-live")) counter.setAttribute("aria-live", "polite");
      // As the server counts: characters (code points) of the trimmed text.
      const left = Number(area.getAttribute("data-maxlength")) - Array.from(trim(area.value)).length;
      setText(counter, left >= 0 ? WORDS[lang].left(left) : WORDS[lang].over(-left));
    }
  }

  function setInput(doc, name, value) {
    const el = doc.querySelector(`[name="${name.replace(/["\\]/g, "\\$&")}"]`);
    if (el) {
      el.value = value;
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  /** The "use my position" buttons: shown where the browser can tell, filling lat and lon. */
  function enablePosition(doc, lang) {
    if (!root.navigator || !root.navigator.geolocation) return;
    for (const button of doc.querySelectorAll("[data-position-for]")) button.hidden = false;
    doc.addEventListener("click", (event) => {
      const button = event.target.closest && event.target.closest("[data-position-for]");
      if (!button) return;
      event.preventDefault();
      const path = button.getAttribute("data-position-for");
      root.navigator.geolocation.getCurrentPosition(
        (pos) => {
          setInput(doc, `${path}.lat`, pos.coords.latitude.toFixed(6));
          setInput(doc, `${path}.lon`, pos.coords.longitude.toFixed(6));
        },
        () => {
          const status = doc.querySelector(`[data-position-status-for="${path}"]`);
          if (status) setText(status, WORDS[lang].noPosition);
        },
        { enableHighAccuracy: true, timeout: 15000 },
      );
    });
  }

  function attach(form, doc) {
    const lang = doc.documentElement.lang === "en" ? "en" : "sv";
    const update = () => {
      show(doc, evaluate(form, readAnswers(form, doc), todayInSweden(doc)), lang);
      showCounts(doc, lang);
    };
    doc.addEventListener("input", update);
    doc.addEventListener("change", update);
    enablePosition(doc, lang);
    update();
  }

  const forms = {};

  /** Called by each form's generated file. */
  function register(spec) {
    const form = prepare(spec);
    forms[form.id] = form;
    const doc = root.document;
    if (!doc) return;
    if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", () => attach(form, doc));
    else attach(form, doc);
  }

  Object.assign(blankett, { register, evaluate, forms, instancePath });
})(typeof window !== "undefined" ? window : this);

// Just enough of a document for blankett.js's page glue, and a walk through the felanmalan
// form as a citizen would take it: what is shown, counted and announced after each step.
"use strict";

/** `tag`, `[attr]`, `[attr="value"]` and their combinations: the selectors the glue uses. */
function matches(el, selector) {
  const m = /^([a-z]*)((?:\[[^\]]+\])*)$/.exec(selector);
  if (!m || (m[1] && el.tagName !== m[1].toUpperCase())) return false;
  const attrs = m[2].match(/\[[^\]]+\]/g) || [];
  return attrs.every((a) => {
    const [, name, value] = /^\[([a-z.-]+)(?:="(.*)")?\]$/.exec(a);
    return value === undefined ? el.hasAttribute(name) : el.getAttribute(name) === value;
  });
}

class Element {
  constructor(doc, tag, attrs) {
    this.doc = doc;
    this.tagName = tag.toUpperCase();
    this.attrs = Object.assign({}, attrs);
    this.hidden = "hidden" in attrs;
    this.textContent = "";
    this.value = attrs.value || "";
    this.checked = false;
    this.type = attrs.type || tag;
    this.name = attrs.name;
    this.children = [];
    const classes = new Set();
    this.classList = { toggle: (name, on) => (on ? classes.add(name) : classes.delete(name)), contains: (n) => classes.has(n) };
  }
  get firstChild() {
    return this.children[0] || null;
  }
  removeChild(child) {
    this.children = this.children.filter((c) => c !== child);
    this.textContent = this.children.map((c) => c.textContent).join("");
  }
  appendChild(child) {
    this.children.push(child);
    this.textContent = this.children.map((c) => c.textContent).join("");
  }
  getAttribute(k) {
    return k in this.attrs ? this.attrs[k] : null;
  }
  setAttribute(k, v) {
    this.attrs[k] = String(v);
  }
  hasAttribute(k) {
    return k in this.attrs;
  }
  closest(selector) {
    return matches(this, selector) ? this : null;
  }
  dispatchEvent(event) {
    this.doc.fire(event.type, this);
  }
}

function install(root) {
  const listeners = {};
  const doc = {
    readyState: "complete",
    elements: [],
    documentElement: { lang: "sv", getAttribute: (k) => (k === "data-today" ? "2026-06-15" : null) },
    add(tag, attrs) {
      const el = new Element(doc, tag, attrs);
      doc.elements.push(el);
      return el;
    },
    createElement: (tag) => new Element(doc, tag, {}),
    createTextNode: (text) => ({ textContent: text }),
    querySelectorAll: (selector) => doc.elements.filter((el) => matches(el, selector)),
    querySelector: (selector) => doc.elements.find((el) => matches(el, selector)) || null,
    addEventListener(type, fn) {
      (listeners[type] = listeners[type] || []).push(fn);
    },
    fire(type, target) {
      for (const fn of listeners[type] || []) fn({ type, target, preventDefault() {} });
    },
  };
  root.document = doc;
  root.navigator = {
    geolocation: { getCurrentPosition: (ok) => ok({ coords: { latitude: 58.2255, longitude: 11.6744 } }) },
  };
}

function felanmalan(root, loadForm) {
  const doc = root.document;
  const gata = doc.add("input", { type: "radio", name: "kategori", value: "gata" });
  const annat = doc.add("input", { type: "radio", name: "kategori", value: "annat" });
  const annatField = doc.add("div", { "data-field": "annat_vad" });
  doc.add("input", { name: "annat_vad" });
  const text = doc.add("textarea", { name: "beskrivning", "data-maxlength": "20" });
  const count = doc.add("span", { "data-count-for": "beskrivning" });
  doc.add("input", { name: "position.lat" });
  doc.add("input", { name: "position.lon" });
  const button = doc.add("button", { "data-position-for": "position", hidden: "" });
  doc.add("input", { name: "platsbeskrivning" });
  const rule = doc.add("p", { "data-rule-for": "platsbeskrivning" });
  const kontakt = doc.add("div", { "data-field": "namn" });
  const look = () => ({
    annat_vad_hidden: annatField.hidden, namn_hidden: kontakt.hidden, count: count.textContent,
    count_live: count.getAttribute("aria-live"), rule: rule.textContent, button_hidden: button.hidden,
  });
  const steps = [];
  annatField.hidden = true;
  loadForm();
  steps.push(look());
  gata.checked = true;
  doc.fire("change", gata);
  steps.push(look());
  gata.checked = false;
  annat.checked = true;
  text.value = "Lampan  lyser inte. 😀 ";
  doc.fire("input", text);
  steps.push(look());
  doc.fire("click", button);
  steps.push(look());
  return steps;
}

module.exports = { install, felanmalan };

/*
 * blankett.js: the browser half of a blankett e-service.
 *
 * Every page works without this file: the server decides what is shown, computes values and
 * checks answers. With it, the page follows the citizen as they type: questions appear and
 * disappear, computed values and rule messages update, and long texts count their characters.
 * For that it must reach the same result as the server, always, so this runtime is a
 * line-by-line port of the Rust evaluator, and a differential test
 * (compiler/tests/js_differential.rs) holds the two together over many thousands of random
 * expressions and answers. A change to one is a change to both.
 *
 * Three parts, served joined as one file (`RUNTIME_JS`):
 *   blankett.js  values, operators and functions: `B` (compiler/src/expr/eval.rs, pnr.rs)
 *   answers.js   answers to values (compiler/src/eval/answer.rs and src/domain)
 *   form.js      a whole form evaluated (compiler/src/eval/form.rs), and the page kept up to date
 *
 * Each form's own file (generated, `form.js` in the form's folder) calls
 * `blankett.register({...})` with its expressions compiled to plain functions; nothing here
 * evaluates text as code, so the page's `script-src 'self'` policy holds. ES2017, no
 * dependencies.
 */
(function (root) {
  "use strict";

  // ---------------------------------------------------------------- values
  //
  // null, true/false, numbers (always finite), strings, arrays, and these four:

  /** A date, as days since 1970-01-01: equality and order are those of integers. */
  class Day {
    constructor(n) {
      this.n = n;
      Object.freeze(this);
    }
  }
  class Position {
    constructor(lat, lon) {
      this.lat = lat;
      this.lon = lon;
      Object.freeze(this);
    }
  }
  /** An attached file (`File` is the browser's own). */
  class Upload {
    constructor(name, size, mime) {
      this.name = name;
      this.size = size;
      this.mime = mime;
      Object.freeze(this);
    }
  }
  /** One row of a repeat: field id → value. */
  class Row {
    constructor(fields) {
      this.fields = fields;
      Object.freeze(this);
    }
  }

  const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  const isObject = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
  const finite = (n) => (Number.isFinite(n) ? n : null);
  const floorDiv = (a, b) => Math.floor(a / b);

  // Proleptic Gregorian calendar arithmetic (H. Hinnant's algorithms), as chrono's NaiveDate.
  function daysFromCivil(y, m, d) {
    const yy = m <= 2 ? y - 1 : y;
    const era = floorDiv(yy, 400);
    const yoe = yy - era * 400;
    const doy = floorDiv(153 * (m > 2 ? m - 3 : m + 9) + 2, 5) + d - 1;
    return era * 146097 + yoe * 365 + floorDiv(yoe, 4) - floorDiv(yoe, 100) + doy - 719468;
  }
  function civil(day) {
    const z = day.n + 719468;
    const era = floorDiv(z, 146097);
    const doe = z - era * 146097;
    const yoe = floorDiv(doe - floorDiv(doe, 1460) + floorDiv(doe, 36524) - floorDiv(doe, 146096), 365);
    const doy = doe - (365 * yoe + floorDiv(yoe, 4) - floorDiv(yoe, 100));
    const mp = floorDiv(5 * doy + 2, 153);
    const m = mp < 10 ? mp + 3 : mp - 9;
    return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, doy - floorDiv(153 * mp + 2, 5) + 1];
  }
  const leap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  /** The Day of y-m-d, or null when there is no such date (chrono's range included). */
  function ymd(y, m, d) {
    const lengths = [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    const ok = [y, m, d].every(Number.isInteger) && y >= -262143 && y <= 262142 &&
      m >= 1 && m <= 12 && d >= 1 && d <= lengths[m - 1];
    return ok ? new Day(daysFromCivil(y, m, d)) : null;
  }
  const pad = (n, width) => String(n).padStart(width, "0");
  const isoDate = (day) => {
    const [y, m, d] = civil(day);
    return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
  };

  /** Rust's `==` on values: same kind, same content (numbers by `===`, so -0 equals 0). */
  function same(a, b) {
    if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
    if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
    if (a.constructor !== b.constructor) return false;
    if (a instanceof Day) return a.n === b.n;
    if (a instanceof Position) return a.lat === b.lat && a.lon === b.lon;
    if (a instanceof Upload) return a.name === b.name && a.size === b.size && a.mime === b.mime;
    const ka = Object.keys(a.fields);
    return ka.length === Object.keys(b.fields).length &&
      ka.every((k) => hasOwn(b.fields, k) && same(a.fields[k], b.fields[k]));
  }

  /** -1, 0 or 1 for numbers, dates and texts (by UTF-16 code units); null for other pairs. */
  function order(a, b) {
    const pair = (typeof a === "number" && typeof b === "number") ||
      (typeof a === "string" && typeof b === "string");
    if (pair) return a < b ? -1 : a > b ? 1 : 0;
    if (a instanceof Day && b instanceof Day) return Math.sign(a.n - b.n);
    return null;
  }

  /** `xs` is a list with an item equal to `x`; never for a null `x`. */
  const holds = (xs, x) => Array.isArray(xs) && xs.some((item) => eq(item, x));

  // ---------------------------------------------------------------- operators
  // Comparisons with null are false, `!=` included; arithmetic with null is null.
  const truthy = (x) => x === true;
  const eq = (a, b) => a !== null && b !== null && same(a, b);
  const ne = (a, b) => a !== null && b !== null && !same(a, b);
  const bothNumbers = (a, b) => typeof a === "number" && typeof b === "number";

  // ---------------------------------------------------------------- age()
  // Rust's `char::is_whitespace` (Unicode White_Space), which is not JavaScript's `\s`.
  const WS = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  const WS_EDGES = new RegExp(`^[${WS}]+|[${WS}]+$`, "g");
  const trim = (s) => s.replace(WS_EDGES, "");

  /** The Luhn check over the digits of a ten-digit string. */
  function luhn(ten) {
    let sum = 0;
    for (let i = 0; i < 9; i++) {
      const v = Number(ten[i]) * (i % 2 === 0 ? 2 : 1);
      sum += Math.floor(v / 10) + (v % 10);
    }
    return (10 - (sum % 10)) % 10 === Number(ten[9]);
  }

  /** expr/pnr.rs `birth_date`: the Day a personnummer encodes, or null. */
  function birthDate(text, today) {
    const s = trim(text);
    // Only ASCII digits and one separator can pass below, so any other character fails here,
    // and string indices are the byte indices of the Rust code.
    if (/[^\x00-\x7f]/.test(s)) return null;
    const i = s.search(/[-+]/);
    let date, sep = null, tail;
    if (i >= 0) [date, sep, tail] = [s.slice(0, i), s[i], s.slice(i + 1)];
    else if (s.length === 12) [date, tail] = [s.slice(0, 8), s.slice(8)];
    else if (s.length >= 6) [date, tail] = [s.slice(0, 6), s.slice(6)];
    else return null;
    if (!/^[0-9]*$/.test(date) || !/^[0-9]{4}$/.test(tail) || !(date.length === 6 || date.length === 8)) return null;
    const short = date.slice(-6);
    if (!luhn(short + tail)) return null;
    const month = Number(short.slice(2, 4));
    let day = Number(short.slice(4, 6));
    if (day > 60) day -= 60;
    const [ty, tm, td] = civil(today);
    let year;
    if (date.length === 8) year = Number(date.slice(0, 4));
    else {
      year = ty - (((ty % 100) + 100) % 100) + Number(short.slice(0, 2));
      if (year > ty || (year === ty && (month > tm || (month === tm && day > td)))) year -= 100;
      if (sep === "+") year -= 100;
    }
    const born = ymd(year, month, day);
    return born !== null && born.n <= today.n ? born : null;
  }

  /** Whole years; a 29 February child turns a year older on 1 March in common years. */
  function age(env, p) {
    if (typeof p !== "string") return null;
    const today = env.today();
    const born = birthDate(p, today);
    if (born === null) return null;
    const [by, bm, bd] = civil(born);
    const [ty, tm, td] = civil(today);
    const hadBirthday = tm > bm || (tm === bm && td >= bd);
    const years = ty - by - (hadBirthday ? 0 : 1);
    return years >= 0 ? years : null;
  }

  // ---------------------------------------------------------------- round()
  /** The shortest decimal digits of a positive double and the power of ten of the first. */
  function shortest(a) {
    // String(a) is pinned by the standard to the shortest round-trip digits, the closest
    // ones on a tie, as Rust's `{:e}`; toExponential() is not pinned so tightly.
    const [mantissa, e] = String(a).split("e");
    const [int, frac = ""] = mantissa.split(".");
    const all = int + frac;
    const lead = all.search(/[1-9]/);
    const digits = all.slice(lead).replace(/0+$/, "");
    return { digits, exp: Number(e || 0) + int.length - lead - 1 };
  }

  /** eval.rs `round_decimal`: halves away from zero, on the shortest decimal form. */
  function roundDecimal(x, n) {
    if (x === 0) return 0;
    const { digits, exp } = shortest(Math.abs(x));
    const keep = exp + 1 + n;
    if (keep >= digits.length) return x;
    if (keep < 0) return 0;
    let kept = keep === 0 ? "0" : digits.slice(0, keep);
    if (digits[keep] >= "5") kept = increment(kept);
    return finite(Number(`${x < 0 ? "-" : ""}${kept}e${-n}`));
  }
  /** A decimal digit string plus one. (It can have 17 digits: too many for a double.) */
  function increment(s) {
    const d = s.split("").map(Number);
    let i = d.length - 1;
    while (i >= 0 && d[i] === 9) d[i--] = 0;
    if (i < 0) d.unshift(1);
    else d[i] += 1;
    return d.join("").replace(/^0+(?=\d)/, "");
  }

  // ---------------------------------------------------------------- functions
  function extreme(args, want) {
    const all = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
    const items = all.filter((v) => v !== null);
    const sameKind = items.every((v) => typeof v === "number") || items.every((v) => v instanceof Day);
    if (!sameKind) return null;
    let best = null;
    for (const v of items) if (best === null || order(v, best) === want) best = v;
    return best;
  }

  const patterns = new Map();
  function wholeMatch(text, source) {
    if (!patterns.has(source)) {
      // The compiler only writes sources that RegExp reads (the differential test holds it to
      // that); were one refused all the same, it would match nothing, as on the server.
      let re = null;
      try {
        re = new RegExp(source, "u");
      } catch (e) {
        re = null;
      }
      patterns.set(source, re);
    }
    const re = patterns.get(source);
    return re !== null && re.test(text);
  }

  // ---------------------------------------------------------------- date arithmetic
  // expr/dates.rs: steps are whole numbers under a billion; a date outside chrono's calendar
  // is null.
  const wholeStep = (n) => typeof n === "number" && Number.isInteger(n) && Math.abs(n) < 1e9;
  function addDays(d, n) {
    if (!(d instanceof Day) || !wholeStep(n)) return null;
    const [y, m, dd] = civil(new Day(d.n + n));
    return ymd(y, m, dd);
  }
  function shiftMonths(d, months) {
    const [y, m, day] = civil(d);
    const total = y * 12 + (m - 1) + months;
    const year = floorDiv(total, 12);
    const month = total - year * 12 + 1;
    for (let dd = day; dd >= 1; dd--) {
      const found = ymd(year, month, dd);
      if (found !== null) return found;
    }
    return null;
  }
  function yearsBetween(a, b) {
    if (b.n < a.n) return 0 - yearsBetween(b, a);
    const [ay, am, ad] = civil(a);
    const [by, bm, bd] = civil(b);
    const before = bm < am || (bm === am && bd < ad);
    return by - ay - (before ? 1 : 0);
  }
  const answeredValue = (x) => x !== null && x !== "" && !(Array.isArray(x) && x.length === 0);
  function unique(xs) {
    const items = xs.filter(answeredValue);
    return items.every((a, i) => items.slice(i + 1).every((b) => !eq(a, b)));
  }

  // Each function is called with the environment first, then exactly the arguments eval.rs
  // has an arm for; the compiler makes every other call null.
  const fn = {
    today: (env) => env.today(),
    age,
    len: (env, x) => (typeof x === "string" ? Array.from(x).length : Array.isArray(x) ? x.length : x === null ? 0 : null),
    count: (env, x) => (Array.isArray(x) ? x.length : x === null ? 0 : null),
    // Rust's float sum starts from -0.0.
    sum: (env, x) => (Array.isArray(x) ? finite(x.reduce((s, v) => (typeof v === "number" ? s + v : s), -0)) : x === null ? 0 : null),
    min: (env, ...args) => extreme(args, -1),
    max: (env, ...args) => extreme(args, 1),
    round: (env, x, n) => (bothNumbers(x, n) && Number.isInteger(n) && Math.abs(n) <= 15 ? roundDecimal(x, n) : null),
    answered: (env, x) => answeredValue(x),
    // `source` is the pattern as translated at build time (expr/pattern.rs); null if refused.
    matches: (env, x, p, source) => typeof x === "string" && typeof p === "string" && source !== null && wholeMatch(x, source),
    days_between: (env, a, b) => (a instanceof Day && b instanceof Day ? b.n - a.n : null),
    contains: (env, xs, x) => (typeof xs === "string" && typeof x === "string" ? xs.includes(x) : holds(xs, x)),
    year: (env, d) => (d instanceof Day ? civil(d)[0] : null),
    add_days: (env, d, n) => addDays(d, n),
    add_months: (env, d, n) => (d instanceof Day && wholeStep(n) ? shiftMonths(d, n) : null),
    add_years: (env, d, n) => (d instanceof Day && wholeStep(n) ? shiftMonths(d, n * 12) : null),
    years_between: (env, a, b) => (a instanceof Day && b instanceof Day ? yearsBetween(a, b) : null),
    weekday: (env, d) => (d instanceof Day ? (((d.n + 3) % 7) + 7) % 7 + 1 : null),
    unique: (env, xs) => (Array.isArray(xs) ? unique(xs) : xs === null ? true : null),
  };

  const B = {
    Day, Position, Upload, Row, fn, same,
    date: (y, m, d) => ymd(y, m, d),
    /** [year, month, day] of a Day. */
    civil,
    truthy,
    eq,
    ne,
    lt: (a, b) => order(a, b) === -1,
    le: (a, b) => order(a, b) === -1 || order(a, b) === 0,
    gt: (a, b) => order(a, b) === 1,
    ge: (a, b) => order(a, b) === 1 || order(a, b) === 0,
    in: (x, xs) => holds(xs, x),
    add: (a, b) => (bothNumbers(a, b) ? finite(a + b) : typeof a === "string" && typeof b === "string" ? a + b : null),
    sub: (a, b) => (bothNumbers(a, b) ? finite(a - b) : null),
    mul: (a, b) => (bothNumbers(a, b) ? finite(a * b) : null),
    div: (a, b) => (bothNumbers(a, b) && b !== 0 ? finite(a / b) : null),
    neg: (x) => (typeof x === "number" ? -x : null),
  };

  // What the other parts of the runtime (answers.js, form.js) share; not for forms.
  const util = { hasOwn, isObject, finite, ymd, civil, isoDate, pad, trim, luhn, WS };

  root.blankett = { B, util };
})(typeof window !== "undefined" ? window : this);

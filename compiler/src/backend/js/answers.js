/*
 * answers.js, part of blankett.js: an answer as it arrives (JSON-like: what a scenario test
 * gives, or what the page's inputs hold) to a value, exactly as compiler/src/eval/answer.rs
 * and the domain validators in compiler/src/domain do it. `undefined` is a refused answer,
 * which the form sees as null, as the server does.
 */
(function (root) {
  "use strict";
  const { B, util } = root.blankett;
  const { hasOwn, isObject, ymd, civil, trim, luhn, pad, WS } = util;
  const WS_CHAR = new RegExp(`[${WS}]`, "u");
  const WS_RUNS = new RegExp(`[${WS}]+`, "gu");
  const { Upload, Position } = B;

  const isEmpty = (raw) =>
    raw === null || raw === undefined ||
    (typeof raw === "string" && trim(raw) === "") ||
    (Array.isArray(raw) && raw.length === 0) ||
    (isObject(raw) && Object.keys(raw).every((k) => isEmpty(raw[k])));

  // A number where text is wanted is written as String(n) writes it; answer.rs `number_text`
  // does the same, since JSON (and so the browser) cannot tell 50 from 50.0.
  const scalarText = (raw) =>
    typeof raw === "string" ? raw : typeof raw === "number" || typeof raw === "boolean" ? String(raw) : null;

  /** Rust's `str::parse::<f64>`: its grammar, NaN for "inf" and "nan", undefined otherwise. */
  function rustFloat(s) {
    const lower = s.replace(/[A-Z]/g, (c) => c.toLowerCase());
    if (/^[+-]?(inf|infinity|nan)$/.test(lower)) return NaN;
    return /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?$/.test(lower) ? Number(s) : undefined;
  }

  /** "1 000", "12,5", "100 kr" and "−3" as people write numbers. */
  function cleanNumber(s) {
    let t = trim(s);
    while (t.endsWith("kr")) t = t.slice(0, -2);
    while (t.endsWith(":-")) t = t.slice(0, -2);
    return t.replace(WS_RUNS, "").split(",").join(".").split("\u2212").join("-");
  }

  function number(raw, whole) {
    const n = typeof raw === "number" ? raw : typeof raw === "string" ? rustFloat(cleanNumber(raw)) : undefined;
    if (n === undefined || !Number.isFinite(n) || Math.abs(n) > 9e15) return undefined;
    return whole && !Number.isInteger(n) ? undefined : n;
  }

  /** answer.rs `plausible_year`: years outside 1000–9999 are typing mistakes. */
  const plausible = (y, m, d) => (y >= 1000 && y <= 9999 ? ymd(y, m, d) : null);

  /** answer.rs `parse_date`: YYYY-M-D (one or two digits each for month and day) or YYYYMMDD. */
  function parseDate(s) {
    const m = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$/.exec(s) || /^([0-9]{4})([0-9]{2})([0-9]{2})$/.exec(s);
    return m ? plausible(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  }

  function date(raw) {
    if (typeof raw === "string") return parseDate(trim(raw)) || undefined;
    if (!isObject(raw)) return undefined;
    // The first key present decides, even when its value is unusable, as in answer.rs.
    const part = (keys) => {
      const k = keys.find((key) => hasOwn(raw, key));
      const text = k === undefined ? null : scalarText(raw[k]);
      const t = text === null ? "" : trim(text);
      // Rust's u32 parse: an optional +, ASCII digits, at most 4294967295.
      return /^\+?[0-9]+$/.test(t) && Number(t.replace(/^\+/, "")) <= 4294967295 ? Number(t.replace(/^\+/, "")) : null;
    };
    const [y, m, d] = [part(["year", "ar"]), part(["month", "manad"]), part(["day", "dag"])];
    if (y === null || m === null || d === null) return undefined;
    return plausible(y, m, d) || undefined;
  }

  function boolean(raw) {
    if (typeof raw === "boolean") return raw;
    if (typeof raw !== "string") return undefined;
    const t = trim(raw).toLowerCase();
    if (["true", "ja", "yes", "on", "1"].includes(t)) return true;
    return ["false", "nej", "no", "off", "0"].includes(t) ? false : undefined;
  }

  function mimeFromName(name) {
    const ext = name.split(".").pop().replace(/[A-Z]/g, (c) => c.toLowerCase());
    const types = {
      jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", heic: "image/heic", gif: "image/gif",
      pdf: "application/pdf", txt: "text/plain",
      docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    };
    return hasOwn(types, ext) ? types[ext] : "application/octet-stream";
  }

  function upload(raw) {
    if (typeof raw === "string") return new Upload(raw, 0, mimeFromName(raw));
    const name = isObject(raw) && hasOwn(raw, "name") ? scalarText(raw.name) : null;
    if (name === null) return undefined;
    const size = hasOwn(raw, "size") && Number.isInteger(raw.size) && raw.size >= 0 && raw.size < 2 ** 64 ? raw.size : 0;
    const type = hasOwn(raw, "type") ? scalarText(raw.type) : null;
    return new Upload(name, size, type === null ? mimeFromName(name) : type);
  }

  function position(raw) {
    let lat, lon;
    if (isObject(raw)) {
      const num = (k) => {
        if (!hasOwn(raw, k)) return undefined;
        if (typeof raw[k] === "number") return raw[k];
        const t = scalarText(raw[k]);
        return t === null ? undefined : rustFloat(cleanNumber(t));
      };
      [lat, lon] = [num("lat"), num("lon")];
    } else if (typeof raw === "string") {
      const i = raw.search(/[; ,]/);
      if (i < 0) return undefined;
      lat = rustFloat(trim(raw.slice(0, i)));
      lon = rustFloat(trim(trim(raw.slice(i + 1)).replace(/^,+/, "")));
    }
    const inRange = (v, limit) => v !== undefined && v >= -limit && v <= limit;
    return inRange(lat, 90) && inRange(lon, 180) ? new Position(lat, lon) : undefined;
  }

  function parseAnswer(kind, raw, today) {
    if (isEmpty(raw)) return null;
    const text = scalarText(raw);
    const textual = (check) => (text === null ? undefined : check(text));
    switch (kind) {
      case "text": case "textarea": return textual(trim);
      case "email": return textual(domain.email);
      case "phone": return textual(domain.phone);
      case "postnummer": return textual(domain.postnummer);
      case "personnummer": return textual((t) => domain.personnummer(t, today));
      case "orgnummer": return textual(domain.orgnummer);
      case "fastighetsbeteckning": return textual(domain.fastighetsbeteckning);
      case "integer": return number(raw, true);
      case "decimal": case "money": return number(raw, false);
      case "date": return date(raw);
      case "yes_no": case "consent": return boolean(raw);
      case "choice": return textual((t) => t);
      case "multi_choice":
        if (Array.isArray(raw)) return raw.map(scalarText).filter((s) => s !== null && s !== "");
        return textual((t) => [t]);
      case "file": return upload(raw);
      case "files": {
        // A field of several files (`max_files`): a list, one given alone a list of one.
        const files = (Array.isArray(raw) ? raw.filter((i) => !isEmpty(i)) : [raw]).map(upload);
        return files.some((f) => f === undefined) ? undefined : files;
      }
      case "position": return position(raw);
      default: return null;
    }
  }

  // ---------------------------------------------------------------- domain validators
  // Each takes the text as typed and gives the normalized text, or undefined.

  const isControl = (c) => /[\u0000-\u001f\u007f-\u009f]/.test(c);
  const emailExcluded = (c) => c === "@" || WS_CHAR.test(c) || isControl(c);
  const cleanPart = (s) => s !== "" && !Array.from(s).some(emailExcluded);

  function email(input) {
    const s = trim(input);
    if (Array.from(s).length > 254) return undefined;
    const at = s.indexOf("@");
    if (at < 0) return undefined;
    const labels = s.slice(at + 1).split(".");
    return cleanPart(s.slice(0, at)) && labels.length >= 2 && labels.every(cleanPart) ? s : undefined;
  }

  function phone(input) {
    const s = trim(input);
    const rest = s.startsWith("+") ? s.slice(1) : s;
    if (!/^[0-9 ()-]*$/.test(rest)) return undefined;
    const digits = rest.replace(/[^0-9]/g, "").length;
    return digits >= 7 && digits <= 15 ? s : undefined;
  }

  function postnummer(input) {
    const m = /^([0-9]{3}) ?([0-9]{2})$/.exec(trim(input));
    return m && m[1][0] !== "0" ? `${m[1]} ${m[2]}` : undefined;
  }

  /** The ASCII digits of a number and its one separator; null for anything else. */
  function splitDigits(s, separators) {
    let digits = "";
    let separator = null;
    for (const c of s) {
      if (c >= "0" && c <= "9") {
        if (digits.length === 12) return null;
        digits += c;
      } else if (separator === null && separators.includes(c)) separator = [digits.length, c];
      else return null;
    }
    return { digits, separator };
  }
  const sepIs = (sep, at, c) => sep === null || (sep[0] === at && sep[1] === c);
  /** Month and real day of `YYMMDD…`: a samordningsnummer has 60 added to the day. */
  const monthDay = (ten) => {
    const day = Number(ten.slice(4, 6));
    return [Number(ten.slice(2, 4)), day > 60 ? day - 60 : day];
  };
  const birth = (year, month, day) => (year >= 1800 && year <= 9999 ? ymd(year, month, day) : null);

  function personnummer(input, today) {
    const typed = splitDigits(trim(input), "-+");
    if (typed === null) return undefined;
    const { digits, separator: sep } = typed;
    let century = null, ten, plus = false;
    if (digits.length === 10 && (sepIs(sep, 6, "-") || sepIs(sep, 6, "+"))) {
      ten = digits;
      plus = sep !== null && sep[1] === "+";
    } else if (digits.length === 12 && sepIs(sep, 8, "-")) {
      century = Number(digits.slice(0, 2));
      ten = digits.slice(2);
    } else return undefined;
    const [month, day] = monthDay(ten);
    const yy = Number(ten.slice(0, 2));
    let year;
    if (century !== null) year = century * 100 + yy;
    else {
      const [ty, tm, td] = civil(today);
      year = ty - (((ty % 100) + 100) % 100) + yy;
      if (year > ty || (year === ty && (month > tm || (month === tm && day > td)))) year -= 100;
      if (plus) year -= 100;
    }
    const born = birth(year, month, day);
    if (born === null || born.n > today.n || !luhn(ten)) return undefined;
    return `${pad(year, 4)}${ten.slice(2, 6)}-${ten.slice(6)}`;
  }

  function orgnummer(input) {
    const typed = splitDigits(trim(input), "-");
    if (typed === null) return undefined;
    const { digits, separator: sep } = typed;
    let ten;
    if (digits.length === 10 && sepIs(sep, 6, "-")) ten = digits;
    else if (digits.length === 12 && sepIs(sep, 8, "-")) {
      if (digits.startsWith("16")) {
        // "16" stands in for legal persons: what follows must be one, never a personnummer.
        if (Number(digits[4]) < 2) return undefined;
      } else {
        const [month, day] = monthDay(digits.slice(2));
        if (birth(Number(digits.slice(0, 4)), month, day) === null) return undefined;
      }
      ten = digits.slice(2);
    } else return undefined;
    if (Number(ten[2]) < 2) {
      const [month, day] = monthDay(ten);
      if (ymd(2000 + Number(ten.slice(0, 2)), month, day) === null) return undefined;
    }
    return luhn(ten) ? `${ten.slice(0, 6)}-${ten.slice(6)}` : undefined;
  }

  /** Decomposed å, ä, ö, ü, é (as macOS pastes them) composed. */
  function compose(s) {
    const combined = {
      "a\u030a": "å", "A\u030a": "Å", "a\u0308": "ä", "A\u0308": "Ä", "o\u0308": "ö",
      "O\u0308": "Ö", "u\u0308": "ü", "U\u0308": "Ü", "e\u0301": "é", "E\u0301": "É",
    };
    const out = [];
    for (const c of s) {
      const pair = out.length > 0 ? out[out.length - 1] + c : "";
      if (hasOwn(combined, pair)) out[out.length - 1] = combined[pair];
      else out.push(c);
    }
    return out.join("");
  }
  const isNumber = (s) => /^[0-9]+$/.test(s);
  const isNameWord = (w) => w.split("-").every((part) => /^[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]+$/.test(part));
  function isDesignation(s) {
    const colon = s.indexOf(":");
    if (colon < 0) return isNumber(s);
    const [block, unit] = [s.slice(0, colon), s.slice(colon + 1)];
    return (isNumber(block) || /^[A-Za-z]{1,3}$/.test(block)) && isNumber(unit);
  }

  function fastighetsbeteckning(input) {
    const words = compose(input).split(WS_RUNS).filter((w) => w !== "");
    const normalized = words.join(" ").split(" :").join(":").split(": ").join(":");
    const space = normalized.lastIndexOf(" ");
    if (space < 0) return undefined;
    const name = normalized.slice(0, space);
    return isDesignation(normalized.slice(space + 1)) && name.split(" ").every(isNameWord) ? normalized : undefined;
  }

  const domain = { email, phone, postnummer, personnummer, orgnummer, fastighetsbeteckning };

  root.blankett.parseAnswer = parseAnswer;
  root.blankett.parseDate = parseDate;
})(typeof window !== "undefined" ? window : this);

#!/usr/bin/env python3
"""Convert XLSForms (.xlsx) into a blankett library, field for field.

    xlsform_to_blankett.py OUT_LIB FORM.xlsx [FORM.xlsx ...]

writes OUT_LIB/blankett.yaml and, per XLSForm, OUT_LIB/<form_id>/<form_id>.form.yaml plus one
fragment file per nested group (OUT_LIB/<form_id>/<group>.fragment.yaml). Prints what it had to
simplify (once per kind of simplification, with how many forms it touched).

The mapping:

    survey type            blankett
    text                   text (appearance multiline: textarea)
    integer / decimal      integer / decimal
    date                   date
    select_one L           choice, choices: L        (choices sheet → named lists)
    select_multiple L      multi_choice, choices: L
    geopoint               position
    image / file           file (image: accept image/*, capture)
    acknowledge            consent
    note                   info
    calculate              computed
    begin/end group        top level: a page; nested: a fragment placed with `use`
    begin/end repeat       repeat (its rows' fields inside)
    relevant               visible_if
    required               required (blankett's default is true, so `no` becomes `required: false`)
    constraint             `regex(., 'p')` alone: pattern; otherwise a rule (`when` = the negated
                           constraint, guarded by `answered(.)`, since XLSForm checks only answers)
    choice_filter          `col = ${field}`: a rule that the chosen value belongs to the chosen
                           field's group (blankett lists every choice; the rule refuses a mismatch)

XPath → blankett expressions: ${x} → the field's path (x, prefix.x, or repeat[*].x from outside
the repeat), `.` → the field itself, `=` → `==`, `div` → `/`, selected(a, v) → contains(a, v),
count-selected(a) → count(a), regex(a, p) → matches(a, p), string-length(a) → len(a),
not(a) → not a; today, round, sum, count, min, max, if keep their names. Anything else (concat,
mod, int, …) cannot be said in blankett: the row loses that expression and the converter says so.
"""

import json
import re
import sys
from collections import OrderedDict, defaultdict
from pathlib import Path

from openpyxl import load_workbook

SIMPLIFIED = defaultdict(set)  # description -> form ids


def simplify(form_id, what):
    SIMPLIFIED[what].add(form_id)


class Unsupported(Exception):
    pass


# ---------------------------------------------------------------- reading the workbook


def sheet_rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    out = []
    for r in rows[1:]:
        if all(v is None or str(v).strip() == "" for v in r):
            continue
        d = {}
        for h, v in zip(header, r):
            if h and v is not None and str(v).strip() != "":
                d[h] = v if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v).strip()
        out.append(d)
    return out


LANG_RE = re.compile(r"\(([a-z]{2,3})\)\s*$")


def lang_of(column_suffix, default):
    m = LANG_RE.search(column_suffix)
    if m:
        return m.group(1)
    s = column_suffix.strip().lower()
    return {"svenska": "sv", "english": "en", "swedish": "sv"}.get(s, s or default)


def texts(row, key, default_lang):
    """{lang: text} from `key` and `key::Language (xx)` columns."""
    t = OrderedDict()
    for col, v in row.items():
        if col == key:
            t[default_lang] = str(v)
        elif col.startswith(key + "::"):
            t[lang_of(col[len(key) + 2:], default_lang)] = str(v)
    return t


# ---------------------------------------------------------------- XPath-ish expressions

TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{[A-Za-z_][A-Za-z0-9_.\-]*\})
      | (?P<num>\d+(?:\.\d+)?)
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
      | (?P<dot>\.(?![0-9]))
      | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*)
    )""",
    re.X,
)


def tokenize(src):
    pos, out = 0, []
    src = src.strip()
    while pos < len(src):
        m = TOKEN_RE.match(src, pos)
        if not m or m.end() == pos:
            raise Unsupported(f"cannot read `{src[pos:]}`")
        pos = m.end()
        kind = m.lastgroup
        text = m.group(kind)
        if kind == "name" and text in ("and", "or", "div", "mod"):
            kind = "op"
        out.append((kind, text))
    return out


# AST: ("ref", name) ("self",) ("num", text) ("str", text) ("call", fn, [args])
#      ("bin", op, a, b) ("neg", a) ("not", a)

class Parser:
    PREC = [("or",), ("and",), ("=", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "div", "mod")]

    def __init__(self, src):
        self.toks = tokenize(src)
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, text=None):
        t = self.peek()
        if t[0] is None or (text is not None and t[1] != text):
            raise Unsupported(f"expected `{text}`")
        self.i += 1
        return t

    def parse(self):
        e = self.level(0)
        if self.i != len(self.toks):
            raise Unsupported(f"unexpected `{self.peek()[1]}`")
        return e

    def level(self, n):
        if n == len(self.PREC):
            return self.unary()
        left = self.level(n + 1)
        while self.peek()[0] == "op" and self.peek()[1] in self.PREC[n]:
            op = self.take()[1]
            right = self.level(n + 1)
            left = ("bin", op, left, right)
        return left

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        return self.atom()

    def atom(self):
        kind, text = self.take()
        if kind == "ref":
            return ("ref", text[2:-1])
        if kind == "dot":
            return ("self",)
        if kind == "num":
            return ("num", text)
        if kind == "str":
            return ("str", text[1:-1])
        if kind == "op" and text == "(":
            e = self.level(0)
            self.take(")")
            return e
        if kind == "name":
            if self.peek() == ("op", "("):
                self.take("(")
                args = []
                if self.peek() != ("op", ")"):
                    args.append(self.level(0))
                    while self.peek() == ("op", ","):
                        self.take(",")
                        args.append(self.level(0))
                self.take(")")
                if text in ("true", "false") and not args:
                    return ("bool", text)
                return ("call", text, args)
            raise Unsupported(f"a bare name `{text}` (an XPath path)")
        raise Unsupported(f"unexpected `{text}`")


def refs_of(node, acc=None):
    acc = set() if acc is None else acc
    if node[0] == "ref":
        acc.add(node[1])
    elif node[0] == "call":
        for a in node[2]:
            refs_of(a, acc)
    elif node[0] == "bin":
        refs_of(node[2], acc)
        refs_of(node[3], acc)
    elif node[0] in ("neg", "not"):
        refs_of(node[1], acc)
    return acc


BIN = {"or": "or", "and": "and", "=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
       "+": "+", "-": "-", "*": "*", "div": "/"}
PREC = {"or": 1, "and": 2, "not": 3, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "in": 4,
        "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7}
FUNCS = {"selected": "contains", "count-selected": "count", "regex": "matches", "string-length": "len",
         "today": "today", "round": "round", "sum": "sum", "count": "count", "min": "min", "max": "max",
         "if": "if", "date": "date"}
INVERT = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def bl_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Emitter:
    """Turns the AST into blankett text. `path(name)` gives a field's reference from here."""

    def __init__(self, path, self_path=None):
        self.path = path
        self.self_path = self_path

    def emit(self, n):
        return self._e(n)[0]

    def _wrap(self, n, min_prec):
        text, prec = self._e(n)
        return f"({text})" if prec < min_prec else text

    def _e(self, n):
        k = n[0]
        if k == "ref":
            return self.path(n[1]), 9
        if k == "self":
            if not self.self_path:
                raise Unsupported("`.` outside a constraint")
            return self.self_path, 9
        if k == "num":
            return n[1], 9
        if k == "str":
            return bl_string(n[1]), 9
        if k == "bool":
            return n[1], 9
        if k == "neg":
            return "-" + self._wrap(n[1], 7), 7
        if k == "not":
            return "not " + self._wrap(n[1], 4), 3
        if k == "call":
            fn, args = n[1], n[2]
            if fn == "not" and len(args) == 1:
                return self._e(("not", args[0]))
            if fn not in FUNCS:
                raise Unsupported(f"the XPath function `{fn}()`")
            if fn == "date" and len(args) == 1 and args[0][0] == "str":
                return f"date({bl_string(args[0][1])})", 9
            return f"{FUNCS[fn]}({', '.join(self.emit(a) for a in args)})", 9
        if k == "bin":
            op = n[1]
            if op not in BIN:
                raise Unsupported(f"the XPath operator `{op}`")
            op = BIN[op]
            p = PREC[op]
            # Comparisons do not chain in blankett: both sides one level tighter.
            right_min = p + 1
            left_min = p + 1 if p == 4 else p
            return f"{self._wrap(n[2], left_min)} {op} {self._wrap(n[3], right_min)}", p
        raise Unsupported(f"node {k}")


def negate(n):
    """not n, pushed inwards, so that a comparison with an unanswered field stays false."""
    if n[0] == "bin" and n[1] == "and":
        return ("bin", "or", negate(n[2]), negate(n[3]))
    if n[0] == "bin" and n[1] == "or":
        return ("bin", "and", negate(n[2]), negate(n[3]))
    if n[0] == "bin" and n[1] in ("=", "!=", "<", "<=", ">", ">="):
        inv = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}[n[1]]
        return ("bin", inv, n[2], n[3])
    if n[0] == "not":
        return n[1]
    if n[0] == "call" and n[1] == "not" and len(n[2]) == 1:
        return n[2][0]
    return ("not", n)


# ---------------------------------------------------------------- the survey as a tree


def snake(name):
    s = re.sub(r"[^a-z0-9_]", "_", str(name).strip().lower())
    s = re.sub(r"_+", "_", s).strip("_") or "falt"
    return s if s[0].isalpha() else "f_" + s


def build_tree(rows):
    """Nested groups/repeats: ("group"|"repeat", row, [children]); questions: ("q", row)."""
    root = ("root", {}, [])
    stack = [root]
    for r in rows:
        t = str(r.get("type", "")).strip()
        tl = t.lower().replace(" ", "_")
        if tl in ("begin_group", "begin_repeat"):
            node = ("group" if tl == "begin_group" else "repeat", r, [])
            stack[-1][2].append(node)
            stack.append(node)
        elif tl in ("end_group", "end_repeat"):
            if len(stack) > 1:
                stack.pop()
        else:
            stack[-1][2].append(("q", r))
    return root


QUESTION_TYPES = {
    "text": "text", "integer": "integer", "int": "integer", "decimal": "decimal", "date": "date",
    "geopoint": "position", "image": "file", "file": "file", "note": "info", "calculate": "computed",
    "acknowledge": "consent", "select_one": "choice", "select_multiple": "multi_choice",
    "select_one_from_file": None, "select_multiple_from_file": None,
}
METADATA = {"start", "end", "today", "deviceid", "phonenumber", "username", "email", "audit",
            "simserial", "subscriberid", "start-geopoint"}


class Converter:
    def __init__(self, path):
        wb = load_workbook(path, read_only=True, data_only=True)
        self.survey = sheet_rows(wb["survey"])
        self.choices_rows = sheet_rows(wb["choices"]) if "choices" in wb.sheetnames else []
        settings = sheet_rows(wb["settings"]) if "settings" in wb.sheetnames else []
        self.settings = settings[0] if settings else {}
        wb.close()
        dl = str(self.settings.get("default_language", "sv"))
        self.default_lang = lang_of(dl, "sv") if "(" in dl else {"svenska": "sv", "english": "en"}.get(dl.lower(), "sv")
        self.form_id = snake(self.settings.get("form_id", Path(path).stem))
        self.lists = OrderedDict()
        self.choice_filter_cols = defaultdict(dict)  # list -> value -> {col: val}
        for c in self.choices_rows:
            ln = snake(c.get("list_name", c.get("list name", "")))
            val = str(c.get("name", "")).strip()
            if isinstance(c.get("name"), float) and c["name"].is_integer():
                val = str(int(c["name"]))
            if not ln or not val:
                continue
            lab = texts(c, "label", self.default_lang)
            self.lists.setdefault(ln, []).append((val, lab or {self.default_lang: val}))
            self.choice_filter_cols[ln][val] = {k: v for k, v in c.items()
                                                if k not in ("list_name", "name") and not k.startswith("label")}
        self.tree = build_tree(self.survey)
        self.paths = {}         # xlsform name -> (prefixes, repeat name or None, blankett id)
        self.rules = []
        self.fragments = OrderedDict()   # fragment file stem -> dict
        self.note_for_calc = {}          # calculate name -> note row that shows it
        self.used_ids = set()

    # ---- names and paths

    def index(self, node, prefix, repeat, fragment_groups):
        """Where every question lives: its path parts from the form's root."""
        kind, row, children = node
        for ch in children:
            if ch[0] == "q":
                name = ch[1].get("name")
                if name:
                    self.paths[str(name)] = (prefix, repeat, snake(name))
            elif ch[0] == "repeat":
                name = str(ch[1].get("name"))
                self.paths[name] = (prefix, repeat, snake(name))
                self.index(ch, prefix, snake(name) if repeat is None else repeat, fragment_groups)
            else:
                gname = str(ch[1].get("name"))
                if id(ch) in fragment_groups:
                    self.index(ch, prefix + [snake(gname)], repeat, fragment_groups)
                else:
                    self.index(ch, prefix, repeat, fragment_groups)

    def ref_path(self, name, scope_prefix, scope_repeat):
        """`${name}` as written from a place inside fragment `scope_prefix` / repeat `scope_repeat`."""
        if name not in self.paths:
            raise Unsupported(f"a reference to `{name}`, which is not a field")
        prefix, repeat, fid = self.paths[name]
        if repeat is not None and repeat != scope_repeat:
            # A repeat's field from outside its rows: the list over the rows.
            rp = self.paths_of_repeat(repeat)
            return ".".join(rp[0] + [repeat]) + "[*]." + ".".join(prefix[len(rp[0]):] + [fid])
        if scope_prefix and prefix[:len(scope_prefix)] == scope_prefix:
            return ".".join(prefix[len(scope_prefix):] + [fid])
        if scope_prefix:
            raise Unsupported(f"a fragment's expression refers to `{name}` outside it")
        return ".".join(prefix + [fid])

    def paths_of_repeat(self, rid):
        for n, (prefix, repeat, fid) in self.paths.items():
            if fid == rid:
                return prefix, repeat
        return [], None

    def expr(self, src, scope_prefix=(), scope_repeat=None, self_name=None, what="expression"):
        tree = Parser(src).parse()
        return self.emit(tree, scope_prefix, scope_repeat, self_name)

    def emit(self, tree, scope_prefix=(), scope_repeat=None, self_name=None):
        sp = list(scope_prefix)
        e = Emitter(lambda n: self.ref_path(n, sp, scope_repeat),
                    self.ref_path(self_name, sp, scope_repeat) if self_name else None)
        return e.emit(tree)

    # ---- the form

    def convert(self):
        root = self.tree
        # Which nested groups become fragments: those whose expressions stay inside them.
        fragment_groups = set()
        self.plan_fragments(root, depth=0, out=fragment_groups)
        self.fragment_groups = fragment_groups
        self.index(root, [], None, fragment_groups)
        # Notes that show a calculate's value become that computed field's label.
        for kind, row, _ in self.walk(root):
            if kind == "q" and str(row.get("type", "")).strip() == "note":
                lab = texts(row, "label", self.default_lang)
                refs = set(re.findall(r"\$\{([^}]+)\}", " ".join(lab.values())))
                calcs = [r for r in refs if self.type_of(r) == "calculate"]
                if len(refs) == 1 and len(calcs) == 1 and calcs[0] not in self.note_for_calc:
                    self.note_for_calc[calcs[0]] = row
        pages, loose = [], []
        for ch in root[2]:
            if ch[0] == "group":
                if loose:
                    pages.append(self.loose_page(loose, len(pages)))
                    loose = []
                pages.append(self.page(ch))
            else:
                loose.append(ch)
        if loose:
            pages.append(self.loose_page(loose, len(pages)))
        # Page ids must not clash with field ids.
        field_ids = {p[2] for p in self.paths.values()}
        for p in pages:
            if p["id"] in field_ids:
                p["id"] = p["id"] + "_sida"
        title = texts(self.settings, "form_title", self.default_lang) or {self.default_lang: self.form_id}
        if len(title) == 1:
            # form_title has no language columns: the same title in each of the form's languages.
            langs = {lang_of(c.split("::", 1)[1], self.default_lang)
                     for r in self.survey for c in r if c.startswith("label::")}
            title = OrderedDict((l, next(iter(title.values()))) for l in sorted(langs | set(title), key=lambda l: l != "sv"))
        version = str(self.settings.get("version", "1"))
        if not re.fullmatch(r"\d+\.\d+\.\d+", version):
            version = f"1.0.{int(re.sub(r'[^0-9]', '', version) or 0)}"
        form = OrderedDict()
        form["form"] = self.form_id
        form["version"] = version
        form["title"] = title
        if self.lists:
            form["choices"] = self.lists
        form["pages"] = pages
        if self.rules:
            form["rules"] = self.rules
        return form

    def walk(self, node):
        for ch in node[2]:
            if ch[0] == "q":
                yield ch[0], ch[1], None
            else:
                yield ch[0], ch[1], ch
                yield from self.walk(ch)

    def type_of(self, name):
        for kind, row, _ in self.walk(self.tree):
            if str(row.get("name")) == name:
                return str(row.get("type", "")).split()[0] if kind == "q" else kind
        return None

    def plan_fragments(self, node, depth, out):
        for ch in node[2]:
            if ch[0] == "group":
                if depth >= 1:
                    inner = {str(r.get("name")) for _, r, _ in self.walk(ch)}
                    ok = True
                    for _, r, _ in self.walk(ch):
                        for col in ("relevant", "calculation", "required", "choice_filter"):
                            v = r.get(col)
                            if v and col != "required" or (col == "required" and v and str(v).lower() not in ("yes", "no", "true", "false", "true()", "false()")):
                                if not set(re.findall(r"\$\{([^}]+)\}", str(v))) <= inner:
                                    ok = False
                    if ok:
                        out.add(id(ch))
                    else:
                        simplify(self.form_id, "a nested group whose expressions refer outside it is inlined "
                                 "(its relevant and-ed into each field's visible_if) instead of becoming a fragment")
                self.plan_fragments(ch, depth + 1 if ch[0] == "group" else depth, out)
            elif ch[0] == "repeat":
                self.plan_fragments(ch, depth + 1, out)

    def loose_page(self, items, n):
        first = items[0]
        title = texts(first[1], "label", self.default_lang) if first[0] != "q" or str(first[1].get("type")) not in ("calculate",) else {}
        if not title:
            title = {"sv": "Fler frågor", "en": "More questions"}
        return OrderedDict([("id", f"sida_{n + 1}"), ("title", title),
                            ("fields", self.items(items, [], None, None))])

    def page(self, g):
        row = g[1]
        p = OrderedDict()
        p["id"] = snake(row.get("name"))
        p["title"] = texts(row, "label", self.default_lang) or {self.default_lang: str(row.get("name"))}
        if row.get("relevant"):
            vi = self.try_expr(row, "relevant", [], None)
            if vi:
                p["visible_if"] = vi
        p["fields"] = self.items(g[2], [], None, None)
        return p

    def try_expr(self, row, col, prefix, repeat, self_name=None):
        try:
            return self.expr(str(row[col]), prefix, repeat, self_name)
        except Unsupported as e:
            simplify(self.form_id, f"{col} dropped where it uses {e}")
            return None

    def items(self, children, prefix, repeat, extra_visible):
        out = []
        for ch in children:
            kind, row, sub = ch[0], ch[1], ch[2] if len(ch) > 2 else None
            if kind == "q":
                f = self.field(row, prefix, repeat, extra_visible)
                if f is not None:
                    out.append(f)
            elif kind == "repeat":
                out.append(self.repeat(ch, prefix, repeat, extra_visible))
            elif id(ch) in self.fragment_groups:
                out.append(self.fragment(ch, prefix, repeat, extra_visible))
            else:
                vis = extra_visible
                if row.get("relevant"):
                    v = self.try_expr(row, "relevant", prefix, repeat)
                    if v:
                        vis = f"({extra_visible}) and ({v})" if extra_visible else v
                out.extend(self.items(ch[2], prefix, repeat, vis))
        return out

    def fragment(self, g, prefix, repeat, extra_visible):
        row = g[1]
        name = snake(row.get("name"))
        stem = "_".join(prefix + [name]) if prefix else name
        frag = OrderedDict()
        frag["fragment"] = stem
        frag["fields"] = self.items(g[2], prefix + [name], repeat, None)
        self.fragments[stem] = frag
        use = OrderedDict()
        use["use"] = f"{self.form_id}/{stem}"
        use["as"] = name
        lab = texts(row, "label", self.default_lang)
        if lab:
            use["label"] = lab
        vis = None
        if row.get("relevant"):
            vis = self.try_expr(row, "relevant", prefix, repeat)
        if extra_visible and vis:
            vis = f"({extra_visible}) and ({vis})"
        elif extra_visible:
            vis = extra_visible
        if vis:
            use["visible_if"] = vis
        return use

    def repeat(self, g, prefix, repeat, extra_visible):
        row = g[1]
        f = OrderedDict()
        f["id"] = snake(row.get("name"))
        f["type"] = "repeat"
        f["label"] = texts(row, "label", self.default_lang) or {self.default_lang: str(row.get("name"))}
        hint = texts(row, "hint", self.default_lang)
        if hint:
            f["hint"] = hint
        vis = self.try_expr(row, "relevant", prefix, repeat) if row.get("relevant") else None
        vis = f"({extra_visible}) and ({vis})" if extra_visible and vis else (vis or extra_visible)
        if vis:
            f["visible_if"] = vis
        f["fields"] = self.items(g[2], prefix, f["id"], None)
        return f

    def field(self, row, prefix, repeat, extra_visible):
        t = str(row.get("type", "")).strip()
        parts = t.split()
        base = parts[0] if parts else ""
        name = row.get("name")
        if base in METADATA or base in ("hidden", "xml-external", "csv-external"):
            simplify(self.form_id, f"`{base}` rows (metadata) are left out")
            return None
        if base == "note" and name and str(name) in {str(r.get("name")) for r in self.note_for_calc.values()}:
            return None  # shown by the computed field it displays
        ty = QUESTION_TYPES.get(base)
        if ty is None:
            simplify(self.form_id, f"`{base}` questions have no blankett type and are left out")
            return None
        f = OrderedDict()
        fid = snake(name)
        f["id"] = fid
        appearance = str(row.get("appearance", ""))
        if ty == "text" and "multiline" in appearance:
            ty = "textarea"
        f["type"] = ty
        label = texts(row, "label", self.default_lang)
        if ty == "computed":
            note = self.note_for_calc.get(str(name))
            if note is not None:
                label = OrderedDict((k, self.label_without_ref(v)) for k, v in texts(note, "label", self.default_lang).items())
            elif not label:
                simplify(self.form_id, "a calculate no note shows becomes a visible computed field labelled with its name")
                label = {"sv": fid.replace("_", " ").capitalize(), "en": fid.replace("_", " ").capitalize()}
        if any("${" in v for v in label.values()):
            simplify(self.form_id, "`${…}` inside a label is left as text (blankett labels do not interpolate)")
            label = OrderedDict((k, re.sub(r"\$\{([^}]+)\}", r"\1", v)) for k, v in label.items())
        f["label"] = label or {self.default_lang: fid}
        hint = texts(row, "hint", self.default_lang)
        if hint:
            f["hint"] = hint
        if ty in ("choice", "multi_choice"):
            if len(parts) < 2:
                simplify(self.form_id, "a select without a list is left out")
                return None
            f["choices"] = snake(parts[1])
            if row.get("choice_filter"):
                self.choice_filter_rule(row, snake(parts[1]), prefix, repeat)
        if ty == "file" and base == "image":
            f["accept"] = ["image/jpeg", "image/png"]
            f["capture"] = True
        # required: blankett's input fields are required unless they say not.
        if ty not in ("computed", "info"):
            req = str(row.get("required", "")).strip().lower()
            if req in ("yes", "true", "true()"):
                pass
            elif req in ("", "no", "false", "false()"):
                f["required"] = False
            else:
                r = self.try_expr(row, "required", prefix, repeat)
                f["required"] = r if r else False
        vis = self.try_expr(row, "relevant", prefix, repeat) if row.get("relevant") else None
        vis = f"({extra_visible}) and ({vis})" if extra_visible and vis else (vis or extra_visible)
        if vis:
            f["visible_if"] = vis
        if ty == "computed":
            calc = row.get("calculation")
            v = None
            if calc:
                v = self.try_expr(row, "calculation", prefix, repeat)
            f["value"] = v if v else '""'
        if row.get("constraint"):
            self.constraint(row, f, prefix, repeat)
        return f

    @staticmethod
    def label_without_ref(text):
        s = re.sub(r"\s*\$\{[^}]+\}\s*", " ", text).strip()
        m = re.fullmatch(r"(.*?):\s*(\S+)", s)
        if m:
            return f"{m.group(1).strip()} ({m.group(2)})"
        return s.rstrip(":").strip()

    def constraint(self, row, f, prefix, repeat):
        src = str(row["constraint"])
        msg = texts(row, "constraint_message", self.default_lang)
        name = str(row.get("name"))
        try:
            tree = Parser(src).parse()
        except Unsupported as e:
            simplify(self.form_id, f"constraint dropped where it uses {e}")
            return
        # regex(., 'p') alone on a text field: the field's pattern.
        if (tree[0] == "call" and tree[1] == "regex" and len(tree[2]) == 2 and tree[2][0] == ("self",)
                and tree[2][1][0] == "str" and f["type"] in ("text", "textarea")):
            f["pattern"] = tree[2][1][1]
            if msg:
                f["pattern_message"] = msg
            return
        if repeat is not None:
            simplify(self.form_id, "a constraint inside a repeat is dropped (blankett rules are per form)")
            return
        try:
            me = self.emit(("self",), [], None, name)
            cond = self.emit(negate(tree), [], None, name)
        except Unsupported as e:
            simplify(self.form_id, f"constraint dropped where it uses {e}")
            return
        self.rules.append(OrderedDict([
            ("when", f"answered({me}) and ({cond})"),
            ("message", msg or {"sv": "Svaret är inte giltigt.", "en": "The answer is not valid."}),
            ("field", me),
        ]))

    def choice_filter_rule(self, row, lst, prefix, repeat):
        """`col = ${field}`: the chosen value must be one whose `col` is the field's answer."""
        src = str(row["choice_filter"])
        name = str(row.get("name"))
        m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*\$\{([^}]+)\}\s*", src)
        if not m or repeat is not None:
            simplify(self.form_id, f"choice_filter `{src}` is dropped (every choice is offered)")
            return
        col, other = m.group(1), m.group(2)
        groups = OrderedDict()
        for val, cols in self.choice_filter_cols[lst].items():
            key = cols.get(col)
            if key is None:
                continue
            groups.setdefault(str(key), []).append(val)
        me = self.ref_path(name, [], None)
        them = self.ref_path(other, [], None)
        alts = " or ".join(
            f"{them} == {bl_string(k)} and {me} in [{', '.join(bl_string(v) for v in vals)}]"
            for k, vals in groups.items())
        other_label = {}
        for _, r, _ in self.walk(self.tree):
            if str(r.get("name")) == other:
                other_label = texts(r, "label", self.default_lang)
        sv = other_label.get("sv", other).lower()
        en = other_label.get("en", other).lower()
        self.rules.append(OrderedDict([
            ("when", f"answered({me}) and not ({alts})"),
            ("message", {"sv": f"Välj ett alternativ som hör till vald {sv}.",
                         "en": f"Choose an option that belongs to the chosen {en}."}),
            ("field", me),
        ]))
        simplify(self.form_id, "choice_filter (cascading select) becomes a rule that refuses a "
                 "choice outside the chosen group; the page lists every choice")


# ---------------------------------------------------------------- YAML out


def q(s):
    return json.dumps(str(s), ensure_ascii=False)


def is_text_map(v):
    return isinstance(v, dict) and v and all(isinstance(k, str) and len(k) <= 3 for k in v) \
        and all(isinstance(x, str) for x in v.values())


def flow(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return q(v)
    if isinstance(v, dict):
        if len(v) == 1 and "sv" in v:
            return q(v["sv"])
        return "{" + ", ".join(f"{k}: {flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    raise TypeError(v)


def block(v, indent=0):
    pad = " " * indent
    lines = []
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, dict) and not is_text_map(x) and x:
                lines.append(f"{pad}{k}:")
                lines.extend(block(x, indent + 2))
            elif isinstance(x, list) and x and isinstance(x[0], dict):
                lines.append(f"{pad}{k}:")
                lines.extend(block(x, indent + 2))
            else:
                lines.append(f"{pad}{k}: {flow(x)}")
    elif isinstance(v, list):
        for x in v:
            sub = block(x, indent + 2)
            sub[0] = pad + "- " + sub[0][indent + 2:]
            lines.extend(sub)
    return lines


def choice_lists_yaml(lists, indent):
    pad = " " * indent
    lines = []
    for name, items in lists.items():
        lines.append(f"{pad}{name}:")
        for val, lab in items:
            lines.append(f"{pad}  - {{value: {q(val)}, label: {flow(lab)}}}")
    return lines


def form_yaml(form):
    lines = ["# Converted from an XLSForm by benches/pyxform/xlsform_to_blankett.py"]
    for k, v in form.items():
        if k == "choices":
            lines.append("choices:")
            lines.extend(choice_lists_yaml(v, 2))
        elif isinstance(v, list):
            lines.append(f"{k}:")
            lines.extend(block(v, 2))
        else:
            lines.append(f"{k}: {flow(v)}")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    (out / "blankett.yaml").write_text(
        "library: pyxform-bench\nversion: 1.0.0\nlanguages: [sv, en]\n"
        "description: \"XLSForms converted field for field (benches/pyxform).\"\n")
    n = 0
    for path in sys.argv[2:]:
        c = Converter(path)
        form = c.convert()
        d = out / c.form_id
        d.mkdir(exist_ok=True)
        (d / f"{c.form_id}.form.yaml").write_text(form_yaml(form))
        for stem, frag in c.fragments.items():
            lines = [f"fragment: {stem}", "fields:"] + block(frag["fields"], 2)
            (d / f"{stem}.fragment.yaml").write_text("\n".join(lines) + "\n")
        n += 1
    print(f"converted {n} XLSForms into {out}")
    for what, forms in sorted(SIMPLIFIED.items()):
        print(f"  simplified in {len(forms)} form(s): {what}")


if __name__ == "__main__":
    main()

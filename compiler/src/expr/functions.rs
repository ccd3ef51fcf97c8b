//! The functions of the language: one table for names, arities and the handbook, and their
//! static typing. Their evaluation is in [`super::eval`].

use super::ast::{Call, Expr};
use super::check::Checker;
use super::parse::plural;
use super::types::Type;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::source::Span;

pub struct Function {
    pub name: &'static str,
    pub signature: &'static str,
    pub min_args: usize,
    /// `None`: any number from `min_args` up.
    pub max_args: Option<usize>,
    pub summary: &'static str,
}

const fn f(
    name: &'static str,
    signature: &'static str,
    min_args: usize,
    max_args: Option<usize>,
    summary: &'static str,
) -> Function {
    Function {
        name,
        signature,
        min_args,
        max_args,
        summary,
    }
}

pub const FUNCTIONS: &[Function] = &[
    f("today", "today()", 0, Some(0), "today's date"),
    f(
        "age",
        "age(personnummer)",
        1,
        Some(1),
        "the age in whole years today of the person with this personnummer",
    ),
    f(
        "len",
        "len(text or list)",
        1,
        Some(1),
        "the number of characters of a text, or of items of a list",
    ),
    f(
        "sum",
        "sum(list of numbers)",
        1,
        Some(1),
        "the numbers of a list added up",
    ),
    f(
        "count",
        "count(list)",
        1,
        Some(1),
        "the number of items of a list",
    ),
    f(
        "min",
        "min(list) or min(a, b, …)",
        1,
        None,
        "the smallest of some numbers or the earliest of some dates",
    ),
    f(
        "max",
        "max(list) or max(a, b, …)",
        1,
        None,
        "the largest of some numbers or the latest of some dates",
    ),
    f(
        "round",
        "round(number, decimals)",
        2,
        Some(2),
        "a number rounded to so many decimals, halves away from zero",
    ),
    f(
        "answered",
        "answered(x)",
        1,
        Some(1),
        "whether a value is given",
    ),
    f(
        "matches",
        "matches(text, \"pattern\")",
        2,
        Some(2),
        "whether the whole text matches a regular expression",
    ),
    f(
        "days_between",
        "days_between(from, to)",
        2,
        Some(2),
        "the number of days from one date to another",
    ),
    f(
        "contains",
        "contains(list, value) or contains(text, part)",
        2,
        Some(2),
        "whether a list holds a value, or a text a part",
    ),
    f(
        "if",
        "if(condition, then, else)",
        3,
        Some(3),
        "one of two values, by a condition",
    ),
    f("year", "year(date)", 1, Some(1), "the year of a date"),
    f(
        "add_days",
        "add_days(date, days)",
        2,
        Some(2),
        "the date so many days later (earlier when negative)",
    ),
    f(
        "add_months",
        "add_months(date, months)",
        2,
        Some(2),
        "the date so many months later, on the month's last day when it is shorter",
    ),
    f(
        "add_years",
        "add_years(date, years)",
        2,
        Some(2),
        "the date so many years later; 29 February becomes 28 February in a common year",
    ),
    f(
        "years_between",
        "years_between(from, to)",
        2,
        Some(2),
        "the whole years from one date to another",
    ),
    f(
        "weekday",
        "weekday(date)",
        1,
        Some(1),
        "the day of the week of a date: 1 for Monday to 7 for Sunday",
    ),
    f(
        "unique",
        "unique(list)",
        1,
        Some(1),
        "whether no two answered values of a list are equal",
    ),
];

pub fn function(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

pub(crate) fn check_call(c: &mut Checker, call: &mut Call, span: Span) -> Type {
    let tys: Vec<Type> = call.args.iter_mut().map(|a| c.infer(a)).collect();
    let Some(func) = function(&call.name) else {
        let help =
            did_you_mean(&call.name, FUNCTIONS.iter().map(|f| f.name)).unwrap_or_else(|| {
                let names: Vec<&str> = FUNCTIONS.iter().map(|f| f.name).collect();
                format!("the functions are {}", names.join(", "))
            });
        c.diags.push(
            Diagnostic::error(
                Code::UnknownFunction,
                format!("unknown function `{}`", call.name),
            )
            .at(call.name_span, "no function has this name")
            .help(help),
        );
        return Type::Any;
    };
    if !arity_ok(c, func, call, span) {
        return Type::Any;
    }
    Typer {
        c,
        func,
        args: &call.args,
        tys: &tys,
    }
    .result()
}

fn arity_ok(c: &mut Checker, func: &Function, call: &Call, span: Span) -> bool {
    let n = call.args.len();
    let too_many = func.max_args.is_some_and(|m| n > m);
    if n >= func.min_args && !too_many {
        return true;
    }
    let takes = match func.max_args {
        Some(m) if m == func.min_args => plural(m, "argument"),
        _ => format!("at least {}", plural(func.min_args, "argument")),
    };
    let given = match n {
        0 => "none was given".to_string(),
        1 => "1 was given".to_string(),
        n => format!("{n} were given"),
    };
    let mut d = Diagnostic::error(
        Code::WrongArgumentCount,
        format!("`{}` takes {takes}, but {given}", func.name),
    );
    d = match (too_many, func.max_args) {
        (true, Some(m)) => {
            let extra = &call.args[m..];
            let at = extra[0].span.to(extra[extra.len() - 1].span);
            d.at(
                at,
                if extra.len() == 1 {
                    "one too many".to_string()
                } else {
                    format!("{} too many", extra.len())
                },
            )
        }
        _ => d.at(span, format!("{} given", plural(n, "argument"))),
    };
    c.diags
        .push(d.help(format!("write `{}`: {}", func.signature, func.summary)));
    false
}

/// Types one call whose arity is right.
struct Typer<'c, 'a, 'e> {
    c: &'c mut Checker<'a>,
    func: &'static Function,
    args: &'e [Expr],
    tys: &'e [Type],
}

impl Typer<'_, '_, '_> {
    /// Argument `i` must fit `want`.
    fn want(&mut self, i: usize, want: &Type) -> bool {
        let message = format!("`{}` needs {} here", self.func.name, want.noun());
        let help = format!("write `{}`: {}", self.func.signature, self.func.summary);
        self.c
            .want(&self.args[i], &self.tys[i], want, message, help)
    }

    fn fail(&mut self, i: usize, message: String, help: String) {
        let d = self.c.mismatch(message, &self.args[i], &self.tys[i], help);
        self.c.diags.push(d);
    }

    fn result(mut self) -> Type {
        let t = |i: usize| self.tys[i].clone();
        match self.func.name {
            "today" => Type::Date,
            "age" => {
                self.want(0, &Type::Text);
                Type::Number
            }
            "len" => {
                if !matches!(t(0), Type::Text | Type::List(_) | Type::Any) {
                    self.fail(
                        0,
                        "`len` needs text or a list".into(),
                        "write `len(text or list)`".into(),
                    );
                }
                Type::Number
            }
            "sum" => {
                if t(0) == Type::Number {
                    let help =
                        "`sum` adds up a list, e.g. `sum(rum[*].yta)`; to add two numbers use `+`"
                            .into();
                    self.fail(0, "`sum` needs a list of numbers".into(), help);
                } else {
                    self.want(0, &Type::list(Type::Number));
                }
                Type::Number
            }
            "count" => {
                if !t(0).is_list() {
                    let help = "`count` counts the items of a list, e.g. `count(barn)`".into();
                    self.fail(0, "`count` needs a list".into(), help);
                }
                Type::Number
            }
            "min" | "max" => self.extreme(),
            "round" => {
                self.want(0, &Type::Number);
                self.want(1, &Type::Number);
                Type::Number
            }
            "answered" => Type::Bool,
            "matches" => {
                self.want(0, &Type::Text);
                self.pattern();
                Type::Bool
            }
            "days_between" => {
                self.want(0, &Type::Date);
                self.want(1, &Type::Date);
                Type::Number
            }
            "contains" => {
                self.contains();
                Type::Bool
            }
            "if" => self.branches(),
            "year" | "weekday" => {
                self.want(0, &Type::Date);
                Type::Number
            }
            "add_days" | "add_months" | "add_years" => {
                self.want(0, &Type::Date);
                self.want(1, &Type::Number);
                Type::Date
            }
            "years_between" => {
                self.want(0, &Type::Date);
                self.want(1, &Type::Date);
                Type::Number
            }
            "unique" => {
                if !t(0).is_list() && !t(0).is_any() {
                    let help =
                        "`unique` looks at a list, e.g. `unique(personer[*].personnummer)`".into();
                    self.fail(0, "`unique` needs a list".into(), help);
                }
                Type::Bool
            }
            _ => Type::Any,
        }
    }

    /// `min`/`max`: one list of numbers or dates, or several numbers or dates.
    fn extreme(&mut self) -> Type {
        let name = self.func.name;
        let orderable = |t: &Type| matches!(t, Type::Number | Type::Date | Type::Any);
        if self.args.len() == 1 {
            let t = self.tys[0].clone();
            return match t {
                Type::List(item) if orderable(&item) => *item,
                Type::List(_) => {
                    self.fail(
                        0,
                        format!("`{name}` needs numbers or dates"),
                        "only numbers and dates have an order".into(),
                    );
                    Type::Any
                }
                Type::Any => Type::Any,
                _ => {
                    let help =
                        format!("give a list, e.g. `{name}(barn[*].alder)`, or two or more values");
                    self.fail(0, format!("`{name}` of one value needs a list"), help);
                    Type::Any
                }
            };
        }
        let mut result = Type::Any;
        for i in 0..self.args.len() {
            let t = self.tys[i].clone();
            if !orderable(&t) {
                self.fail(
                    i,
                    format!("`{name}` needs numbers or dates"),
                    "only numbers and dates have an order".into(),
                );
            } else if let Some(u) = result.unify(&t) {
                result = u;
            } else {
                let help = format!("all values of `{name}` must be {}", result.noun());
                self.fail(i, format!("`{name}` cannot mix numbers and dates"), help);
            }
        }
        result
    }

    fn pattern(&mut self) {
        let Some(p) = self.args[1].as_text() else {
            if !self.tys[1].is_any() {
                let help = "write the pattern in quotes, e.g. `matches(postnummer, \"^[0-9]{3} ?[0-9]{2}$\")`";
                let d = Diagnostic::error(Code::TypeMismatch, "the pattern must be written out")
                    .at(self.args[1].span, "not a text in quotes")
                    .help(help);
                self.c.diags.push(d);
            }
            return;
        };
        if let Err(problem) = super::pattern::translate(p) {
            let d = Diagnostic::error(Code::InvalidPattern, "this pattern is not a valid regular expression")
                .at(self.args[1].span, problem)
                .help("blankett patterns are a small dialect that the server and the browser read alike: characters, `.`, `[…]`, `\\d \\w \\s` (ASCII only), groups, `|` and repetition; escape a literal character with `\\`");
            self.c.diags.push(d);
        }
    }

    fn contains(&mut self) {
        match self.tys[0].clone() {
            Type::List(item) => {
                if !self.tys[1].fits(&item) {
                    let message = format!(
                        "cannot look for {} in {}",
                        self.tys[1].noun(),
                        self.tys[0].noun()
                    );
                    let help = format!("the value must be {}", item.noun());
                    self.fail(1, message, help);
                }
                self.c.choice_literals(&self.args[0], &self.args[1]);
            }
            Type::Text => {
                self.want(1, &Type::Text);
            }
            Type::Any => {}
            _ => self.fail(
                0,
                "`contains` needs a list or text first".into(),
                format!("write `{}`", self.func.signature),
            ),
        }
    }

    fn branches(&mut self) -> Type {
        self.want(0, &Type::Bool);
        let (a, b) = (self.tys[1].clone(), self.tys[2].clone());
        match a.unify(&b) {
            Some(t) => t,
            None => {
                let d = self
                    .c
                    .mismatch(
                        "the two branches of `if` must have the same type".into(),
                        &self.args[2],
                        &b,
                        format!("make both {}", a.noun()),
                    )
                    .also(self.args[1].span, format!("this is {}", a.noun()));
                self.c.diags.push(d);
                Type::Any
            }
        }
    }
}

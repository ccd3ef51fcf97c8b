//! What a signer is shown: every answer the signed XML holds, grouped as check-your-answers
//! groups them (`backend::html::answer_sections`, repeat rows included), as sections for the
//! signing page and as the e-ID's visible text. Where the visible text must be shortened (the
//! e-ID's limit), it says so; the page always shows all.

use blankett_compiler::eval::Outcome;
use blankett_compiler::ir::Form;
use serde::{Deserialize, Serialize};

/// One page's answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Section {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub rows: Vec<Row>,
}

/// One question: its answer's lines, or a repeat's rows (a title and lines each).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Row {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub lines: Vec<String>,
    #[serde(default)]
    pub blocks: Vec<(String, Vec<String>)>,
}

/// The answers, per page, as the check page shows them; a question in a labelled group is
/// named after its group ("Inomhus: Från klockan"), as the check page heads it.
pub fn sections(form: &Form, outcome: &Outcome, lang: &str) -> Vec<Section> {
    blankett_compiler::backend::html::signed_sections(form, outcome, lang)
        .into_iter()
        .map(|s| Section {
            title: s.title,
            rows: s
                .groups
                .into_iter()
                .flat_map(|g| {
                    let heading = g.heading;
                    g.rows.into_iter().map(move |r| Row {
                        key: match &heading {
                            Some(h) => format!("{h}: {}", r.label),
                            None => r.label,
                        },
                        lines: r.lines,
                        blocks: r.blocks,
                    })
                })
                .collect(),
        })
        .collect()
}

/// How the visible text is written.
#[derive(Clone, Copy)]
pub enum Style {
    /// BankID's `simpleMarkdownV1`.
    Markdown,
    /// Plain text (OIDC Sweden's sign message).
    Plain,
}

/// Said at the end of a visible text that had to be cut.
pub const SHORTENED: &str =
    "Texten är förkortad här. Alla svar visas på sidan där du skriver under.";

/// The form's title and every answer, at most `max` bytes: when they do not fit, as many
/// as fit and then [`SHORTENED`].
pub fn visible_text(form: &Form, outcome: &Outcome, style: Style, max: usize) -> String {
    let strip = |s: &str| match style {
        Style::Markdown => s.replace(['*', '#', '+', '_', '\n'], " "),
        Style::Plain => s.replace('\n', " "),
    };
    let mut parts: Vec<String> = Vec::new();
    for section in sections(form, outcome, "sv") {
        parts.push(match style {
            Style::Markdown => format!("## {}\n\n", strip(&section.title)),
            Style::Plain => format!("\n{}\n", section.title),
        });
        for row in section.rows {
            let mut value: Vec<String> = Vec::new();
            if !row.lines.is_empty() {
                value.push(strip(&row.lines.join(", ")));
            }
            for (title, lines) in &row.blocks {
                let lines: Vec<String> = lines.iter().map(|l| strip(l)).collect();
                value.push(format!("{}: {}", strip(title), lines.join("; ")));
            }
            parts.push(match style {
                Style::Markdown => format!("*{}*\n{}\n\n", strip(&row.key), value.join("\n")),
                Style::Plain => format!("{}: {}\n", row.key, value.join(" | ")),
            });
        }
    }
    let title = match style {
        Style::Markdown => format!("# {}\n\n", strip(form.title.get("sv"))),
        Style::Plain => format!("{}\n", form.title.get("sv")),
    };
    let note = match style {
        Style::Markdown => format!("…\n\n*{SHORTENED}*\n"),
        Style::Plain => format!("…\n{SHORTENED}\n"),
    };
    let mut text = title;
    for (i, part) in parts.iter().enumerate() {
        let rest_fits = text.len() + parts[i..].iter().map(String::len).sum::<usize>() <= max;
        if !rest_fits && text.len() + part.len() + note.len() > max {
            text.push_str(&note);
            return text;
        }
        text.push_str(part);
    }
    text
}

/// Every answer as one text (the section titles, keys, and each answer's lines on one line
/// as `display_value` writes them), for tests and searches.
pub fn all_text(sections: &[Section]) -> String {
    let mut out = String::new();
    for s in sections {
        out.push_str(&s.title);
        out.push('\n');
        for r in &s.rows {
            out.push_str(&r.key);
            out.push('\n');
            out.push_str(&r.lines.join(", "));
            out.push('\n');
            for (t, lines) in &r.blocks {
                out.push_str(t);
                out.push('\n');
                for l in lines {
                    out.push_str(l);
                    out.push('\n');
                }
            }
        }
    }
    out
}

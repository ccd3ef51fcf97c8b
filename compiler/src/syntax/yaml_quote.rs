//! A YAML error caused by a value that needed quotes: `*`, `&`, `!`, `@`, `` ` `` and, inside
//! `{…}`/`[…]`, `[` mean something to YAML (alias, anchor, tag, reserved, a list), so
//! `field: rader[*].fil` in a flow map, or `when: *` at the start of a value, fails with a
//! message about aliases or anchors that says nothing of the fix: quotes.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

/// The diagnostic when the error's line, or the line before, has an unquoted value with one
/// of these characters where YAML reads it as syntax.
pub fn unquoted_indicator(source: &str, at: Span) -> Option<Diagnostic> {
    let offset = (at.start as usize).min(source.len());
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let previous_start = source[..line_start.saturating_sub(1)]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let mut starts = vec![line_start];
    if previous_start < line_start {
        starts.push(previous_start);
    }
    starts.into_iter().find_map(|start| {
        let end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let (col, c, value) = indicator_in_line(&source[start..end])?;
        let span = Span::new(at.file, start + col, start + col + c.len_utf8());
        Some(
            Diagnostic::error(
                Code::YamlSyntax,
                format!(
                    "this value needs quotes: YAML reads `{c}` here as {}",
                    meaning(c)
                ),
            )
            .at(span, format!("`{c}` in a value without quotes"))
            .help(format!(
                "write the value in quotes, `\"{value}\"`; in quotes every character is text"
            )),
        )
    })
}

fn meaning(c: char) -> &'static str {
    match c {
        '*' => "an alias (a reference to an `&anchor`)",
        '&' => "an anchor",
        '!' => "a tag",
        '[' => "the start of a list",
        _ => "a reserved character",
    }
}

/// The column, character and whole plain value of the first character in a value of `line`
/// that YAML reads as syntax: at the start of a value, or after a letter inside `{…}`/`[…]`.
fn indicator_in_line(line: &str) -> Option<(usize, char, String)> {
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') {
        return None;
    }
    let mut flow_depth = 0usize;
    let mut quote: Option<char> = None;
    let mut value_start = None;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(k + 1).map(|x| x.1);
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        let starts_value = value_start == Some(i);
        match c {
            '"' | '\'' if starts_value => quote = Some(c),
            '#' if prev.is_none_or(char::is_whitespace) => return None,
            '{' => flow_depth += 1,
            '[' if starts_value => flow_depth += 1,
            '}' | ']' if flow_depth > 0 => flow_depth -= 1,
            '*' | '&' | '!' | '@' | '`' if starts_value => {
                return Some((i, c, plain_value(line, i, flow_depth > 0)));
            }
            '*' | '&' | '!' | '@' | '`' | '[' if flow_depth > 0 && prev.is_some_and(word) => {
                return Some((i, c, plain_value(line, i, true)));
            }
            _ => {}
        }
        // A value starts after `: `, `- `, `{`, `[` or `, ` (skipping spaces).
        let opens = matches!((c, next), (':' | '-' | ',', Some(' ')))
            || (matches!(c, '{' | '[') && flow_depth > 0);
        if opens || (value_start == Some(i) && c == ' ') {
            value_start = line[i + c.len_utf8()..]
                .find(|ch: char| ch != ' ')
                .map(|j| i + c.len_utf8() + j);
        }
    }
    None
}

fn word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.' || c == ']'
}

/// The plain value around column `at`: from after `: `/`{`/`, ` to the end of the line, or in
/// a flow collection to the next `,` or `}`.
fn plain_value(line: &str, at: usize, in_flow: bool) -> String {
    let before = &line[..at];
    let start = [": ", "- ", "{", ", ", "["]
        .iter()
        .filter_map(|sep| before.rfind(sep).map(|i| i + sep.len()))
        .max()
        .unwrap_or(0);
    let start = if in_flow || start > 0 { start } else { 0 };
    let rest = &line[start..];
    let end = if in_flow {
        // A key ends at `: `, a value at `,` or `}`.
        let key_end = rest.find(": ").unwrap_or(rest.len());
        rest.find([',', '}']).unwrap_or(rest.len()).min(key_end)
    } else {
        rest.find(" #").unwrap_or(rest.len())
    };
    let mut value = rest[..end].trim().to_string();
    // The `]` that closes an enclosing `[…]` is not part of the value.
    while value.ends_with(']') && value.matches(']').count() > value.matches('[').count() {
        value.pop();
    }
    value.replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_character_and_the_value_to_quote() {
        let (col, c, v) =
            indicator_in_line("  - {field: ovriga_handlingar[*].fil, when: x}").unwrap();
        assert_eq!((col, c, v.as_str()), (29, '[', "ovriga_handlingar[*].fil"));
        let (_, c, v) = indicator_in_line("      values: {yngst: 36, rader[0].alder: 44}").unwrap();
        assert_eq!((c, v.as_str()), ('[', "rader[0].alder"));
        let (_, c, v) = indicator_in_line("      errors: [rader[1].pnr]").unwrap();
        assert_eq!((c, v.as_str()), ('[', "rader[1].pnr"));
        let (_, c, v) = indicator_in_line("    when: *.pdf").unwrap();
        assert_eq!((c, v.as_str()), ('*', "*.pdf"));
        let (_, c, v) = indicator_in_line("    label: @kommun").unwrap();
        assert_eq!((c, v.as_str()), ('@', "@kommun"));
        assert_eq!(indicator_in_line("    errors: [a, b]"), None);
        assert_eq!(indicator_in_line("    field: \"rader[*].fil\""), None);
        assert_eq!(indicator_in_line("    # a *comment*"), None);
    }
}

//! The handbook stays true to the code: its table of diagnostic codes lists exactly the codes
//! blankett reports. `BLESS=1 cargo test --test book` rewrites the table.

use blankett_compiler::diagnostic::Code;
use std::path::Path;

const START: &str = "<!-- codes:start -->";
const END: &str = "<!-- codes:end -->";

fn table() -> String {
    let mut t = String::from("| kod | betyder |\n|---|---|\n");
    for c in Code::ALL {
        t.push_str(&format!("| `{c}` | {} |\n", c.describe()));
    }
    t
}

#[test]
fn the_code_table_lists_every_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/reference/diagnostics.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (Some(a), Some(b)) = (text.find(START), text.find(END)) else {
        panic!("diagnostics.md lacks the {START} … {END} markers")
    };
    let current = &text[a + START.len()..b];
    let wanted = format!("\n{}", table());
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(
            &path,
            format!("{}{START}{wanted}{}", &text[..a], &text[b..]),
        )
        .unwrap();
        return;
    }
    assert_eq!(
        current, wanted,
        "the code table in diagnostics.md is out of date: run `BLESS=1 cargo test --test book`"
    );
}

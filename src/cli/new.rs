//! `blankett new form NAME` and `blankett new kommun NAME`: a working start that passes
//! `blankett check` and `blankett test` as it is, ready for `blankett dev`.

use std::fs;
use std::path::{Path, PathBuf};

const FORM: &str = include_str!("new/form.yaml");
const KOMMUN: &str = include_str!("new/kommun.yaml");
const LIBRARY: &str = include_str!("new/blankett.yaml");
const CONFIG: &str = include_str!("new/blankett.toml");
const LOGO: &str = include_str!("new/logo.svg");

/// The form a new kommun starts with.
const FIRST_FORM: &str = "kontakt";
/// The kommun's own library folder inside its project.
const OWN_LIBRARY: &str = "formular";

#[derive(clap::Subcommand, Debug)]
pub enum What {
    /// A new form in a library (the folder with blankett.yaml), or in a kommun project made by
    /// `blankett new kommun`, where it is also added to the kommun's services.
    Form {
        /// The form's id: lowercase letters, digits and `_`, e.g. `parkeringstillstand`.
        name: String,
        /// The library or kommun project folder (default: the current folder).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// The form's title (default: made from the id).
        #[arg(long)]
        title: Option<String>,
    },
    /// A new kommun project with its own small library and one form.
    Kommun {
        /// The kommun's id and folder name: lowercase letters, digits and `-`, e.g. `tjorn`.
        name: String,
        /// The kommun's name as citizens see it (default: made from the id).
        #[arg(long)]
        display_name: Option<String>,
        /// The kommun's organisation number, NNNNNN-NNNN (default: a placeholder to replace).
        #[arg(long)]
        orgnr: Option<String>,
    },
}

pub fn run(what: What) -> Result<(), String> {
    match what {
        What::Form { name, dir, title } => new_form(&name, &dir, title),
        What::Kommun {
            name,
            display_name,
            orgnr,
        } => new_kommun(&name, display_name, orgnr),
    }
}

fn new_form(id: &str, dir: &Path, title: Option<String>) -> Result<(), String> {
    check_id(id, '_', "parkeringstillstand")?;
    let (library, kommun) = if dir.join("blankett.yaml").is_file() {
        (dir.to_path_buf(), None)
    } else if dir.join("kommun.yaml").is_file()
        && dir.join(OWN_LIBRARY).join("blankett.yaml").is_file()
    {
        (dir.join(OWN_LIBRARY), Some(dir.join("kommun.yaml")))
    } else {
        return Err(format!(
            "`{}` is neither a library (no blankett.yaml) nor a kommun project made by `blankett new kommun`\n\
             help: run `blankett new form {id} --dir FOLDER` with the library's folder, or start with `blankett new kommun NAME`",
            dir.display()
        ));
    };
    let title = title.unwrap_or_else(|| title_from(id));
    let path = library.join(id).join(format!("{id}.form.yaml"));
    write_new(&path, &form_text(id, &title))?;
    println!("created {}", path.display());
    if let Some(kommun) = kommun {
        add_service(&kommun, id)?;
        println!("added `{id}` to the services in {}", kommun.display());
    } else {
        println!("to offer it, add `- form: {id}` under `services:` in the kommun's kommun.yaml");
    }
    println!(
        "next: `blankett test {}` runs its tests, `blankett dev {}` shows it in the browser",
        library.display(),
        kommun_hint(dir)
    );
    Ok(())
}

fn kommun_hint(dir: &Path) -> String {
    if dir.join("kommun.yaml").is_file() {
        dir.display().to_string()
    } else {
        "KOMMUN-FOLDER".into()
    }
}

fn new_kommun(id: &str, display_name: Option<String>, orgnr: Option<String>) -> Result<(), String> {
    check_id(id, '-', "upplands-vasby")?;
    let root = PathBuf::from(id);
    if root.exists() {
        return Err(format!(
            "`{id}` already exists\nhelp: choose another name or remove the folder; blankett never overwrites files"
        ));
    }
    let name = display_name.unwrap_or_else(|| format!("{} kommun", title_from(id)));
    let orgnr = match orgnr {
        Some(o) => blankett_compiler::domain::orgnummer(&o).map_err(|e| {
            format!(
                "`{o}` is not a valid organisation number: {}\nhelp: write it as NNNNNN-NNNN, as Bolagsverket lists it",
                e.en
            )
        })?,
        None => placeholder_orgnr(),
    };
    let short: String = name
        .split_whitespace()
        .next()
        .unwrap_or(id)
        .chars()
        .take(10)
        .collect();
    let fill = |t: &str| {
        t.replace("@ID@", id)
            .replace("@NAME@", &name)
            .replace("@ORGNR@", &orgnr)
            .replace("@ORGDIGITS@", &orgnr.replace('-', ""))
            .replace("@SHORT@", &short)
    };
    let library = root.join(OWN_LIBRARY);
    let files = [
        (root.join("kommun.yaml"), fill(KOMMUN)),
        (root.join("blankett.toml"), CONFIG.to_string()),
        (root.join("logo.svg"), fill(LOGO)),
        (library.join("blankett.yaml"), fill(LIBRARY)),
        (
            library
                .join(FIRST_FORM)
                .join(format!("{FIRST_FORM}.form.yaml")),
            form_text(FIRST_FORM, "Kontakta kommunen"),
        ),
    ];
    for (path, text) in &files {
        write_new(path, text)?;
        println!("created {}", path.display());
    }
    println!(
        "next: `blankett dev {id}` serves it at http://127.0.0.1:8080 with test e-ID; \
         `blankett new form NAME --dir {id}` adds a form"
    );
    Ok(())
}

fn form_text(id: &str, title: &str) -> String {
    FORM.replace("@ID@", id).replace("@TITLE@", title)
}

/// Appends the service to kommun.yaml when `services:` is its last top-level key (as
/// `blankett new kommun` writes it); otherwise says what to add, rather than guess.
fn add_service(kommun: &Path, id: &str) -> Result<(), String> {
    let text =
        fs::read_to_string(kommun).map_err(|e| format!("cannot read {}: {e}", kommun.display()))?;
    let top_level: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '-']) && !l.trim().is_empty())
        .collect();
    if top_level.last().map(|l| l.trim_end()) != Some("services:") {
        return Err(format!(
            "the form was created, but {} does not end with its `services:` list\nhelp: add `  - form: {id}` under `services:` yourself",
            kommun.display()
        ));
    }
    let mut text = text;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("  - form: {id}\n"));
    fs::write(kommun, text).map_err(|e| format!("cannot write {}: {e}", kommun.display()))
}

fn write_new(path: &Path, text: &str) -> Result<(), String> {
    if path.exists() {
        return Err(format!(
            "{} already exists\nhelp: choose another name; blankett never overwrites files",
            path.display()
        ));
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn check_id(id: &str, separator: char, example: &str) -> Result<(), String> {
    let ok = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == separator);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{id}` cannot be an id\nhelp: use lowercase letters a–z, digits and `{separator}`, starting with a letter, e.g. `{example}` (write å, ä, ö as a, a, o)"
        ))
    }
}

/// `upplands-vasby` → `Upplands vasby`: a start the author replaces with the real name.
fn title_from(id: &str) -> String {
    let words = id.replace(['_', '-'], " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A valid organisation number (the check digit is right) that is obviously not a kommun's.
fn placeholder_orgnr() -> String {
    (0..10)
        .map(|d| format!("212000-000{d}"))
        .find(|o| blankett_compiler::domain::orgnummer(o).is_ok())
        .unwrap_or_else(|| "212000-0000".into())
}

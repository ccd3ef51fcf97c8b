//! The syntax phase: YAML text → syntax model, with spans and every problem reported.

pub mod lower;
pub mod model;
pub mod reader;
pub mod yaml;
mod yaml_quote;

use crate::diagnostic::Diagnostic;
use crate::source::FileId;
use reader::Ctx;

/// Parses and lowers one file with the given lowering function.
pub fn read<T>(
    file: FileId,
    source: &str,
    lower: impl FnOnce(&Ctx, &yaml::Node) -> Option<T>,
) -> (Option<T>, Vec<Diagnostic>) {
    match yaml::parse(file, source) {
        Ok(node) => {
            let ctx = Ctx::new(source);
            let value = lower(&ctx, &node);
            (value, ctx.into_diagnostics())
        }
        Err(d) => (None, vec![d]),
    }
}

/// The JSON Schema of the form language, for editors (`blankett schema`).
pub fn language_schema() -> serde_json::Value {
    let mut root = schemars::schema_for!(model::FormFile);
    let generator_defs = [
        (
            "FragmentFile",
            serde_json::to_value(schemars::schema_for!(model::FragmentFile)).unwrap_or_default(),
        ),
        (
            "LibraryFile",
            serde_json::to_value(schemars::schema_for!(model::LibraryFile)).unwrap_or_default(),
        ),
        (
            "KommunFile",
            serde_json::to_value(schemars::schema_for!(model::KommunFile)).unwrap_or_default(),
        ),
    ];
    let form = serde_json::to_value(&root).unwrap_or_default();
    root = schemars::json_schema!({});
    let _ = root;
    let mut defs = serde_json::Map::new();
    let mut any_of = Vec::new();
    for (name, schema) in std::iter::once(("FormFile", form)).chain(generator_defs) {
        let mut schema = schema;
        if let Some(obj) = schema.as_object_mut() {
            if let Some(serde_json::Value::Object(d)) = obj.remove("$defs") {
                defs.extend(d);
            }
            obj.remove("$schema");
            obj.remove("title");
        }
        any_of.push(serde_json::json!({ "$ref": format!("#/$defs/{name}") }));
        defs.insert(name.to_string(), schema);
    }
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://blankett.se/schema/blankett.schema.json",
        "title": "blankett",
        "description": "A blankett form (*.form.yaml), fragment (*.fragment.yaml), library (blankett.yaml) or kommun project (kommun.yaml).",
        "anyOf": any_of,
        "$defs": defs,
    })
}

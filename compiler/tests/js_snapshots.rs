//! The client logic of the three library forms, snapshotted beside the form it comes from.

use blankett_compiler::backend::js;
use blankett_compiler::source::RealFs;
use std::path::Path;

#[test]
fn client_logic_of_the_library_forms() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let c = blankett_compiler::compile(&RealFs, &[root.join("forms")]);
    assert!(!c.has_errors());
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/js"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for id in ["felanmalan", "bygglov", "barnomsorg"] {
            let form = c.forms.iter().find(|f| f.id == id).expect("the form");
            let out = format!("input: forms/{id}/{id}.form.yaml\n\n{}", js::generate(form));
            insta::assert_snapshot!(id, out);
        }
    });
}

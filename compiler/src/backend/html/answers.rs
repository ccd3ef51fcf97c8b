//! What a POST of a question page means: the page's answers, in the shape the evaluator reads
//! (`eval::answer`), taken as entered. Validation is the evaluator's job, so a half-typed date
//! comes back into its inputs exactly as it was typed.

use crate::eval::Answers;
use crate::ir::FieldType;
use crate::ir::{FieldId, Form};
use serde_json::{Map, Value as Json};

/// The button a person pressed. Without JavaScript, adding and removing repeat rows are
/// submits of the page, so the runtime re-renders the page instead of moving on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageAction {
    /// "Fortsätt" (or Enter in a field).
    Continue,
    /// `add:<repeat instance path>`.
    Add(String),
    /// `remove:<repeat instance path>:<row>`.
    Remove(String, usize),
}

/// The `_action` of a POST.
pub fn page_action(pairs: &[(String, String)]) -> PageAction {
    let Some((_, v)) = pairs.iter().find(|(k, _)| k == "_action") else {
        return PageAction::Continue;
    };
    if let Some(path) = v.strip_prefix("add:") {
        return PageAction::Add(path.to_string());
    }
    if let Some(rest) = v.strip_prefix("remove:") {
        if let Some((path, i)) = rest.rsplit_once(':') {
            if let Ok(i) = i.parse() {
                return PageAction::Remove(path.to_string(), i);
            }
        }
    }
    PageAction::Continue
}

/// The answers a POST of `page` gives, with a repeat's "Lägg till"/"Ta bort" applied.
///
/// Every input field of the page gets an entry (`null` when nothing was sent), so that
/// merging them into the stored answers also clears what was unticked or emptied. File fields
/// are the exception: their content arrives outside these pairs, so a file field is only set
/// when its name was sent, and a stored upload is otherwise kept. Fully blank repeat rows are
/// dropped: a row nobody wrote in is no answer, and dropping it means "Lägg till" followed by
/// "Fortsätt" does not trap a person in a row of required-field errors.
pub fn answers_from_form(form: &Form, page: usize, pairs: &[(String, String)]) -> Answers {
    let mut answers = Answers::new();
    let Some(p) = form.pages.get(page) else {
        return answers;
    };
    for &id in &p.fields {
        let f = &form.fields[id];
        if !f.kind.is_input() {
            continue;
        }
        let v = collect(form, id, &f.path, pairs);
        if f.kind == FieldType::File && v.is_null() {
            continue;
        }
        answers.insert(f.path.clone(), v);
    }
    match page_action(pairs) {
        PageAction::Continue => {}
        PageAction::Add(path) => {
            if let Some(Json::Array(rows)) = locate(&mut answers, &path) {
                rows.push(Json::Object(Map::new()));
            }
        }
        PageAction::Remove(path, i) => {
            if let Some(Json::Array(rows)) = locate(&mut answers, &path) {
                if i < rows.len() {
                    rows.remove(i);
                }
            }
        }
    }
    answers
}

/// The answer of one field instance named `name` (`startdatum`, `barn[0].alder`).
fn collect(form: &Form, id: FieldId, name: &str, pairs: &[(String, String)]) -> Json {
    let f = &form.fields[id];
    let get = |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| Json::String(v.clone()))
    };
    let parts = |keys: &[&str]| {
        let o: Map<String, Json> = keys
            .iter()
            .filter_map(|k| get(&format!("{name}.{k}")).map(|v| (k.to_string(), v)))
            .collect();
        if o.is_empty() {
            Json::Null
        } else {
            Json::Object(o)
        }
    };
    match f.kind {
        FieldType::Date => parts(&["day", "month", "year"]),
        FieldType::Position => parts(&["lat", "lon"]),
        FieldType::MultiChoice => Json::Array(
            pairs
                .iter()
                .filter(|(k, v)| k == name && !v.is_empty())
                .map(|(_, v)| Json::String(v.clone()))
                .collect(),
        ),
        FieldType::Repeat => {
            let prefix = format!("{name}[");
            let mut rows: Vec<usize> = pairs
                .iter()
                .filter_map(|(k, _)| {
                    let rest = k.strip_prefix(&prefix)?;
                    rest.split_once(']')?.0.parse().ok()
                })
                .collect();
            rows.sort_unstable();
            rows.dedup();
            Json::Array(
                rows.into_iter()
                    .map(|i| {
                        let row: Map<String, Json> = f
                            .children
                            .iter()
                            .filter(|&&c| form.fields[c].kind.is_input())
                            .map(|&c| {
                                let key = form.fields[c].row_key(form).to_string();
                                let v = collect(form, c, &format!("{name}[{i}].{key}"), pairs);
                                (key, v)
                            })
                            .collect();
                        row
                    })
                    .filter(|row| !row.values().all(crate::eval::answer::is_empty))
                    .map(Json::Object)
                    .collect(),
            )
        }
        FieldType::File => match get(name) {
            Some(Json::String(s)) if !s.is_empty() => Json::String(s),
            _ => Json::Null,
        },
        _ => get(name).unwrap_or(Json::Null),
    }
}

/// The repeat's row list at an instance path (`omsorgstider`, `barn[1].syskon`).
fn locate<'a>(answers: &'a mut Answers, path: &str) -> Option<&'a mut Json> {
    // Top-level names may themselves contain dots (`vardnadshavare_1.barn`): find the longest
    // stored key the path starts with, then walk `[i].key` steps inside it.
    let key = answers
        .keys()
        .filter(|k| path == k.as_str() || path.starts_with(&format!("{k}[")))
        .max_by_key(|k| k.len())?
        .clone();
    let mut cur = answers.get_mut(&key)?;
    let mut rest = &path[key.len()..];
    while let Some(r) = rest.strip_prefix('[') {
        let (i, after) = r.split_once(']')?;
        let i: usize = i.parse().ok()?;
        let after = after.strip_prefix('.')?;
        // The child's row key runs to the next `[` (a nested repeat's index).
        let end = after.find('[').unwrap_or(after.len());
        let (child, tail) = after.split_at(end);
        cur = cur.get_mut(i)?.get_mut(child)?;
        rest = tail;
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::html::tests::form;
    use crate::eval::{evaluate, testing::default_today};
    use serde_json::json;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_post_gives_dates_positions_and_choices_as_entered() {
        let f = form("barnomsorg");
        let p = f.page("placering").unwrap();
        let a = answers_from_form(
            f,
            p,
            &pairs(&[
                ("_csrf", "x"),
                ("startdatum.day", "7"),
                ("startdatum.month", "1"),
                ("startdatum.year", "2027"),
                ("onskad_forskola", "ekbacken"),
            ]),
        );
        assert_eq!(
            a["startdatum"],
            json!({"day": "7", "month": "1", "year": "2027"})
        );
        assert_eq!(a["onskad_forskola"], json!("ekbacken"));
        // Unanswered questions of the page are cleared, not left as they were.
        assert_eq!(a["andrahandsval"], json!(null));
        assert!(!a.contains_key("_csrf"));
        // The evaluator reads the date the same way.
        let o = evaluate(f, &a, default_today());
        assert_eq!(
            o.values["startdatum"],
            crate::expr::Value::Date(chrono::NaiveDate::from_ymd_opt(2027, 1, 7).unwrap())
        );

        let f = form("felanmalan");
        let p = f.page("plats").unwrap();
        let a = answers_from_form(
            f,
            p,
            &pairs(&[
                ("position.lat", "58,2255"),
                ("position.lon", "11.6744"),
                ("platsbeskrivning", "  Torget "),
            ]),
        );
        assert_eq!(a["position"], json!({"lat": "58,2255", "lon": "11.6744"}));
        assert_eq!(a["platsbeskrivning"], json!("  Torget "));
        let o = evaluate(f, &a, default_today());
        assert_eq!(
            o.values["position"],
            crate::expr::Value::Position {
                lat: 58.2255,
                lon: 11.6744
            }
        );
    }

    #[test]
    fn a_post_gives_repeated_names_as_a_list_and_keeps_stored_files() {
        let f = form("bygglov");
        let p = f.page("arendet").unwrap();
        let a = answers_from_form(
            f,
            p,
            &pairs(&[
                ("atgard", "nybyggnad"),
                ("atgard", "rivning"),
                ("beskrivning", "Ett garage"),
            ]),
        );
        assert_eq!(a["atgard"], json!(["nybyggnad", "rivning"]));
        let a = answers_from_form(f, p, &pairs(&[]));
        assert_eq!(a["atgard"], json!([]));

        let p = f.page("bilagor").unwrap();
        let a = answers_from_form(f, p, &pairs(&[("situationsplan", "plan.pdf")]));
        assert_eq!(a["situationsplan"], json!("plan.pdf"));
        // No file sent: the upload stored earlier stays.
        assert!(!a.contains_key("fasadritningar"));
    }

    #[test]
    fn a_post_gives_repeat_rows_and_applies_add_and_remove() {
        let f = form("barnomsorg");
        let p = f.page("tider").unwrap();
        let rows = [
            ("omsorgstider[0].dag", "mandag"),
            ("omsorgstider[0].lamning", "07:30"),
            ("omsorgstider[1].dag", ""),
            ("omsorgstider[1].lamning", ""),
            ("omsorgstider[2].dag", "onsdag"),
            ("omsorgstider[2].timmar", "8"),
        ];
        let a = answers_from_form(f, p, &pairs(&rows));
        // The blank middle row is dropped; missing inputs of a row are null.
        assert_eq!(
            a["omsorgstider"],
            json!([
                {"dag": "mandag", "lamning": "07:30", "hamtning": null, "timmar": null},
                {"dag": "onsdag", "lamning": null, "hamtning": null, "timmar": "8"}
            ])
        );
        assert_eq!(page_action(&pairs(&rows)), PageAction::Continue);

        let mut add = pairs(&rows);
        add.push(("_action".into(), "add:omsorgstider".into()));
        assert_eq!(page_action(&add), PageAction::Add("omsorgstider".into()));
        assert_eq!(
            answers_from_form(f, p, &add)["omsorgstider"]
                .as_array()
                .unwrap()
                .len(),
            3
        );

        let mut remove = pairs(&rows);
        remove.push(("_action".into(), "remove:omsorgstider:0".into()));
        assert_eq!(
            page_action(&remove),
            PageAction::Remove("omsorgstider".into(), 0)
        );
        assert_eq!(
            answers_from_form(f, p, &remove)["omsorgstider"],
            json!([{"dag": "onsdag", "lamning": null, "hamtning": null, "timmar": "8"}])
        );
    }
}

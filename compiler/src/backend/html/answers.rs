//! What a POST of a question page means: the page's answers, in the shape the evaluator reads
//! (`eval::answer`), taken as entered. Validation is the evaluator's job, so a half-typed date
//! comes back into its inputs exactly as it was typed.

use crate::eval::Answers;
use crate::ir::FieldType;
use crate::ir::{FieldId, Form};
use serde_json::{Map, Value as Json};
use std::collections::{BTreeSet, HashMap};

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
    /// `remove-file:<upload id>`: one uploaded file taken off its field.
    RemoveFile(String),
}

/// The `_action` of a POST.
pub fn page_action(pairs: &[(String, String)]) -> PageAction {
    let Some((_, v)) = pairs.iter().find(|(k, _)| k == "_action") else {
        return PageAction::Continue;
    };
    if let Some(id) = v.strip_prefix("remove-file:") {
        return PageAction::RemoveFile(id.to_string());
    }
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

/// No repeat takes more rows than this from one POST, whatever its `max_items` says, and none
/// without `max_items` more: a page is drawn with one input per row, so rows are bounded like
/// the page is.
pub const MAX_ROWS: usize = 1000;

/// A POST whose repeat rows are not read: nothing of it should be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowsRefused {
    /// More rows than the repeat takes: its `max_items`, at most [`MAX_ROWS`].
    TooMany { repeat: String, limit: usize },
    /// A row number no page draws: not a number, or not below the repeat's limit.
    BadIndex { repeat: String, index: String },
}

impl std::fmt::Display for RowsRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RowsRefused::TooMany { repeat, limit } => {
                write!(f, "more than {limit} rows posted for `{repeat}`")
            }
            RowsRefused::BadIndex { repeat, index } => {
                write!(f, "row `{index}` of `{repeat}` is out of range")
            }
        }
    }
}

/// The answers a POST of `page` gives, with a repeat's "Lägg till"/"Ta bort" applied.
///
/// Every input field of the page gets an entry (`null` when nothing was sent), so that
/// merging them into the stored answers also clears what was unticked or emptied. A file field
/// takes no file from these pairs: a name typed into a POST is no upload (see
/// [`answers_from_post`]), so here every file field is unanswered. Fully blank repeat rows are
/// dropped: a row nobody wrote in is no answer, and dropping it means "Lägg till" followed by
/// "Fortsätt" does not trap a person in a row of required-field errors.
///
/// The pairs are read once into an index, so the time is linear in the POST. A repeat with more
/// posted rows than it takes, or a row number it never draws, refuses the whole POST.
pub fn answers_from_form(
    form: &Form,
    page: usize,
    pairs: &[(String, String)],
) -> Result<Answers, RowsRefused> {
    answers_from_post(form, page, pairs, &|_, _| None)
}

/// Finds the stored upload a posted value names: given the file field's path (`bilagor.fil`)
/// and the posted value (an upload's id), the upload as an answer (`{name, size, type, id}`),
/// or `None` when it is no upload of this draft for this field.
pub type FileLookup<'a> = &'a dyn Fn(&str, &str) -> Option<Json>;

/// [`answers_from_form`] with the page's files: each value posted under a file field's name
/// is looked up by `files`; what it does not know is dropped. The pages post each kept file's
/// id (a hidden input beside the file input) and the runtime adds each new upload's id, so a
/// file stays with its row when rows are removed. A field takes at most `max_files` files (one
/// is an object, several a list); `_action=remove-file:<id>` leaves that one out.
pub fn answers_from_post(
    form: &Form,
    page: usize,
    pairs: &[(String, String)],
    files: FileLookup<'_>,
) -> Result<Answers, RowsRefused> {
    let mut answers = Answers::new();
    let Some(p) = form.pages.get(page) else {
        return Ok(answers);
    };
    let action = page_action(pairs);
    let mut posted = Posted::index(pairs);
    posted.files = Some(files);
    if let PageAction::RemoveFile(id) = &action {
        posted.removed_file = Some(id.clone());
    }
    for &id in &p.fields {
        let f = &form.fields[id];
        if !f.kind.is_input() {
            continue;
        }
        let v = posted.collect(form, id, &f.path)?;
        answers.insert(f.path.clone(), v);
    }
    match action {
        PageAction::Continue | PageAction::RemoveFile(_) => {}
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
    Ok(answers)
}

/// The errors to show after `action`: after "Lägg till en rad" none of the new, empty row's;
/// it has not been filled in yet, so its required fields are not yet missing.
pub fn errors_to_show(
    errors: Vec<crate::eval::FieldError>,
    action: &PageAction,
    answers: &Answers,
) -> Vec<crate::eval::FieldError> {
    let PageAction::Add(path) = action else {
        return errors;
    };
    let mut answers = answers.clone();
    let Some(Json::Array(rows)) = locate(&mut answers, path) else {
        return errors;
    };
    let Some(new_row) = rows.len().checked_sub(1) else {
        return errors;
    };
    let prefix = format!("{path}[{new_row}]");
    errors
        .into_iter()
        .filter(|e| {
            let rest = e.path.strip_prefix(&prefix);
            !rest.is_some_and(|r| r.is_empty() || r.starts_with('.') || r.starts_with('['))
        })
        .collect()
}

/// A POST's pairs, indexed in one pass.
struct Posted<'a> {
    /// Where file fields find their uploads; `None` takes no file.
    files: Option<FileLookup<'a>>,
    /// The upload the person asked to remove.
    removed_file: Option<String>,
    /// The values sent under each name, in the order sent.
    values: HashMap<&'a str, Vec<&'a str>>,
    /// For each repeat instance a name could belong to (`barn`, `barn[1].syskon`), the row
    /// numbers its names carry, and the first one that is not a number.
    rows: HashMap<&'a str, (BTreeSet<usize>, Option<&'a str>)>,
}

impl<'a> Posted<'a> {
    fn index(pairs: &'a [(String, String)]) -> Self {
        let mut posted = Posted {
            files: None,
            removed_file: None,
            values: HashMap::new(),
            rows: HashMap::new(),
        };
        for (k, v) in pairs {
            posted.values.entry(k).or_default().push(v);
            // Every `[i]` in the name: the part before it names a repeat instance.
            let mut from = 0;
            while let Some(open) = k[from..].find('[').map(|i| from + i) {
                let Some(close) = k[open..].find(']').map(|i| open + i) else {
                    break;
                };
                let index = &k[open + 1..close];
                let entry = posted.rows.entry(&k[..open]).or_default();
                match row_number(index) {
                    Some(i) => {
                        entry.0.insert(i);
                    }
                    None => {
                        entry.1.get_or_insert(index);
                    }
                }
                from = close;
            }
        }
        posted
    }

    fn get(&self, name: &str) -> Option<Json> {
        let v = self.values.get(name)?.first()?;
        Some(Json::String(v.to_string()))
    }

    /// The answer of one field instance named `name` (`startdatum`, `barn[0].alder`).
    fn collect(&self, form: &Form, id: FieldId, name: &str) -> Result<Json, RowsRefused> {
        let f = &form.fields[id];
        let parts = |keys: &[&str]| {
            let o: Map<String, Json> = keys
                .iter()
                .filter_map(|k| self.get(&format!("{name}.{k}")).map(|v| (k.to_string(), v)))
                .collect();
            if o.is_empty() {
                Json::Null
            } else {
                Json::Object(o)
            }
        };
        Ok(match f.kind {
            FieldType::Date => parts(&["day", "month", "year"]),
            FieldType::Position => parts(&["lat", "lon"]),
            FieldType::MultiChoice => Json::Array(
                self.values
                    .get(name)
                    .into_iter()
                    .flatten()
                    .filter(|v| !v.is_empty())
                    .map(|v| Json::String(v.to_string()))
                    .collect(),
            ),
            FieldType::Repeat => {
                let limit = f.max_items.map_or(MAX_ROWS, |m| m as usize).min(MAX_ROWS);
                let (indexes, bad) = match self.rows.get(name) {
                    Some((indexes, bad)) => (indexes, *bad),
                    None => (&BTreeSet::new(), None),
                };
                if indexes.len() > limit {
                    return Err(RowsRefused::TooMany {
                        repeat: name.to_string(),
                        limit,
                    });
                }
                let out_of_range = indexes.last().filter(|&&i| i >= limit);
                if let Some(index) = bad
                    .map(str::to_string)
                    .or(out_of_range.map(|i| i.to_string()))
                {
                    return Err(RowsRefused::BadIndex {
                        repeat: name.to_string(),
                        index,
                    });
                }
                let mut rows = Vec::with_capacity(indexes.len());
                for i in indexes {
                    let mut row = Map::new();
                    for &c in &f.children {
                        if !form.fields[c].kind.is_input() {
                            continue;
                        }
                        let key = form.fields[c].row_key(form);
                        let v = self.collect(form, c, &format!("{name}[{i}].{key}"))?;
                        row.insert(key.to_string(), v);
                    }
                    if !row.values().all(crate::eval::answer::is_empty) {
                        rows.push(Json::Object(row));
                    }
                }
                Json::Array(rows)
            }
            FieldType::File => self.files_of(f, name),
            _ => self.get(name).unwrap_or(Json::Null),
        })
    }
}

impl Posted<'_> {
    /// The uploads posted under a file field instance's name, each known to the lookup, each
    /// once, at most `max_files`: none is `null`, one file an object, several a list.
    fn files_of(&self, f: &crate::ir::Field, name: &str) -> Json {
        let Some(lookup) = self.files else {
            return Json::Null;
        };
        let max = f.max_files.max(1) as usize;
        let mut seen = BTreeSet::new();
        let found: Vec<Json> = self
            .values
            .get(name)
            .into_iter()
            .flatten()
            .filter(|id| !id.is_empty() && self.removed_file.as_deref() != Some(**id))
            .filter(|id| seen.insert(**id))
            .filter_map(|id| lookup(&f.path, id))
            .take(max)
            .collect();
        match (max, found.len()) {
            (_, 0) => Json::Null,
            (1, _) => found.into_iter().next().unwrap_or(Json::Null),
            _ => Json::Array(found),
        }
    }
}

/// A row number as the pages write it: decimal digits, short enough to be a row.
fn row_number(s: &str) -> Option<usize> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
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
        )
        .unwrap();
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
        )
        .unwrap();
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
        )
        .unwrap();
        assert_eq!(a["atgard"], json!(["nybyggnad", "rivning"]));
        let a = answers_from_form(f, p, &pairs(&[])).unwrap();
        assert_eq!(a["atgard"], json!([]));

        let p = f.page("bilagor").unwrap();
        // A name typed into a POST is no file.
        let a = answers_from_form(f, p, &pairs(&[("situationsplan", "plan.pdf")])).unwrap();
        assert_eq!(a["situationsplan"], json!(null));
        // An id the lookup knows is the upload it names; one it does not know is nothing.
        let known = |path: &str, id: &str| {
            (path == "situationsplan" && id == "u1")
                .then(|| json!({"name": "plan.pdf", "id": "u1"}))
        };
        let a = answers_from_post(
            f,
            p,
            &pairs(&[("situationsplan", "u1"), ("fasadritningar", "u1")]),
            &known,
        )
        .unwrap();
        assert_eq!(a["situationsplan"], json!({"name": "plan.pdf", "id": "u1"}));
        assert_eq!(a["fasadritningar"], json!(null));
        // Removed with its button.
        let a = answers_from_post(
            f,
            p,
            &pairs(&[("situationsplan", "u1"), ("_action", "remove-file:u1")]),
            &known,
        )
        .unwrap();
        assert_eq!(a["situationsplan"], json!(null));
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
        let a = answers_from_form(f, p, &pairs(&rows)).unwrap();
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
            answers_from_form(f, p, &add).unwrap()["omsorgstider"]
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
            answers_from_form(f, p, &remove).unwrap()["omsorgstider"],
            json!([{"dag": "onsdag", "lamning": null, "hamtning": null, "timmar": "8"}])
        );
    }

    /// `omsorgstider[i].dag` for each `i`.
    fn rows(indexes: impl Iterator<Item = usize>) -> Vec<(String, String)> {
        indexes
            .map(|i| (format!("omsorgstider[{i}].dag"), "mandag".to_string()))
            .collect()
    }

    #[test]
    fn more_rows_than_a_repeat_takes_refuse_the_post() {
        let f = form("barnomsorg");
        let p = f.page("tider").unwrap();
        // `max_items: 5`.
        let five = answers_from_form(f, p, &rows(0..5)).unwrap();
        assert_eq!(five["omsorgstider"].as_array().unwrap().len(), 5);
        assert_eq!(
            answers_from_form(f, p, &rows(0..6)),
            Err(RowsRefused::TooMany {
                repeat: "omsorgstider".into(),
                limit: 5
            })
        );
        // A flood is refused as quickly as it is read: one pass, not one per row.
        assert!(matches!(
            answers_from_form(f, p, &rows(0..20_000)),
            Err(RowsRefused::TooMany { .. })
        ));

        // Without `max_items`, MAX_ROWS.
        let mut open = f.clone();
        let id = open.field("omsorgstider").unwrap();
        open.fields[id].max_items = None;
        let all = answers_from_form(&open, p, &rows(0..MAX_ROWS)).unwrap();
        assert_eq!(all["omsorgstider"].as_array().unwrap().len(), MAX_ROWS);
        assert!(matches!(
            answers_from_form(&open, p, &rows(0..MAX_ROWS + 1)),
            Err(RowsRefused::TooMany {
                limit: MAX_ROWS,
                ..
            })
        ));
    }

    #[test]
    fn a_row_number_no_page_draws_refuses_the_post() {
        let f = form("barnomsorg");
        let p = f.page("tider").unwrap();
        for index in [
            "5",
            "4000000000",
            "99999999999999999999",
            "-1",
            "+1",
            "x",
            "",
            "1 ",
        ] {
            let posted = pairs(&[(&format!("omsorgstider[{index}].dag"), "mandag")]);
            assert_eq!(
                answers_from_form(f, p, &posted),
                Err(RowsRefused::BadIndex {
                    repeat: "omsorgstider".into(),
                    index: index.into()
                }),
                "{index:?}"
            );
        }
        // Gaps are no harm: the rows are read in order and numbered anew.
        let a = answers_from_form(f, p, &rows([4, 0, 2].into_iter())).unwrap();
        assert_eq!(a["omsorgstider"].as_array().unwrap().len(), 3);
        // Brackets in names of other fields are not rows of this repeat.
        let posted = pairs(&[("annat[x]", "1"), ("omsorgstider[0].dag[x]", "1")]);
        assert!(answers_from_form(f, p, &posted).is_ok());
    }
}

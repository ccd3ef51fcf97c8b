//! The static preview `blankett build` writes next to a form's other outputs: every page
//! empty and in its error state, the check page filled with the example answers, the receipt
//! and the accessibility statement, in Swedish and (under `en/`) English. Authors open the
//! files straight from disk, and the browser tests audit exactly these files.

use super::{render_with, theme_css, Ctx, Links, View};
use crate::backend::{example, Branding};
use crate::eval::{
    evaluate, evaluate_showing, testing::default_today, Answers, FieldError, Outcome,
};
use crate::ir::Form;

/// The preview's files, relative to the form's output folder (`<kommun>/<form>/`, two levels
/// below the shared `assets/`).
pub fn preview(form: &Form, branding: &Branding) -> Vec<(String, String)> {
    let mut out = vec![("theme.css".to_string(), theme_css(branding))];
    let today = default_today();
    let example = example::answers(form);
    let outcome = evaluate(form, &example, today);
    let mut langs = vec!["sv"];
    if form.languages.iter().any(|l| l == "en") {
        langs.push("en");
    }
    // What each page shows is the same in every language: evaluated once, drawn per language.
    let states: Vec<PageState> = (0..form.pages.len())
        .map(|p| {
            let before = answers_before(form, &example, p);
            let outcome = evaluate_showing(form, &before, today, Some(p));
            let error = error_state(form, &outcome, p);
            PageState {
                before,
                outcome,
                error,
            }
        })
        .collect();
    for lang in langs {
        let (dir, root, assets) = match lang {
            "sv" => ("", ".", "../../assets"),
            _ => ("en/", "..", "../../../assets"),
        };
        let ctx = Ctx {
            form,
            branding,
            lang,
            base: ".",
            assets,
            csrf: None,
            user: None,
        };
        let links = Links::Static { root: root.into() };
        let mut add = |name: &str, view: View| {
            out.push((
                format!("{dir}{name}.html"),
                render_with(&ctx, &view, &links, today),
            ));
        };
        add("index", View::Start);
        for (p, (page, state)) in form.pages.iter().zip(&states).enumerate() {
            add(
                &page.id,
                View::Question {
                    page: p,
                    answers: &state.before,
                    errors: &[],
                    outcome: Some(&state.outcome),
                },
            );
            if let Some(error) = &state.error {
                let (answers, outcome) = match &error.scenario {
                    Some((answers, outcome)) => (answers, outcome),
                    None => (&state.before, &state.outcome),
                };
                add(
                    &format!("{}-fel", page.id),
                    View::Question {
                        page: p,
                        answers,
                        errors: &error.errors,
                        outcome: Some(outcome),
                    },
                );
            }
        }
        add(
            "kontrollera",
            View::Check {
                answers: &example,
                outcome: &outcome,
            },
        );
        add(
            "kvitto",
            View::Receipt {
                reference: &format!("{}-2026-000123", form.reference_prefix),
                submitted_at: "2026-06-15T14:05:00+02:00",
                outcome: &outcome,
            },
        );
        add("tillganglighet", View::Accessibility);
    }
    out
}

/// A question page of the preview: the answers on reaching it and their evaluation, and its
/// error state (answers, errors, evaluation) when it has one.
struct PageState {
    before: Answers,
    outcome: Outcome,
    error: Option<ErrorState>,
}

/// A question page's error state: its errors, and the scenario test's answers and their
/// evaluation when the page sent empty has none (`None`: the page's own `before` and outcome).
struct ErrorState {
    errors: Vec<FieldError>,
    scenario: Option<(Answers, Outcome)>,
}

/// The example answers of the pages before `page`: what a person has answered on reaching it,
/// so conditions on earlier answers show the questions they usually show.
fn answers_before(form: &Form, example: &Answers, page: usize) -> Answers {
    example
        .iter()
        .filter(|(k, _)| form.field(k).is_some_and(|f| form.fields[f].page < page))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The page sent empty; when that is no error (only optional questions), the first scenario
/// test that fails on this page, with its answers. `empty` is the page's answers evaluated with it
/// shown, so the common case evaluates nothing again.
fn error_state(form: &Form, empty: &Outcome, page: usize) -> Option<ErrorState> {
    let on_page = |errors: &[FieldError]| -> Vec<FieldError> {
        errors
            .iter()
            .filter(|e| form.fields[e.field].page == page)
            .cloned()
            .collect()
    };
    let errors = on_page(&empty.errors);
    if !errors.is_empty() {
        return Some(ErrorState {
            errors,
            scenario: None,
        });
    }
    let today = default_today();
    form.tests.iter().find_map(|t| {
        let day = t.today.unwrap_or(today);
        let outcome = evaluate_showing(form, &t.answers, day, Some(page));
        let errors = on_page(&outcome.errors);
        if errors.is_empty() {
            return None;
        }
        // The page is drawn as of the preview's day, as every other preview page.
        let outcome = if day == today {
            outcome
        } else {
            evaluate_showing(form, &t.answers, today, Some(page))
        };
        Some(ErrorState {
            errors,
            scenario: Some((t.answers.clone(), outcome)),
        })
    })
}

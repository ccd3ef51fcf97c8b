//! The admin page's statistics per e-service: journeys started and completed, drop-off per
//! page and the median time from start to submission.

use crate::store::EventKind;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

pub struct Stats {
    pub started: usize,
    pub completed: usize,
    pub completion: String,
    pub median: String,
    pub pages: Vec<serde_json::Value>,
}

/// Started, completed, drop-off per page and the median time from start to submission.
pub fn statistics(events: &[crate::store::Event], pages: &[String]) -> Stats {
    let started: BTreeSet<&str> = events
        .iter()
        .filter(|e| e.kind == EventKind::Start)
        .filter_map(|e| e.draft_id.as_deref())
        .collect();
    let mut start_at: BTreeMap<&str, chrono::DateTime<chrono::Utc>> = BTreeMap::new();
    let mut durations = Vec::new();
    let mut completed = 0;
    for e in events {
        let Some(d) = e.draft_id.as_deref() else {
            continue;
        };
        match e.kind {
            EventKind::Start => {
                start_at.insert(d, e.at);
            }
            EventKind::Submit => {
                completed += 1;
                if let Some(a) = start_at.get(d) {
                    durations.push((e.at - *a).num_seconds());
                }
            }
            _ => {}
        }
    }
    durations.sort();
    let median = durations
        .get(durations.len() / 2)
        .map(|s| format!("{} min {} s", s / 60, s % 60))
        .unwrap_or_else(|| "–".into());
    let mut page_rows = Vec::new();
    let mut previous = started.len();
    for p in pages {
        let done: BTreeSet<&str> = events
            .iter()
            .filter(|e| e.kind == EventKind::Page && e.page.as_deref() == Some(p))
            .filter_map(|e| e.draft_id.as_deref())
            .collect();
        page_rows.push(json!({"id": p, "completed": done.len(), "dropped": previous.saturating_sub(done.len())}));
        previous = done.len();
    }
    let completion = if started.is_empty() {
        "–".into()
    } else {
        format!("{:.0} %", 100.0 * completed as f64 / started.len() as f64)
    };
    Stats {
        started: started.len(),
        completed,
        completion,
        median,
        pages: page_rows,
    }
}

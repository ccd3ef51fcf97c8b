//! Counters for `/metrics` (Prometheus text format). Labels are form and page ids only: never
//! personal data.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// (metric name, labels) → count.
type Counters = BTreeMap<(String, Vec<(String, String)>), u64>;

#[derive(Default)]
pub struct Metrics {
    counters: Mutex<Counters>,
}

impl Metrics {
    pub fn inc(&self, name: &str, labels: &[(&str, &str)]) {
        let key = (
            name.to_string(),
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        if let Ok(mut c) = self.counters.lock() {
            *c.entry(key).or_insert(0) += 1;
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let Ok(c) = self.counters.lock() else {
            return out;
        };
        let mut last = String::new();
        for ((name, labels), v) in c.iter() {
            if *name != last {
                out.push_str(&format!("# TYPE {name} counter\n"));
                last = name.clone();
            }
            let l: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect();
            if l.is_empty() {
                out.push_str(&format!("{name} {v}\n"));
            } else {
                out.push_str(&format!("{name}{{{}}} {v}\n", l.join(",")));
            }
        }
        out
    }
}

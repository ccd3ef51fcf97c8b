//! Rate limits: a fixed window per key (session or address) and action.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// (key, action) → (window start, count in the window).
type Windows = HashMap<(String, &'static str), (Instant, u32)>;

#[derive(Default)]
pub struct RateLimits {
    windows: Mutex<Windows>,
}

impl RateLimits {
    /// True when `key` may do `action` once more within a minute of at most `per_minute`.
    pub fn allow(&self, key: &str, action: &'static str, per_minute: u32) -> bool {
        let Ok(mut w) = self.windows.lock() else {
            return true;
        };
        let now = Instant::now();
        if w.len() > 100_000 {
            w.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let entry = w.entry((key.to_string(), action)).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= per_minute
    }
}

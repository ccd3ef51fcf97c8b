//! Times as citizens and staff read them. Stored in UTC; shown in the server's local time, as
//! the person's own clock shows it.

/// Today in the server's time zone: what `today()` and ages in the forms' rules are counted from.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// A stored time as people here read it: the server's local time, "2026-05-12 14:05".
pub fn local_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

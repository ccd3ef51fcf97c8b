//! Times as citizens and staff read them. Stored in UTC; shown in the server's local time, as
//! the person's own clock shows it.

/// Today in the server's time zone: what `today()` and ages in the forms' rules are counted from.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// A stored time (UTC, RFC 3339) as people here read it: "2026-05-12 14:05", local time.
pub fn local_time(rfc3339: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(d) => d
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => rfc3339.get(..16).unwrap_or("").replace('T', " "),
    }
}

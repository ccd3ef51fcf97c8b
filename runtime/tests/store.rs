//! One store suite, run against SQLite always and against PostgreSQL when
//! `BLANKETT_TEST_POSTGRES` names a server (CI starts one and sets it).

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use blankett_runtime::store::{
    self, Attachment, Cosigner, Draft, DynStore, EidOrder, EidOrderKind, Event, EventKind,
    FinishedMail, InvitationMail, MailState, NewSubmission, Session, Signature, SignatureRole,
    Submission,
};
use blankett_runtime::submission::SubmissionStatus;
use chrono::{DateTime, SubsecRound, TimeZone, Utc};

/// Now, to the microsecond: what both databases keep of a time.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

fn draft(id: &str, owner: &str) -> Draft {
    Draft {
        id: id.into(),
        owner: owner.into(),
        kommun: "orust".into(),
        form: "felanmalan".into(),
        form_hash: "abc".into(),
        answers: r#"{"kategori":"gata"}"#.into(),
        page: "vad".into(),
        created_at: now(),
        updated_at: now(),
    }
}

fn new_submission(draft_id: &str, owner: &str) -> NewSubmission {
    NewSubmission {
        submission: Submission {
            id: uuid::Uuid::new_v4().to_string(),
            reference: String::new(),
            draft_id: draft_id.into(),
            owner: owner.into(),
            kommun: "orust".into(),
            form: "felanmalan".into(),
            form_version: "1.0.0".into(),
            form_hash: "abc".into(),
            answers: "{}".into(),
            xml: "<x/>".into(),
            json: "{}".into(),
            status: SubmissionStatus::Mottagen,
            case_number: None,
            submitted_at: now(),
        },
        reference_prefix: "FEL".into(),
        year: 2026,
        delivery_targets: Vec::new(),
        attachments: Vec::new(),
    }
}

async fn suite(s: DynStore) {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let owner_a = format!("pnr:a{unique}");
    let owner_b = format!("pnr:b{unique}");

    // Sessions round-trip and update in place.
    let mut sess = Session {
        id: format!("s{unique}"),
        person_pnr: None,
        person_name: None,
        person_given_name: None,
        person_family_name: None,
        csrf: "t".into(),
        created_at: now(),
        last_seen_at: now(),
    };
    s.put_session(&sess).await.unwrap();
    sess.person_pnr = Some("191212121212".into());
    s.put_session(&sess).await.unwrap();
    assert_eq!(s.session(&sess.id).await.unwrap(), Some(sess.clone()));
    s.delete_session(&sess.id).await.unwrap();
    assert_eq!(s.session(&sess.id).await.unwrap(), None);

    // Drafts belong to their owner.
    let d1 = draft(&format!("d1{unique}"), &owner_a);
    s.put_draft(&d1).await.unwrap();
    s.put_draft(&draft(&format!("d2{unique}"), &owner_b))
        .await
        .unwrap();
    assert_eq!(s.drafts_of(&owner_a).await.unwrap(), vec![d1.clone()]);
    let mut d1b = d1.clone();
    d1b.answers = r#"{"kategori":"park"}"#.into();
    s.put_draft(&d1b).await.unwrap();
    assert_eq!(s.draft(&d1.id).await.unwrap().unwrap().answers, d1b.answers);

    // The attachments the submission names follow it; the draft's others are deleted.
    let att = Attachment {
        id: format!("a{unique}"),
        owner: owner_a.clone(),
        draft_id: d1.id.clone(),
        submission_id: None,
        field_path: "foto".into(),
        filename: "foto.jpg".into(),
        mime: "image/jpeg".into(),
        size: 4,
        sha256: "x".into(),
        created_at: now(),
    };
    s.put_attachment(&att, &[1, 2, 3, 4]).await.unwrap();
    let replaced = Attachment {
        id: format!("b{unique}"),
        ..att.clone()
    };
    s.put_attachment(&replaced, &[9]).await.unwrap();
    assert_eq!(s.attachments_of_draft(&d1.id).await.unwrap().len(), 2);

    // Submitting stores, numbers, moves attachments and removes the draft, at once.
    let mut with_file = new_submission(&d1.id, &owner_a);
    with_file.attachments = vec![blankett_runtime::store::SubmittedFile {
        id: att.id.clone(),
        field_path: "bilagor[1].fil".into(),
    }];
    let first = s.submit(with_file).await.unwrap();
    assert!(
        first.reference.starts_with("FEL-2026-"),
        "{}",
        first.reference
    );
    assert_eq!(s.draft(&d1.id).await.unwrap(), None);
    let moved = s.attachments_of_submission(&first.id).await.unwrap();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].field_path, "bilagor[1].fil");
    assert!(s.attachment(&replaced.id).await.unwrap().is_none());
    assert_eq!(
        s.attachment(&att.id).await.unwrap().unwrap().1,
        vec![1, 2, 3, 4]
    );

    // Submitting the same draft again (double click, back and resubmit) gives the same receipt.
    let again = s.submit(new_submission(&d1.id, &owner_a)).await.unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.reference, first.reference);

    // References count up per prefix and year.
    let d3 = draft(&format!("d3{unique}"), &owner_a);
    s.put_draft(&d3).await.unwrap();
    let second = s.submit(new_submission(&d3.id, &owner_a)).await.unwrap();
    assert_ne!(second.reference, first.reference);

    // Each owner sees only their own.
    assert_eq!(s.submissions_of(&owner_a).await.unwrap().len(), 2);
    assert!(s.submissions_of(&owner_b).await.unwrap().is_empty());

    s.set_status(
        &first.id,
        SubmissionStatus::Registrerad,
        Some("KS 2026/123"),
    )
    .await
    .unwrap();
    let got = s.submission(&first.id).await.unwrap().unwrap();
    assert_eq!(
        (got.status, got.case_number.as_deref()),
        (SubmissionStatus::Registrerad, Some("KS 2026/123"))
    );

    let form = format!("f{unique}");
    s.record(&Event {
        kommun: "orust".into(),
        form: form.clone(),
        kind: EventKind::Start,
        page: None,
        draft_id: None,
        at: now(),
    })
    .await
    .unwrap();
    assert_eq!(s.events("orust", &form).await.unwrap().len(), 1);

    // Retention removes what is older than the limits, and only that.
    let d4 = draft(&format!("d4{unique}"), &owner_b);
    s.put_draft(&d4).await.unwrap();
    let (drafts, subs) = s
        .purge("orust", "felanmalan", day(2000, 1, 1), day(2000, 1, 1))
        .await
        .unwrap();
    assert_eq!((drafts, subs), (0, 0));
    let (drafts, _) = s
        .purge("orust", "felanmalan", day(9999, 1, 1), day(2000, 1, 1))
        .await
        .unwrap();
    assert!(drafts >= 1);
    assert_eq!(s.draft(&d4.id).await.unwrap(), None);
    assert!(s.submission(&first.id).await.unwrap().is_some());

    signatures(&s, &unique, &first.id).await;
    invitation_mails(&s, &unique, &first.id).await;
    // A submission's signatures, co-signers and invitation mails go with it at retention.
    s.purge("orust", "felanmalan", day(2000, 1, 1), day(9999, 1, 1))
        .await
        .unwrap();
    assert!(s.signatures_of(&first.id).await.unwrap().is_empty());
    assert!(s.cosigners_of(&first.id).await.unwrap().is_empty());
    assert!(s.invitation_mails_of(&first.id).await.unwrap().is_empty());
}

async fn invitation_mails(s: &DynStore, unique: &str, submission_id: &str) {
    let t = |m: i64| now() + chrono::Duration::minutes(m);
    let mail = InvitationMail {
        id: format!("m{unique}"),
        submission_id: submission_id.into(),
        pnr: "198112289874".into(),
        email: "anna@example.se".into(),
        lang: "sv".into(),
        state: MailState::Queued,
        attempts: 0,
        next_attempt_at: t(0),
        last_error: None,
        sent_at: None,
        created_at: t(0),
    };
    s.queue_invitation_mail(&mail).await.unwrap();
    // A second invitation to the same co-signer is ignored.
    s.queue_invitation_mail(&InvitationMail {
        id: format!("n{unique}"),
        ..mail.clone()
    })
    .await
    .unwrap();
    assert_eq!(
        s.invitation_mails_of(submission_id).await.unwrap(),
        vec![mail.clone()]
    );
    // Claimed once: the lease moves its next attempt, so a second claim does not get it.
    let lease = t(10);
    let claimed = s.claim_invitation_mails(t(1), lease, 100).await.unwrap();
    let ours: Vec<_> = claimed.iter().filter(|m| m.id == mail.id).collect();
    assert_eq!(ours.len(), 1);
    assert_eq!((ours[0].attempts, &ours[0].next_attempt_at), (1, &lease));
    let again = s.claim_invitation_mails(t(1), t(10), 100).await.unwrap();
    assert!(!again.iter().any(|m| m.id == mail.id));
    // A failure waits for its retry; then it is sent, and recorded so.
    let retry_at = t(30);
    s.finish_invitation_mail(&FinishedMail {
        id: mail.id.clone(),
        state: MailState::Queued,
        next_attempt_at: retry_at,
        error: Some("connection refused".into()),
        at: t(1),
    })
    .await
    .unwrap();
    let m = s
        .invitation_mails_of(submission_id)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        (m.state, m.next_attempt_at, m.last_error.as_deref()),
        (MailState::Queued, retry_at, Some("connection refused"))
    );
    assert!(!s
        .claim_invitation_mails(t(20), t(25), 100)
        .await
        .unwrap()
        .iter()
        .any(|m| m.id == mail.id));
    let claimed = s.claim_invitation_mails(t(31), t(40), 100).await.unwrap();
    assert!(claimed.iter().any(|m| m.id == mail.id && m.attempts == 2));
    let sent_at = t(31);
    s.finish_invitation_mail(&FinishedMail {
        id: mail.id.clone(),
        state: MailState::Sent,
        next_attempt_at: sent_at,
        error: None,
        at: sent_at,
    })
    .await
    .unwrap();
    let m = s
        .invitation_mails_of(submission_id)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(m.state, MailState::Sent);
    assert_eq!(m.sent_at, Some(sent_at));
    assert_eq!(m.last_error, None);
    assert!(!s
        .claim_invitation_mails(t(100), t(110), 100)
        .await
        .unwrap()
        .iter()
        .any(|m| m.id == mail.id));
}

async fn signatures(s: &DynStore, unique: &str, submission_id: &str) {
    // An e-ID order can be read while it runs, and taken exactly once.
    let order = EidOrder {
        id: format!("o{unique}"),
        session_id: format!("s{unique}"),
        kind: EidOrderKind::Oidc,
        data: "{}".into(),
        created_at: now(),
    };
    s.put_eid_order(&order).await.unwrap();
    assert_eq!(s.eid_order(&order.id).await.unwrap(), Some(order.clone()));
    assert_eq!(
        s.take_eid_order(&order.id).await.unwrap(),
        Some(order.clone())
    );
    assert_eq!(s.take_eid_order(&order.id).await.unwrap(), None);
    assert_eq!(s.eid_order(&order.id).await.unwrap(), None);

    // One signature per person and submission; a second is ignored.
    let sig = Signature {
        id: format!("g{unique}"),
        submission_id: submission_id.into(),
        role: SignatureRole::Applicant,
        signer_pnr: "191212121212".into(),
        signer_name: "Tolvan Tolvansson".into(),
        digest: "d".into(),
        signature: "c2ln".into(),
        ocsp_response: "b2NzcA==".into(),
        signed_at: now(),
    };
    assert!(s.put_signature(&sig).await.unwrap());
    let again = Signature {
        id: format!("h{unique}"),
        ..sig.clone()
    };
    assert!(!s.put_signature(&again).await.unwrap());
    assert_eq!(s.signatures_of(submission_id).await.unwrap(), vec![sig]);

    let c = Cosigner {
        submission_id: submission_id.into(),
        pnr: "198112289874".into(),
        invite: format!("i{unique}"),
        deadline: now(),
    };
    s.put_cosigner(&c).await.unwrap();
    assert_eq!(
        s.cosigners_of(submission_id).await.unwrap(),
        vec![c.clone()]
    );
    assert_eq!(s.cosigner_by_invite(&c.invite).await.unwrap(), Some(c));
    assert_eq!(s.cosigner_by_invite("no such invite").await.unwrap(), None);

    // Completion moves a waiting submission once; a received one does not move.
    assert!(!s.mark_fully_signed(submission_id).await.unwrap());
    s.set_status(submission_id, SubmissionStatus::VantarPaUnderskrift, None)
        .await
        .unwrap();
    assert!(s.mark_fully_signed(submission_id).await.unwrap());
    assert!(!s.mark_fully_signed(submission_id).await.unwrap());
    assert_eq!(
        s.submission(submission_id).await.unwrap().unwrap().status,
        SubmissionStatus::Mottagen
    );

    // Abandoned e-ID orders go at retention.
    s.put_eid_order(&EidOrder {
        id: format!("old{unique}"),
        created_at: day(2000, 1, 1),
        ..order
    })
    .await
    .unwrap();
    assert!(s.purge_eid_orders(day(2001, 1, 1)).await.unwrap() >= 1);
    assert_eq!(s.eid_order(&format!("old{unique}")).await.unwrap(), None);
}

#[tokio::test]
async fn sqlite_store() {
    let dir = std::env::temp_dir().join(format!("blankett-store-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let s = store::open(dir.join("blankett.db").to_str().unwrap())
        .await
        .unwrap();
    suite(s).await;
}

#[tokio::test]
async fn postgres_store() {
    let Ok(url) = std::env::var("BLANKETT_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set BLANKETT_TEST_POSTGRES to a PostgreSQL server"
        );
        eprintln!(
            "BLANKETT_TEST_POSTGRES is not set: skipping the PostgreSQL run of the store suite"
        );
        return;
    };
    let s = store::open(&url).await.unwrap();
    suite(s).await;
}

/// Rows as the version before sqlx's migrator wrote them: times by `to_rfc3339` (`+00:00`,
/// nine digits here) and, in the outbox and the invitation mails, with six digits and a `Z`.
const OLD_ROWS: &str = "
INSERT INTO sessions (id, person_pnr, person_name, csrf, created_at, last_seen_at)
  VALUES ('old-session', '191212121212', 'Tolvan', 't', '2026-01-02T03:04:05.123456789+00:00', '2026-01-02T03:04:05+00:00');
INSERT INTO submissions (id, reference, draft_id, owner, kommun, form, form_version, form_hash, answers, xml, json, status, case_number, submitted_at)
  VALUES ('old-sub', 'OLD-2026-000001', 'old-draft', 'pnr:191212121212', 'orust', 'old', '1', 'h', '{}', '<x/>', '{}', 'vantar_pa_underskrift', NULL, '2026-01-02T03:04:05.500+00:00');
INSERT INTO counters (name, value) VALUES ('OLD-2026', 1);
INSERT INTO delivery_jobs (id, submission_id, target, tx_id, corr_id, state, attempts, next_attempt_at, lease_until, lease_owner, last_error, created_at, delivered_at)
  VALUES ('old-job', 'old-sub', 'old-target', 'old-tx', 'old-sub', 'queued', 0, '2026-01-02T03:04:05.123000Z', NULL, NULL, NULL, '2026-01-02T03:04:05.000000Z', NULL);
INSERT INTO delivery_canaries (target, ok, detail, checked_at, last_ok_at)
  VALUES ('old-target', 1, NULL, '2026-01-02T03:04:05.123456Z', '2026-01-02T03:04:05.123456Z');
INSERT INTO invitation_mails (id, submission_id, pnr, email, lang, state, attempts, next_attempt_at, last_error, sent_at, created_at)
  VALUES ('old-mail', 'old-sub', '198112289874', 'anna@example.se', 'sv', 'queued', 0, '2026-01-02T03:04:05.000001Z', NULL, NULL, '2026-01-02T03:04:05.000001Z');
INSERT INTO cosigners (submission_id, pnr, invite, deadline) VALUES ('old-sub', '198112289874', 'old-invite', '2026-01-16T03:04:05.123456789+00:00');
";

/// Makes the schema as the old migration runner did: its files, in one go each, and its table.
async fn old_runner_database<C>(conn: &mut C, files: [&str; 4], version_type: &str)
where
    for<'c> &'c mut C: sqlx::Executor<'c>,
{
    for sql in files {
        sqlx::raw_sql(sql).execute(&mut *conn).await.unwrap();
    }
    sqlx::raw_sql(&format!(
        "CREATE TABLE blankett_migrations (version {version_type} PRIMARY KEY);
         INSERT INTO blankett_migrations (version) VALUES (1), (2), (4), (7);"
    ))
    .execute(&mut *conn)
    .await
    .unwrap();
    sqlx::raw_sql(OLD_ROWS).execute(&mut *conn).await.unwrap();
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
}

/// What a database of the old runner holds reads back, compares as the time it is, and takes
/// new rows.
async fn old_rows_read_and_new_ones_are_written(s: DynStore) {
    let sess = s.session("old-session").await.unwrap().unwrap();
    // SQLite keeps the nanoseconds; PostgreSQL rounds to microseconds.
    assert_eq!(
        sess.created_at.round_subsecs(6),
        at("2026-01-02T03:04:05.123457Z")
    );
    assert_eq!(sess.last_seen_at, at("2026-01-02T03:04:05Z"));
    let sub = s.submission("old-sub").await.unwrap().unwrap();
    assert_eq!(sub.status, SubmissionStatus::VantarPaUnderskrift);
    assert_eq!(sub.submitted_at, at("2026-01-02T03:04:05.5Z"));
    let job = s.delivery_job("old-job").await.unwrap().unwrap();
    assert_eq!(job.next_attempt_at, at("2026-01-02T03:04:05.123Z"));
    assert_eq!(job.state.as_str(), "queued");
    let canary = s.canaries().await.unwrap().remove(0);
    assert!(canary.ok);
    assert_eq!(canary.last_ok_at, Some(at("2026-01-02T03:04:05.123456Z")));
    let deadline = s.cosigners_of("old-sub").await.unwrap().remove(0).deadline;
    assert!(deadline > at("2026-01-16T03:04:05.123456Z"));

    // Due at the very time it was stored for, not a microsecond later: the old `Z` text and
    // the time compared with it are one format now.
    let claimed = s
        .claim_deliveries(&store::Claim {
            target: "old-target".into(),
            owner: "w".into(),
            now: at("2026-01-02T03:04:05.123Z"),
            lease_until: at("2026-01-02T03:05:05Z"),
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let mails = s
        .claim_invitation_mails(at("2026-01-02T03:04:05Z"), at("2026-01-02T03:09:05Z"), 10)
        .await
        .unwrap();
    assert!(mails.is_empty(), "not due until a microsecond later");
    let mails = s
        .claim_invitation_mails(
            at("2026-01-02T03:04:05.000001Z"),
            at("2026-01-02T03:09:05Z"),
            10,
        )
        .await
        .unwrap();
    assert_eq!(mails.len(), 1);

    // New writes: a session, the old submission's completion, a new submission numbered after
    // the old one, with a delivery job.
    let fresh = Session {
        id: "new-session".into(),
        person_pnr: None,
        person_name: None,
        person_given_name: None,
        person_family_name: None,
        csrf: "t".into(),
        created_at: now(),
        last_seen_at: now(),
    };
    s.put_session(&fresh).await.unwrap();
    assert_eq!(s.session("new-session").await.unwrap(), Some(fresh));
    assert!(s.mark_fully_signed("old-sub").await.unwrap());
    let d = draft("new-draft", "pnr:191212121212");
    s.put_draft(&d).await.unwrap();
    let mut n = new_submission("new-draft", "pnr:191212121212");
    n.reference_prefix = "OLD".into();
    n.delivery_targets = vec!["old-target".into()];
    let new = s.submit(n).await.unwrap();
    assert!(new.reference.ends_with("-000002"), "{}", new.reference);
    let jobs = s.waiting_deliveries("old-target", 10).await.unwrap();
    assert_eq!(
        jobs.iter().map(|j| j.id.as_str()).next(),
        Some("old-job"),
        "the old job is the oldest"
    );
    assert_eq!(jobs.len(), 2);
}

#[tokio::test]
async fn a_sqlite_database_of_the_old_migration_runner_opens() {
    use sqlx::Connection;
    let dir = std::env::temp_dir().join(format!("blankett-old-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("blankett.db");
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .unwrap();
    let files = [
        include_str!("../migrations/sqlite/0001_init.sql"),
        include_str!("../migrations/sqlite/0002_outbox.sql"),
        include_str!("../migrations/sqlite/0004_signatures.sql"),
        include_str!("../migrations/sqlite/0007_invitation_mails.sql"),
    ];
    old_runner_database(&mut conn, files, "INTEGER").await;
    conn.close().await.unwrap();
    let url = path.to_str().unwrap();
    old_rows_read_and_new_ones_are_written(store::open(url).await.unwrap()).await;
    // Opened again: nothing left to migrate, nothing lost.
    let s = store::open(url).await.unwrap();
    assert!(s.session("new-session").await.unwrap().is_some());
}

#[tokio::test]
async fn a_postgres_database_of_the_old_migration_runner_opens() {
    use sqlx::Connection;
    let Ok(url) = std::env::var("BLANKETT_TEST_POSTGRES") else {
        eprintln!("BLANKETT_TEST_POSTGRES is not set: skipping");
        return;
    };
    // A database of its own: the suite's shares one schema, migrated by sqlx already.
    let name = format!("blankett_old_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    let old_url = format!("{base}/{name}");
    let mut conn = sqlx::PgConnection::connect(&old_url).await.unwrap();
    let files = [
        include_str!("../migrations/postgres/0001_init.sql"),
        include_str!("../migrations/postgres/0002_outbox.sql"),
        include_str!("../migrations/postgres/0004_signatures.sql"),
        include_str!("../migrations/postgres/0007_invitation_mails.sql"),
    ];
    old_runner_database(&mut conn, files, "BIGINT").await;
    conn.close().await.unwrap();
    old_rows_read_and_new_ones_are_written(store::open(&old_url).await.unwrap()).await;
    let s = store::open(&old_url).await.unwrap();
    assert!(s.session("new-session").await.unwrap().is_some());
    drop(s);
    let _ = sqlx::raw_sql(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await;
}

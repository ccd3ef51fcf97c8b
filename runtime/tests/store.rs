//! One store suite, run against SQLite always and against PostgreSQL when
//! `BLANKETT_TEST_POSTGRES` names a server (CI starts one and sets it).

use blankett_runtime::store::{
    self, Attachment, Cosigner, Draft, DynStore, EidOrder, Event, FinishedMail, InvitationMail,
    NewSubmission, Session, Signature, Submission,
};

fn now() -> String {
    chrono::Utc::now().to_rfc3339()
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
            status: "mottagen".into(),
            case_number: None,
            submitted_at: now(),
        },
        reference_prefix: "FEL".into(),
        year: 2026,
        delivery_targets: Vec::new(),
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

    // Attachments follow their draft into the submission.
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
    assert_eq!(s.attachments_of_draft(&d1.id).await.unwrap().len(), 1);

    // Submitting stores, numbers, moves attachments and removes the draft, at once.
    let first = s.submit(new_submission(&d1.id, &owner_a)).await.unwrap();
    assert!(
        first.reference.starts_with("FEL-2026-"),
        "{}",
        first.reference
    );
    assert_eq!(s.draft(&d1.id).await.unwrap(), None);
    let moved = s.attachments_of_submission(&first.id).await.unwrap();
    assert_eq!(moved.len(), 1);
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

    s.set_status(&first.id, "registrerad", Some("KS 2026/123"))
        .await
        .unwrap();
    let got = s.submission(&first.id).await.unwrap().unwrap();
    assert_eq!(
        (got.status.as_str(), got.case_number.as_deref()),
        ("registrerad", Some("KS 2026/123"))
    );

    let form = format!("f{unique}");
    s.record(&Event {
        kommun: "orust".into(),
        form: form.clone(),
        kind: "start".into(),
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
        .purge("orust", "felanmalan", "2000-01-01", "2000-01-01")
        .await
        .unwrap();
    assert_eq!((drafts, subs), (0, 0));
    let (drafts, _) = s
        .purge("orust", "felanmalan", "9999-01-01", "2000-01-01")
        .await
        .unwrap();
    assert!(drafts >= 1);
    assert_eq!(s.draft(&d4.id).await.unwrap(), None);
    assert!(s.submission(&first.id).await.unwrap().is_some());

    signatures(&s, &unique, &first.id).await;
    invitation_mails(&s, &unique, &first.id).await;
    // A submission's signatures, co-signers and invitation mails go with it at retention.
    s.purge("orust", "felanmalan", "2000-01-01", "9999-01-01")
        .await
        .unwrap();
    assert!(s.signatures_of(&first.id).await.unwrap().is_empty());
    assert!(s.cosigners_of(&first.id).await.unwrap().is_empty());
    assert!(s.invitation_mails_of(&first.id).await.unwrap().is_empty());
}

async fn invitation_mails(s: &DynStore, unique: &str, submission_id: &str) {
    let t = |m: i64| store::utc_stamp(chrono::Utc::now() + chrono::Duration::minutes(m));
    let mail = InvitationMail {
        id: format!("m{unique}"),
        submission_id: submission_id.into(),
        pnr: "198112289874".into(),
        email: "anna@example.se".into(),
        lang: "sv".into(),
        state: "queued".into(),
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
    let claimed = s.claim_invitation_mails(&t(1), &lease, 100).await.unwrap();
    let ours: Vec<_> = claimed.iter().filter(|m| m.id == mail.id).collect();
    assert_eq!(ours.len(), 1);
    assert_eq!((ours[0].attempts, &ours[0].next_attempt_at), (1, &lease));
    let again = s.claim_invitation_mails(&t(1), &t(10), 100).await.unwrap();
    assert!(!again.iter().any(|m| m.id == mail.id));
    // A failure waits for its retry; then it is sent, and recorded so.
    let retry_at = t(30);
    s.finish_invitation_mail(&FinishedMail {
        id: mail.id.clone(),
        state: "queued".into(),
        next_attempt_at: retry_at.clone(),
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
        (
            m.state.as_str(),
            m.next_attempt_at.as_str(),
            m.last_error.as_deref()
        ),
        ("queued", retry_at.as_str(), Some("connection refused"))
    );
    assert!(!s
        .claim_invitation_mails(&t(20), &t(25), 100)
        .await
        .unwrap()
        .iter()
        .any(|m| m.id == mail.id));
    let claimed = s.claim_invitation_mails(&t(31), &t(40), 100).await.unwrap();
    assert!(claimed.iter().any(|m| m.id == mail.id && m.attempts == 2));
    let sent_at = t(31);
    s.finish_invitation_mail(&FinishedMail {
        id: mail.id.clone(),
        state: "sent".into(),
        next_attempt_at: sent_at.clone(),
        error: None,
        at: sent_at.clone(),
    })
    .await
    .unwrap();
    let m = s
        .invitation_mails_of(submission_id)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(m.state, "sent");
    assert_eq!(m.sent_at, Some(sent_at));
    assert_eq!(m.last_error, None);
    assert!(!s
        .claim_invitation_mails(&t(100), &t(110), 100)
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
        kind: "oidc".into(),
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
        role: "applicant".into(),
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
    s.set_status(submission_id, "vantar_pa_underskrift", None)
        .await
        .unwrap();
    assert!(s.mark_fully_signed(submission_id).await.unwrap());
    assert!(!s.mark_fully_signed(submission_id).await.unwrap());
    assert_eq!(
        s.submission(submission_id).await.unwrap().unwrap().status,
        "mottagen"
    );

    // Abandoned e-ID orders go at retention.
    s.put_eid_order(&EidOrder {
        id: format!("old{unique}"),
        created_at: "2000-01-01T00:00:00+00:00".into(),
        ..order
    })
    .await
    .unwrap();
    assert!(s.purge_eid_orders("2001-01-01").await.unwrap() >= 1);
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

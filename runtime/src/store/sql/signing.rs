//! `SigningStore`.

use super::{forward, Col, Db, Sql};
use crate::store::{
    Cosigner, EidOrder, EidOrderKind, Result, Signature, SignatureRole, SigningStore,
};
use crate::submission::SubmissionStatus;
use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

const EID_ORDER_COLS: &str = "id, session_id, kind, data, created_at";
const SIGNATURE_COLS: &str = "id, submission_id, role, signer_pnr, signer_name, digest, \
     signature, ocsp_response, signed_at";
const COSIGNER_COLS: &str = "submission_id, pnr, invite, deadline";

impl<DB: Db> Sql<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> &'r str: ColumnIndex<DB::Row>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    String: Col<DB>,
    Option<String>: Col<DB>,
    DateTime<Utc>: Col<DB>,
    Option<DateTime<Utc>>: Col<DB>,
    SubmissionStatus: Col<DB>,
    EidOrderKind: Col<DB>,
    SignatureRole: Col<DB>,
{
    async fn put_eid_order(&self, o: &EidOrder) -> Result<()> {
        let q = format!("INSERT INTO eid_orders ({EID_ORDER_COLS}) VALUES ($1, $2, $3, $4, $5)");
        sqlx::query(&q)
            .bind(&o.id)
            .bind(&o.session_id)
            .bind(o.kind)
            .bind(&o.data)
            .bind(o.created_at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn eid_order(&self, id: &str) -> Result<Option<EidOrder>> {
        let q = format!("SELECT {EID_ORDER_COLS} FROM eid_orders WHERE id = $1");
        Ok(sqlx::query_as(&q)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn take_eid_order(&self, id: &str) -> Result<Option<EidOrder>> {
        let q = format!("DELETE FROM eid_orders WHERE id = $1 RETURNING {EID_ORDER_COLS}");
        Ok(sqlx::query_as(&q)
            .bind(id)
            .fetch_optional(&self.writer)
            .await?)
    }

    async fn purge_eid_orders(&self, before: DateTime<Utc>) -> Result<u64> {
        let r = sqlx::query("DELETE FROM eid_orders WHERE created_at < $1")
            .bind(before)
            .execute(&self.writer)
            .await?;
        Ok(DB::rows_affected(&r))
    }

    async fn put_signature(&self, s: &Signature) -> Result<bool> {
        let q = format!(
            "INSERT INTO signatures ({SIGNATURE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (submission_id, signer_pnr) DO NOTHING"
        );
        let r = sqlx::query(&q)
            .bind(&s.id)
            .bind(&s.submission_id)
            .bind(s.role)
            .bind(&s.signer_pnr)
            .bind(&s.signer_name)
            .bind(&s.digest)
            .bind(&s.signature)
            .bind(&s.ocsp_response)
            .bind(s.signed_at)
            .execute(&self.writer)
            .await?;
        Ok(DB::rows_affected(&r) == 1)
    }

    async fn signatures_of(&self, submission_id: &str) -> Result<Vec<Signature>> {
        let q = format!(
            "SELECT {SIGNATURE_COLS} FROM signatures WHERE submission_id = $1 ORDER BY signed_at, id"
        );
        Ok(sqlx::query_as(&q)
            .bind(submission_id)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn put_cosigner(&self, c: &Cosigner) -> Result<()> {
        let q = format!(
            "INSERT INTO cosigners ({COSIGNER_COLS}) VALUES ($1, $2, $3, $4)
             ON CONFLICT (submission_id, pnr) DO NOTHING"
        );
        sqlx::query(&q)
            .bind(&c.submission_id)
            .bind(&c.pnr)
            .bind(&c.invite)
            .bind(c.deadline)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn cosigners_of(&self, submission_id: &str) -> Result<Vec<Cosigner>> {
        let q =
            format!("SELECT {COSIGNER_COLS} FROM cosigners WHERE submission_id = $1 ORDER BY pnr");
        Ok(sqlx::query_as(&q)
            .bind(submission_id)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn cosigner_by_invite(&self, invite: &str) -> Result<Option<Cosigner>> {
        let q = format!("SELECT {COSIGNER_COLS} FROM cosigners WHERE invite = $1");
        Ok(sqlx::query_as(&q)
            .bind(invite)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn mark_fully_signed(&self, submission_id: &str) -> Result<bool> {
        let r = sqlx::query("UPDATE submissions SET status = $2 WHERE id = $1 AND status = $3")
            .bind(submission_id)
            .bind(SubmissionStatus::Mottagen)
            .bind(SubmissionStatus::VantarPaUnderskrift)
            .execute(&self.writer)
            .await?;
        Ok(DB::rows_affected(&r) == 1)
    }
}

forward!(SigningStore {
    fn put_eid_order(&self, o: &EidOrder) -> Result<()>;
    fn eid_order(&self, id: &str) -> Result<Option<EidOrder>>;
    fn take_eid_order(&self, id: &str) -> Result<Option<EidOrder>>;
    fn purge_eid_orders(&self, before: DateTime<Utc>) -> Result<u64>;
    fn put_signature(&self, s: &Signature) -> Result<bool>;
    fn signatures_of(&self, submission_id: &str) -> Result<Vec<Signature>>;
    fn put_cosigner(&self, c: &Cosigner) -> Result<()>;
    fn cosigners_of(&self, submission_id: &str) -> Result<Vec<Cosigner>>;
    fn cosigner_by_invite(&self, invite: &str) -> Result<Option<Cosigner>>;
    fn mark_fully_signed(&self, submission_id: &str) -> Result<bool>;
});

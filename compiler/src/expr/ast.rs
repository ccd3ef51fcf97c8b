use crate::source::Span;
use serde::{Deserialize, Serialize};
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ExprKind {
    Number(f64),
    Text(String),
    Bool(bool),
    Date(chrono::NaiveDate),
    List(Vec<Expr>),
    Ref(Ref),
    Call(Call),
}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ref {
    pub segments: Vec<Segment>,
    pub resolved: Option<String>,
}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub name: String,
    pub span: Span,
    pub all: bool,
}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub name: String,
    pub name_span: Span,
    pub args: Vec<Expr>,
}
impl Expr {
    pub fn refs(&self) -> Vec<&Ref> {
        vec![]
    }
}

mod status;
pub use status::SubmissionStatus;

//! Where a submission stands, as the store keeps it and Mina sidor shows it.

crate::store::text_enum! {
    /// A submission's status. The text (`as_str`) is what the store and JSON hold.
    pub enum SubmissionStatus {
        /// Stored and complete; to be delivered (or nothing is delivered for the form).
        Mottagen = "mottagen",
        /// Every delivery target has it; a reply may still come.
        Levererad = "levererad",
        /// The case system registered it under a case number.
        Registrerad = "registrerad",
        /// The receiver refused it.
        Leveransfel = "leveransfel",
        /// Stored, waiting for co-signers' signatures (`signing: guardians`).
        VantarPaUnderskrift = "vantar_pa_underskrift",
        /// Withdrawn by the applicant while it waited for signatures.
        Aterkallad = "aterkallad",
        /// Not signed by every co-signer before the deadline.
        Utgangen = "utgangen",
    }
}

impl SubmissionStatus {
    /// The status as Mina sidor words it, in Swedish or (`lang` = `en`) English.
    pub fn label(self, lang: &str) -> &'static str {
        use SubmissionStatus::*;
        let en = lang == "en";
        match (self, en) {
            (Mottagen, false) => "Mottagen",
            (Mottagen, true) => "Received",
            (Levererad, false) => "Levererad till handläggare",
            (Levererad, true) => "Delivered to the case officer",
            (Registrerad, false) => "Registrerad",
            (Registrerad, true) => "Registered",
            (VantarPaUnderskrift, false) => "Väntar på underskrift",
            (VantarPaUnderskrift, true) => "Waiting for signature",
            (Aterkallad, false) => "Återkallad",
            (Aterkallad, true) => "Withdrawn",
            (Utgangen, false) => "Inte underskriven i tid",
            (Utgangen, true) => "Not signed in time",
            (Leveransfel, false) => "Under behandling",
            (Leveransfel, true) => "In progress",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SubmissionStatus;

    #[test]
    fn the_text_reads_back() {
        for s in SubmissionStatus::ALL {
            assert_eq!(s.as_str().parse::<SubmissionStatus>().unwrap(), *s);
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert!("received".parse::<SubmissionStatus>().is_err());
    }
}

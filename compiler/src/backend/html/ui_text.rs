//! Every text of the interface itself, in Swedish and English, in one table: so a
//! translation is checked in one place and a template never holds words of its own.
//!
//! The form's own texts (labels, hints, titles) come from the form. Swedish wording follows
//! DIGG's webbriktlinjer and Språkrådet: "Fel:" before messages, "(valfritt)" for optional
//! fields, plain verbs on buttons.

use std::collections::BTreeMap;

/// `(key, Swedish, English)`. `{n}` and `{name}` are filled in by the caller.
const TEXTS: &[(&str, &str, &str)] = &[
    ("skip_link", "Hoppa till huvudinnehållet", "Skip to main content"),
    ("error_prefix", "Fel: ", "Error: "),
    ("optional", "(valfritt)", "(optional)"),
    ("warning_prefix", "Varning: ", "Warning: "),
    ("warning_summary", "Kontrollera innan du fortsätter", "Check before you continue"),
    ("warning_summary_help", "Ändra svaret om det behövs. Går du vidare skickas svaret som det är.", "Change the answer if you need to. If you continue, the answer is sent as it is."),
    ("check_warnings", "Tänk på det här innan du skickar", "Think about this before you send"),
    ("locked_hint", "Hämtat från din e-legitimation.", "From your e-ID."),
    ("stop_start_again", "Till e-tjänstens början", "To the start of the e-service"),
    ("back", "Tillbaka", "Back"),
    ("continue", "Fortsätt", "Continue"),
    ("save_later", "Spara och fortsätt senare", "Save and continue later"),
    ("start", "Starta", "Start now"),
    ("you_need", "Det här behöver du", "What you need"),
    ("duration", "Det tar ungefär {n} minuter.", "It takes about {n} minutes."),
    ("duration_one", "Det tar ungefär en minut.", "It takes about one minute."),
    ("eid_required", "Du behöver logga in med e-legitimation, till exempel BankID.", "You need to log in with an e-ID, for example BankID."),
    ("eid_optional", "Du kan logga in med e-legitimation om du vill, men du behöver inte.", "You can log in with an e-ID if you want to, but you do not have to."),
    ("eid_none", "Du behöver inte logga in.", "You do not need to log in."),
    ("sign_applicant", "Du signerar ansökan med din e-legitimation innan du skickar den.", "You sign the application with your e-ID before you send it."),
    ("sign_guardians", "Har barnet två vårdnadshavare ska båda signera ansökan med e-legitimation.", "If the child has two guardians, both must sign the application with an e-ID."),
    ("sign_signers", "Du signerar ansökan med din e-legitimation. Ska fler skriva under får de en länk, och ansökan skickas när alla har skrivit under.", "You sign the application with your e-ID. If others are to sign, they get a link, and the application is sent when everyone has signed."),
    ("before_start", "Innan du börjar", "Before you start"),
    ("error_summary_one", "Det finns 1 fel i formuläret", "There is 1 problem"),
    ("error_summary_many", "Det finns {n} fel i formuläret", "There are {n} problems"),
    ("error_summary_help", "Rätta felen för att gå vidare.", "Correct them to continue."),
    ("day", "Dag", "Day"),
    ("month", "Månad", "Month"),
    ("year", "År", "Year"),
    ("date_hint", "Till exempel 27 3 2026.", "For example 27 3 2026."),
    ("yes", "Ja", "Yes"),
    ("no", "Nej", "No"),
    ("use_position", "Använd min position", "Use my location"),
    ("latitude", "Latitud", "Latitude"),
    ("longitude", "Longitud", "Longitude"),
    ("position_hint", "Eller skriv in koordinaterna, till exempel latitud 58,10 och longitud 11,79.", "Or enter the coordinates, for example latitude 58.10 and longitude 11.79."),
    ("file_current", "Uppladdad fil: {name}. Välj en ny fil bara om du vill byta.", "Uploaded file: {name}. Only choose a new file if you want to replace it."),
    ("files_current", "Du har laddat upp {n} av högst {max} filer.", "You have uploaded {n} of at most {max} files."),
    ("count_empty", "Du kan skriva upp till {n} tecken", "You can enter up to {n} characters"),
    ("count_left_one", "Du har 1 tecken kvar", "You have 1 character remaining"),
    ("count_left", "Du har {n} tecken kvar", "You have {n} characters remaining"),
    ("count_over_one", "Du har 1 tecken för mycket", "You have 1 character too many"),
    ("count_over", "Du har {n} tecken för mycket", "You have {n} characters too many"),
    ("row", "Rad {n}", "Row {n}"),
    ("row_of", "{name}, rad {n}", "{name}, row {n}"),
    ("add_row", "Lägg till en rad", "Add a row"),
    ("remove", "Ta bort", "Remove"),
    ("remove_row", "rad {n}", "row {n}"),
    ("money_suffix", "kr", "SEK"),
    ("check_title", "Kontrollera dina svar innan du skickar", "Check your answers before sending"),
    ("check_change", "Ändra", "Change"),
    ("not_answered", "Inte besvarad", "Not answered"),
    ("check_send_title", "Skicka in", "Send"),
    ("check_send_text", "Genom att skicka in intygar du att uppgifterna är riktiga.", "By sending you confirm that the information is correct."),
    ("send", "Skicka in", "Send"),
    ("send_and_sign", "Signera och skicka in", "Sign and send"),
    ("check_errors", "Det saknas svar eller något behöver rättas. Välj frågan för att ändra svaret.", "Some answers are missing or need correcting. Choose a question to change your answer."),
    ("receipt_title", "Tack! Vi har tagit emot det du skickade", "Thank you, we have received what you sent"),
    ("receipt_reference", "Ditt referensnummer", "Your reference number"),
    ("receipt_submitted", "Skickat {when}", "Sent {when}"),
    ("receipt_next_title", "Vad händer nu?", "What happens next"),
    ("receipt_next", "Kommunen registrerar ärendet och en handläggare går igenom det. Vi hör av oss om något saknas. Ange referensnumret om du kontaktar oss.", "The municipality registers the case and an officer reviews it. We will contact you if anything is missing. Give the reference number if you contact us."),
    ("receipt_next_signers", "Ska fler skriva under ansökan får de en länk att skriva under med. Vi behandlar ansökan när alla har skrivit under.", "If others are to sign the application, they get a link to sign with. We handle the application when everyone has signed."),
    ("receipt_next_guardians", "Den andra vårdnadshavaren får ett meddelande om att signera ansökan. Vi behandlar ansökan när båda har signerat.", "The other guardian gets a message asking them to sign the application. We handle the application when both have signed."),
    ("receipt_answers", "Det här skickade du", "What you sent"),
    ("print", "Skriv ut kvittot", "Print the receipt"),
    ("print_nojs", "Du kan skriva ut sidan med webbläsarens utskriftsfunktion.", "You can print this page with your browser's print function."),
    ("language", "Språk", "Language"),
    ("logged_in_as", "Inloggad som", "Logged in as"),
    ("log_out", "Logga ut", "Log out"),
    ("contact", "Kontakta {name}", "Contact {name}"),
    ("email", "E-post", "Email"),
    ("phone", "Telefon", "Phone"),
    ("web", "Webbplats", "Website"),
    ("accessibility", "Tillgänglighetsredogörelse", "Accessibility statement"),
    ("a11y_intro", "{name} står bakom den här e-tjänsten. Vi vill att så många som möjligt ska kunna använda den. Här beskriver vi hur e-tjänsten uppfyller lagen om tillgänglighet till digital offentlig service, kända brister och hur du kan rapportera problem.", "{name} is responsible for this e-service. We want as many people as possible to be able to use it. This statement describes how the e-service meets the Swedish law on accessibility of digital public services, known problems, and how you can report problems."),
    ("a11y_status_title", "Hur tillgänglig är e-tjänsten?", "How accessible is the e-service?"),
    ("a11y_status", "E-tjänsten är utformad för att uppfylla WCAG 2.1 nivå AA. Den fungerar utan JavaScript, med skärmläsare, med tangentbord och i förstoring upp till 400 procent.", "The e-service is designed to meet WCAG 2.1 level AA. It works without JavaScript, with screen readers, with a keyboard and at up to 400 percent zoom."),
    ("a11y_known_title", "Kända brister", "Known problems"),
    ("a11y_known", "Knappen för att välja fil visas på webbläsarens språk, inte på sidans.", "The button for choosing a file is shown in the browser's language, not the page's."),
    ("a11y_report_title", "Rapportera brister", "Report problems"),
    ("a11y_report", "Om du upptäcker problem som inte beskrivs här, eller om du behöver innehållet i ett annat format, kontakta oss:", "If you find a problem not described here, or need the content in another format, contact us:"),
    ("a11y_digg_title", "Tillsyn", "Enforcement"),
    ("a11y_digg", "Myndigheten för digital förvaltning (DIGG) ansvarar för tillsynen av lagen. Om du inte är nöjd med hur vi hanterar dina synpunkter kan du anmäla det till DIGG.", "The Agency for Digital Government (DIGG) enforces the law. If you are not satisfied with how we handle your feedback, you can report it to DIGG."),
    ("a11y_digg_link", "Anmäl bristande tillgänglighet till DIGG", "Report inaccessibility to DIGG"),
    ("a11y_tested_title", "Hur vi testat e-tjänsten", "How we tested the e-service"),
    ("a11y_tested", "Varje sida testas automatiskt med axe och Nu HTML Checker, med och utan JavaScript, varje gång e-tjänsten byggs.", "Every page is tested automatically with axe and the Nu HTML Checker, with and without JavaScript, every time the e-service is built."),
];

/// The text for `key` in `lang` (English only when asked for; Swedish otherwise).
pub fn t(lang: &str, key: &str) -> &'static str {
    TEXTS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, sv, en)| if lang == "en" { *en } else { *sv })
        .unwrap_or_else(|| panic!("no interface text `{key}`"))
}

/// `t` with `{n}` replaced.
pub fn tn(lang: &str, key: &str, n: impl std::fmt::Display) -> String {
    t(lang, key).replace("{n}", &n.to_string())
}

/// Every text in `lang`, for the templates (`ui.continue`).
pub fn all(lang: &str) -> BTreeMap<&'static str, &'static str> {
    TEXTS
        .iter()
        .map(|(k, sv, en)| (*k, if lang == "en" { *en } else { *sv }))
        .collect()
}

/// Swedish and English month names, for dates people read ("27 mars 2026").
pub fn month(lang: &str, m: u32) -> &'static str {
    const SV: [&str; 12] = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let i = (m.clamp(1, 12) - 1) as usize;
    if lang == "en" {
        EN[i]
    } else {
        SV[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_languages_are_written() {
        let mut seen = std::collections::BTreeSet::new();
        for (k, sv, en) in TEXTS {
            assert!(seen.insert(k), "`{k}` twice");
            assert!(!sv.is_empty() && !en.is_empty(), "`{k}` lacks a language");
            // A placeholder in one language must be in the other, or a number goes missing.
            for p in ["{n}", "{name}", "{when}"] {
                assert_eq!(sv.contains(p), en.contains(p), "`{k}`: {p}");
            }
        }
    }
}

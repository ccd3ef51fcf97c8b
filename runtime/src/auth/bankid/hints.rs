//! What a person is told while BankID works: BankID's recommended user messages (RFA texts,
//! "Recommended Feedback to the user" in the RP guidelines), chosen by status and hint code.

/// The message for a pending or failed order. `qr` is whether the person started with the QR
/// code (another device) rather than on this device.
pub fn message(status: &str, hint: Option<&str>, qr: bool) -> &'static str {
    match (status, hint) {
        ("pending", Some("outstandingTransaction")) if qr => RFA1_QR,
        ("pending", Some("outstandingTransaction")) | ("pending", Some("noClient")) => RFA13,
        ("pending", Some("started")) => RFA14A,
        ("pending", Some("userMrtd")) => RFA23,
        ("pending", Some("userCallConfirm")) => RFA24,
        ("pending", Some("userSign")) => RFA9,
        ("pending", _) => RFA21,
        ("failed", Some("expiredTransaction")) => RFA8,
        ("failed", Some("certificateErr")) => RFA16,
        ("failed", Some("userCancel")) => RFA6,
        ("failed", Some("cancelled")) => RFA3,
        ("failed", Some("startFailed")) => RFA17,
        ("failed", Some("userDeclinedCall")) => RFA23B,
        ("failed", Some("notSupportedByUserApp")) => RFA3B,
        ("failed", _) => RFA22,
        _ => RFA22,
    }
}

/// The message for an error answer of the API.
pub fn error_message(code: &str) -> &'static str {
    match code {
        "alreadyInProgress" => RFA4,
        "internalError" | "maintenance" | "requestTimeout" | "transport" => RFA5,
        _ => RFA22,
    }
}

pub const RFA1_QR: &str = "Starta BankID-appen i din mobil och tryck på knappen Skanna QR-kod. Rikta sedan kameran mot QR-koden.";
pub const RFA3: &str = "Åtgärden avbruten. Försök igen.";
pub const RFA3B: &str = "Din BankID-app behöver uppdateras. Uppdatera och försök igen.";
pub const RFA4: &str =
    "En identifiering eller underskrift för det här personnumret är redan påbörjad. Försök igen.";
pub const RFA5: &str = "Internt tekniskt fel. Försök igen.";
pub const RFA6: &str = "Åtgärden avbruten.";
pub const RFA8: &str = "BankID-appen svarar inte. Kontrollera att den är startad och att du har internetanslutning. Om du inte har något giltigt BankID kan du skaffa ett hos din bank. Försök sedan igen.";
pub const RFA9: &str =
    "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.";
pub const RFA13: &str = "Försöker starta BankID-appen.";
pub const RFA14A: &str = "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och inget BankID har hittats har du sannolikt inget BankID som går att använda för den aktuella identifieringen/underskriften i den här datorn. Om du har ett BankID-kort, sätt in det i kortläsaren. Om du inte har något BankID kan du skaffa ett hos din bank.";
pub const RFA16: &str = "Det BankID du försöker använda är för gammalt eller spärrat. Använd ett annat BankID eller skaffa ett nytt hos din bank.";
pub const RFA17: &str = "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden. Kontrollera att BankID-appen är uppdaterad. Om du inte har BankID-appen måste du installera den och skaffa ett BankID hos din bank.";
pub const RFA21: &str = "Identifiering eller underskrift pågår.";
pub const RFA22: &str = "Okänt fel. Försök igen.";
pub const RFA23: &str = "Fotografera och läs av din ID-handling med BankID-appen.";
pub const RFA23B: &str = "Samtalet avbröts. Försök igen.";
pub const RFA24: &str = "Bekräfta samtalet i BankID-appen.";

//! A submission's SHS message, addressed from the kommun's `kommun.yaml` (`shs.address`,
//! `shs.to`, each service's `shs_product`). The outbox builds its messages here, once, and
//! keeps the bytes: every retry sends the same tx.id.

use super::label::{Address, Party, Product, ProductId, SequenceType, Status};
use super::mime::{Message, Part};
use super::Label;
use blankett_compiler::analyse::kommun::Kommun;
use uuid::Uuid;

/// The message for one submission of `form`. `corr_id` ties its replies to it (one per
/// submission); `reference` (e.g. `OFEL-2026-0001`) travels as `<meta name="referens">` and
/// comes back in the case system's reply. Errors name the missing `kommun.yaml` setting.
pub fn submission_message(
    kommun: &Kommun,
    form: &str,
    reference: &str,
    tx_id: Uuid,
    corr_id: Uuid,
    status: Status,
    parts: Vec<Part>,
) -> Result<Message, String> {
    let yaml = kommun.dir.join("kommun.yaml");
    let from = kommun.shs_address.as_deref().ok_or_else(|| {
        format!(
            "`{}` has no `shs: {{address: …}}`: the kommun's own SHS address",
            yaml.display()
        )
    })?;
    let to = kommun.shs_to.as_deref().ok_or_else(|| {
        format!(
            "`{}` has no `shs: {{to: …}}`: the case system's SHS address",
            yaml.display()
        )
    })?;
    let product = kommun
        .shs_products
        .iter()
        .find(|(f, _)| f == form)
        .map(|(_, p)| p.as_str())
        .ok_or_else(|| {
            format!(
                "the service `{form}` in `{}` has no `shs_product` (its SHS product UUID)",
                yaml.display()
            )
        })?;
    let address = |s: &str| Address::parse(s).map_err(|e| e.to_string());
    let mut label = Label::new(
        tx_id,
        corr_id,
        Party::new(address(from)?, kommun.name.clone()),
        Party {
            address: address(to)?,
            name: None,
        },
        Product {
            id: ProductId::parse(product).map_err(|e| e.to_string())?,
            name: Some(form.to_string()),
        },
        SequenceType::Request,
    );
    label.status = status;
    label.subject = Some(reference.to_string());
    label.meta.push(("referens".into(), reference.to_string()));
    Ok(Message::new(label, parts))
}

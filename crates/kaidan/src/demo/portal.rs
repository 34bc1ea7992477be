//! The customer portal's demo (issue 18): the franchisee FR-001's own
//! administrator `customer` (its orders run through the whole history), a
//! buyer it added itself, and a payment it registered today with its
//! voucher for finance to verify; FR-008's user `customer_fr008` sees the
//! goods the allocation run locked for it, waiting for payment. Their
//! inboxes fill when `kaidan serve` relays the history's events.

use anyhow::Context;
use kaidan_app::finance::VoucherUpload;
use kaidan_app::portal::PortalUserInput;
use kaidan_app::users::NewUserInput;
use kaidan_app::{App, Ctx};
use kaidan_domain::finance::ReceiptInput;
use kaidan_domain::master::{CustomerData, PaymentMethod};
use kaidan_domain::{CustomerId, Money, Role};

use super::{DEMO_PASSWORD, data, demo_login, existing_usernames, finance::slip_png};

/// The portal user of the franchisee with goods locked for it.
pub const LOCKED_PORTAL_USER: &str = "customer_fr008";
const LOCKED_CUSTOMER: &str = "FR-008";
/// The buyer FR-001's administrator adds.
const BUYER: &str = "customer_buyer";

/// The buyer's name, as its administrator entered it.
const BUYER_NAME: &str = "采购 王敏";

/// The portal's demo logins: (user name, what it is, display name).
pub(super) fn logins() -> Vec<(&'static str, String, String)> {
    vec![
        (
            "customer",
            format!("customer, customer_admin ({})", data::PORTAL_CUSTOMER),
            data::demo_display_name(Role::Customer).to_string(),
        ),
        (
            BUYER,
            format!("customer ({})", data::PORTAL_CUSTOMER),
            BUYER_NAME.to_string(),
        ),
        (
            LOCKED_PORTAL_USER,
            format!("customer ({LOCKED_CUSTOMER})"),
            format!("加盟商 {LOCKED_CUSTOMER}"),
        ),
    ]
}

/// The portal users, on the set-up day.
pub(super) async fn users(app: &App, ctx: &Ctx) -> anyhow::Result<()> {
    let existing = existing_usernames(app, ctx).await?;
    let users = [
        ("customer", data::PORTAL_CUSTOMER, true),
        (LOCKED_PORTAL_USER, LOCKED_CUSTOMER, false),
    ];
    for (username, code, admin) in users {
        if existing.iter().any(|u| u == username) {
            continue;
        }
        let id = app.id_by_code::<CustomerData>(ctx, code).await?;
        let mut roles = vec![Role::Customer];
        if admin {
            roles.push(Role::CustomerAdmin);
        }
        app.create_user(
            ctx,
            NewUserInput {
                username: username.into(),
                display_name: if admin {
                    data::demo_display_name(Role::Customer).to_string()
                } else {
                    format!("加盟商 {code}")
                },
                password: DEMO_PASSWORD.into(),
                roles,
                customer_id: Some(CustomerId(id)),
            },
        )
        .await
        .with_context(|| format!("creating the demo portal user {username}"))?;
    }
    if !existing.iter().any(|u| u == BUYER) {
        let admin = demo_login(app, "customer").await?;
        app.create_portal_user(
            &admin,
            PortalUserInput {
                username: BUYER.into(),
                display_name: BUYER_NAME.into(),
                password: DEMO_PASSWORD.into(),
                admin: false,
            },
        )
        .await
        .context("the demo franchisee adding its buyer")?;
    }
    Ok(())
}

/// Today: FR-001 registers a transfer with its bank slip on the portal.
pub(super) async fn payment(app: &App) -> anyhow::Result<()> {
    let portal = demo_login(app, "customer").await?;
    let customer = portal
        .actor
        .customer_id
        .context("the portal user's customer")?;
    let input = ReceiptInput {
        customer_id: customer,
        payer: "深圳鹏程服饰有限公司".into(),
        method: PaymentMethod::BankTransfer,
        amount: Money::yuan(20_000),
        received_on: app.today_date(),
        bank_reference: Some("DEMO-PORTAL-1".into()),
        note: Some("门户登记:本月货款".into()),
    };
    let voucher = VoucherUpload {
        file_name: "转账回单.png".into(),
        content_type: Some("image/png".into()),
        bytes: slip_png(),
    };
    app.register_receipt(&portal, &input, Some(voucher))
        .await
        .context("the demo portal payment")?;
    Ok(())
}

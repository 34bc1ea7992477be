//! The demo's webhook (issue 18): a receiver inside the `kaidan demo`
//! process, on a free local port, and a subscription that sends it the
//! company's order, shipment and invoice events, signed. Its page lists
//! what arrived; Kaidan's webhook pages show the deliveries.

use anyhow::Context;
use kaidan_app::{App, Ctx};
use kaidan_domain::events::SubscriptionInput;
use kaidan_events::receiver::Receiver;

/// The demo subscription's name, how a second start finds it again.
pub const NAME: &str = "演示接收端 Demo receiver";

/// Starts the receiver and points the demo subscription at it, with a new
/// secret the receiver checks. Returns the receiver's page.
pub async fn start(app: &App) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("the demo webhook receiver cannot listen")?;
    let addr = listener.local_addr()?;
    let receiver = Receiver::default();
    let ctx = Ctx::system();
    let input = SubscriptionInput {
        name: NAME.into(),
        url: format!("http://{addr}/hook"),
        topics: vec!["order.*".into(), "shipment.*".into(), "invoice.*".into()],
        customer_id: None,
        active: true,
    };
    // The port is new at each start, so is the secret: the receiver lives
    // in this process and knows only what it is told now.
    let secret = match app.put_named_subscription(&ctx, input).await? {
        (_, Some(made)) => made,
        (s, None) => app.renew_secret(&ctx, s.id).await?.secret,
    };
    receiver.set_secret(&secret);
    tokio::spawn(async move {
        if let Err(e) = receiver.serve(listener).await {
            tracing::warn!(error = %e, "the demo webhook receiver stopped");
        }
    });
    Ok(format!("http://{addr}/"))
}

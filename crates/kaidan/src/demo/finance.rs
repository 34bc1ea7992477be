//! The demo's finance (FIN-1..6): what finance did over the demo's weeks
//! and before them, so every finance page opens on real content — invoices
//! written every Friday, receipts registered and verified (a few waiting,
//! one with its transfer slip), credit notes, fapiao numbers, and old
//! debts that put customers in every bucket of the ageing.

use std::sync::Arc;

use anyhow::Context;
use jiff::civil::Date;
use kaidan_app::clock::MovableClock;
use kaidan_app::finance::{BatchInvoiceInput, VoucherUpload};
use kaidan_app::ports::InvoiceFilter;
use kaidan_app::{App, Created, Ctx};
use kaidan_domain::finance::{
    CreditLineInput, CreditNoteInput, CreditReason, FapiaoInput, InvoiceDocKind, InvoiceInput,
    ReceiptInput,
};
use kaidan_domain::fulfilment::{ShipInput, picked_in_full};
use kaidan_domain::master::{CustomerData, PaymentMethod};
use kaidan_domain::orders::{Channel, OrderInput, OrderLineInput};
use kaidan_domain::{CustomerId, Money, ProductId};

use super::history::{finance_decides, local};

/// Money a customer paid, registered with the bank's reference and, unless
/// `verify` is false, verified by finance (it then pays the customer's
/// open invoices, oldest due first). The receipt's id.
pub(super) async fn receive(
    app: &App,
    ctx: &Ctx,
    customer: CustomerId,
    amount: Money,
    day: Date,
    reference: String,
    verify: bool,
) -> anyhow::Result<i64> {
    let payer = app
        .get::<CustomerData>(ctx, customer.get())
        .await
        .map(|r| r.data.name)
        .unwrap_or_else(|_| "客户".into());
    let input = ReceiptInput {
        customer_id: customer,
        payer,
        method: PaymentMethod::BankTransfer,
        amount: amount.round_to_fen(),
        received_on: day,
        bank_reference: Some(reference),
        note: Some("货款 银行转账".into()),
    };
    let r = app
        .register_receipt(ctx, &input, None)
        .await
        .context("a demo receipt")?;
    let id = r.receipt.id;
    if verify {
        app.verify_receipt(ctx, id)
            .await
            .context("verifying a demo receipt")?;
    }
    Ok(id)
}

/// Finance's weekly invoicing: everything shipped up to `day`.
pub(super) async fn invoice_week(app: &App, ctx: &Ctx, day: Date) -> anyhow::Result<()> {
    app.batch_invoice(
        ctx,
        &BatchInvoiceInput {
            up_to: day,
            customer_id: None,
            commit: true,
        },
    )
    .await
    .context("the demo's weekly invoicing")?;
    Ok(())
}

/// Debts older than the demo's weeks, never paid: customers on monthly
/// settlement and cash on delivery bought on the days `days_ago` before
/// `today`, were invoiced at once and did not pay, so the ageing has
/// customers 31–60, 61–90 and over 90 days past due.
pub(super) async fn old_debts(
    app: &App,
    clock: &Arc<MovableClock>,
    ctx: &Ctx,
    today: Date,
    debtors: &[(CustomerId, i64)],
    product: ProductId,
) -> anyhow::Result<()> {
    for (customer, days_ago) in debtors {
        let day = today
            .checked_sub(jiff::Span::new().days(*days_ago))
            .context("an old demo day")?;
        clock.set(local(day, 10, 0)?);
        let input = OrderInput {
            customer_reference: Some(format!("PO-OLD-{days_ago}")),
            delivery_address: Some("收货地址见客户档案".into()),
            ..OrderInput::new(
                *customer,
                Channel::Phone,
                day,
                vec![OrderLineInput::new(product, 20 + days_ago / 10)],
            )
        };
        let Created::New(order) = app
            .place_order(ctx, input, true, None)
            .await
            .context("an old demo order")?
        else {
            continue;
        };
        let view = app.review_order(ctx, order.id).await?;
        finance_decides(app, ctx, order.id, view).await?;
        clock.set(local(day, 15, 0)?);
        let lists = app
            .create_pick_lists(ctx, &[order.id])
            .await
            .context("an old demo pick list")?;
        for list in lists {
            let picked = app
                .confirm_pick(ctx, list.id, &picked_in_full(&list.lines), 1)
                .await?;
            let eta = day.tomorrow().context("an old demo eta")?;
            app.ship(
                ctx,
                picked.id,
                &ShipInput {
                    carrier: "德邦物流".into(),
                    tracking_no: format!("DB{days_ago:04}{:06}", picked.id),
                    eta,
                    packages: None,
                },
            )
            .await
            .context("an old demo shipment")?;
        }
        clock.set(local(day, 17, 30)?);
        app.issue_invoice(
            ctx,
            &InvoiceInput {
                order_id: Some(order.id),
                ..InvoiceInput::default()
            },
        )
        .await
        .context("an old demo invoice")?;
    }
    Ok(())
}

/// A 160×100 PNG of a transfer slip's colours (an image made here, so the
/// demo downloads nothing): stored, uncompressed deflate blocks.
pub(super) fn slip_png() -> Vec<u8> {
    let (w, h) = (160u32, 100u32);
    let mut raw = Vec::with_capacity(((w * 3 + 1) * h) as usize);
    for y in 0..h {
        raw.push(0);
        for x in 0..w {
            let band = y < 18 || (40..44).contains(&y) || (70..72).contains(&y);
            let stamp = (x as i32 - 125).pow(2) + (y as i32 - 70).pow(2) < 380;
            let px: [u8; 3] = if stamp {
                [200, 30, 30]
            } else if band {
                [24, 74, 140]
            } else if x % 40 < 1 {
                [200, 200, 210]
            } else {
                [250, 248, 240]
            };
            raw.extend_from_slice(&px);
        }
    }
    let mut z = vec![0x78, 0x01];
    for (i, chunk) in raw.chunks(65_535).enumerate() {
        let last = (i + 1) * 65_535 >= raw.len();
        z.push(u8::from(last));
        let n = chunk.len() as u16;
        z.extend_from_slice(&n.to_le_bytes());
        z.extend_from_slice(&(!n).to_le_bytes());
        z.extend_from_slice(chunk);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &raw {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    for (kind, data) in [(&b"IHDR"[..], ihdr), (b"IDAT", z), (b"IEND", Vec::new())] {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(&data);
        png.extend_from_slice(&crc_input);
        png.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Today's finance, at the real time: fapiao numbers for the invoices of
/// past weeks, a credit note for a return and one for a price correction,
/// a receipt a rep registered with its slip waiting for verification, and
/// one finance rejected.
pub(super) async fn today(app: &App, ctx: &Ctx, rep_customer: CustomerId) -> anyhow::Result<()> {
    let today = app.today_date();
    let invoices = app
        .invoices(
            ctx,
            InvoiceFilter {
                kind: Some(InvoiceDocKind::Invoice),
                limit: 500,
                ..InvoiceFilter::default()
            },
        )
        .await?;
    let week_ago = today
        .checked_sub(jiff::Span::new().days(7))
        .context("a demo day")?;
    for (n, i) in invoices.iter().enumerate() {
        if i.invoice_date <= week_ago && n % 9 != 0 {
            let number = format!("{:08}", 24_000_000 + i.id);
            app.record_fapiao(
                ctx,
                i.id,
                &FapiaoInput {
                    number,
                    code: Some(format!("0440{:08}", 26_000_000 + i.id % 1000)),
                },
            )
            .await
            .context("a demo fapiao number")?;
        }
    }
    let open: Vec<_> = invoices
        .iter()
        .filter(|i| i.open().is_positive() && i.amount > Money::yuan(200))
        .collect();
    if let Some(i) = open.first() {
        app.credit_invoice(
            ctx,
            i.id,
            &CreditNoteInput {
                reason: CreditReason::Return,
                note: "门店退货:尺码不符".into(),
                lines: vec![CreditLineInput {
                    line_no: 1,
                    quantity: Some(1),
                    amount: None,
                }],
            },
        )
        .await
        .context("a demo credit note")?;
    }
    if let Some(i) = open.get(1) {
        app.credit_invoice(
            ctx,
            i.id,
            &CreditNoteInput {
                reason: CreditReason::PriceCorrection,
                note: "合同价调整,补差价".into(),
                lines: vec![CreditLineInput {
                    line_no: 1,
                    quantity: None,
                    amount: Some(Money::yuan(50)),
                }],
            },
        )
        .await
        .context("a demo price correction")?;
    }
    let slip = receive(
        app,
        ctx,
        rep_customer,
        Money::yuan(8_800),
        today,
        "DEMO-SLIP-1".into(),
        false,
    )
    .await?;
    app.attach_voucher(
        ctx,
        slip,
        VoucherUpload {
            file_name: "汇款底单.png".into(),
            content_type: Some("image/png".into()),
            bytes: slip_png(),
        },
    )
    .await
    .context("the demo voucher")?;
    let wrong = receive(
        app,
        ctx,
        rep_customer,
        Money::yuan(1_234),
        today,
        "DEMO-NOT-ARRIVED".into(),
        false,
    )
    .await?;
    app.reject_receipt(ctx, wrong, "银行未到账,流水号查无此笔")
        .await
        .context("the demo rejected receipt")?;
    Ok(())
}

/// Last month's dunning (FIN-4), as the month-end job raises it, and what
/// finance and the reps did about the old debts: calls, a visit, a letter,
/// promises to pay that the money has not followed (broken); a customer
/// confirmed last month's statement (对账单) and one disputed it.
pub(super) async fn collection(
    app: &App,
    ctx: &Ctx,
    debtors: &[(CustomerId, i64)],
    confirming: CustomerId,
) -> anyhow::Result<()> {
    use kaidan_domain::finance::{
        CollectionInput, CollectionKind, ConfirmationInput, ConfirmationStatus, Period,
    };
    let today = app.today_date();
    let last_month = today.first_of_month().yesterday().context("last month")?;
    let period =
        Period::new(last_month.year(), last_month.month()).context("the demo's dunning period")?;
    app.run_dunning(ctx, period)
        .await
        .context("the demo's month-end dunning")?;
    let ago = |days: i64| {
        today
            .checked_sub(jiff::Span::new().days(days))
            .context("a demo day")
    };
    for (n, (customer, _)) in debtors.iter().enumerate() {
        let steps: Vec<CollectionInput> = vec![
            CollectionInput {
                kind: CollectionKind::Call,
                happened_on: Some(ago(21)?),
                outcome: "电话催款,对方财务称月底前安排付款".into(),
                promise_date: None,
                promise_amount: None,
            },
            CollectionInput {
                kind: CollectionKind::Promise,
                happened_on: Some(ago(14)?),
                outcome: "客户承诺分期付款,第一期本周内到账".into(),
                promise_date: Some(ago(7 - 3 * n as i64)?),
                promise_amount: Some(Money::yuan(5_000 * (n as i64 + 1))),
            },
            CollectionInput {
                kind: if n == 0 {
                    CollectionKind::Letter
                } else {
                    CollectionKind::Visit
                },
                happened_on: Some(ago(3)?),
                outcome: if n == 0 {
                    "已寄出催款函,逾期超过 90 天,抄送法务".into()
                } else {
                    "销售代表上门拜访,门店经营正常,同意尽快付款".into()
                },
                promise_date: None,
                promise_amount: None,
            },
        ];
        for step in &steps {
            app.record_collection_action(ctx, *customer, step)
                .await
                .context("a demo collection action")?;
        }
    }
    app.confirm_statement(
        ctx,
        confirming,
        period,
        &ConfirmationInput {
            status: ConfirmationStatus::Confirmed,
            note: Some("已核对无误".into()),
        },
    )
    .await
    .context("the demo's confirmed statement")?;
    if let Some((customer, _)) = debtors.get(2) {
        app.confirm_statement(
            ctx,
            *customer,
            period,
            &ConfirmationInput {
                status: ConfirmationStatus::Disputed,
                note: Some("11 月 18 日退货 2 件未冲减,请核对".into()),
            },
        )
        .await
        .context("the demo's disputed statement")?;
    }
    Ok(())
}

/// This week's bank statement (FIN-3), imported by finance through the
/// real import so the bank page opens on content: a customer's transfer
/// that names its invoice and one that names the customer's code (both
/// matched, paying part of what is open so the ageing keeps its buckets),
/// the bank's fee (money out, skipped), two transfers nobody can place
/// (waiting for finance) and the bank's interest, which finance ignores.
pub(super) async fn bank_statement(
    app: &App,
    ctx: &Ctx,
    debtors: &[(CustomerId, i64)],
) -> anyhow::Result<()> {
    use kaidan_app::import_export::{Row, Table};
    use kaidan_app::ports::BankLineFilter;
    use kaidan_domain::finance::BankLineStatus;

    let today = app.today_date();
    let ago = |days: i64| {
        today
            .checked_sub(jiff::Span::new().days(days))
            .context("a demo statement day")
    };
    // Open invoices not yet due, of customers without old debts, one per
    // customer: the money of this week's statement.
    let debtor = |c: CustomerId| debtors.iter().any(|(d, _)| *d == c);
    let mut payers: Vec<(CustomerId, String, Money)> = Vec::new();
    for i in app
        .invoices(
            ctx,
            InvoiceFilter {
                kind: Some(InvoiceDocKind::Invoice),
                open_only: true,
                limit: 500,
                ..InvoiceFilter::default()
            },
        )
        .await?
    {
        if i.due_date >= today
            && !debtor(i.customer_id)
            && !payers.iter().any(|(c, _, _)| *c == i.customer_id)
        {
            payers.push((i.customer_id, i.number.clone(), i.open()));
        }
    }
    let [(by_invoice, number, open_a), (by_code, _, open_b), ..] = payers.as_slice() else {
        anyhow::bail!("the demo has fewer than two customers with invoices not yet due");
    };
    let customer = |id: CustomerId| async move {
        app.get::<CustomerData>(ctx, id.get())
            .await
            .map(|r| r.data)
            .context("a demo payer")
    };
    let (a, b) = (customer(*by_invoice).await?, customer(*by_code).await?);
    // Half of what is open, in whole yuan: the invoices stay open.
    let half = |m: &Money| {
        m.decimal()
            .checked_div(2.into())
            .map(|d| d.floor().max(1.into()))
            .unwrap_or_default()
    };
    let columns = [
        "交易日期",
        "贷方金额(元)",
        "借方金额(元)",
        "对方户名",
        "对方账号",
        "交易流水号",
        "摘要",
        "余额",
    ];
    let rows: Vec<[String; 8]> = vec![
        [
            ago(3)?.to_string(),
            format!("{:.2}", half(open_a)),
            String::new(),
            a.name.clone(),
            "6222 0200 1100 3344 556".into(),
            "ICBC-DEMO-0001".into(),
            format!("支付货款 {number}"),
            "1580000.00".into(),
        ],
        [
            ago(3)?.to_string(),
            String::new(),
            "25.00".into(),
            String::new(),
            String::new(),
            "ICBC-DEMO-0002".into(),
            "跨行汇款手续费".into(),
            "1579975.00".into(),
        ],
        [
            ago(2)?.to_string(),
            format!("{:.2}", half(open_b)),
            String::new(),
            b.name.clone(),
            "6228 4800 0211 7788 990".into(),
            "ICBC-DEMO-0003".into(),
            format!("{} 本月货款", b.code),
            "1590000.00".into(),
        ],
        [
            ago(2)?.to_string(),
            "3560.00".into(),
            String::new(),
            "深圳市南山区好运来服装店".into(),
            "6217 0031 2000 4455 667".into(),
            "ICBC-DEMO-0004".into(),
            "货款".into(),
            "1593560.00".into(),
        ],
        [
            ago(1)?.to_string(),
            "1200.00".into(),
            String::new(),
            "王建国".into(),
            "6214 8302 1188 0099 123".into(),
            "ICBC-DEMO-0005".into(),
            "转账 代付".into(),
            "1594760.00".into(),
        ],
        [
            ago(1)?.to_string(),
            "12.34".into(),
            String::new(),
            "中国工商银行上海浦东分行".into(),
            String::new(),
            "ICBC-DEMO-0006".into(),
            "结息".into(),
            "1594772.34".into(),
        ],
    ];
    let mut table = Table::new(
        "工商银行流水-本周.csv",
        columns.iter().map(|c| c.to_string()).collect(),
    );
    for (i, cells) in rows.into_iter().enumerate() {
        table.rows.push(Row {
            line: i + 2,
            cells: cells.into(),
        });
    }
    app.import_bank_statement(ctx, Ok(table))
        .await
        .context("the demo's bank statement")?;
    let interest = app
        .bank_lines(
            ctx,
            BankLineFilter {
                status: Some(BankLineStatus::Unmatched),
                limit: 100,
                ..BankLineFilter::default()
            },
        )
        .await?
        .into_iter()
        .find(|l| l.line.reference.as_deref() == Some("ICBC-DEMO-0006"))
        .context("the demo's interest line")?;
    app.ignore_bank_line(ctx, interest.line.id, "银行结息,非客户货款")
        .await
        .context("ignoring the demo's interest line")?;
    Ok(())
}

//! The shared world of the order and fulfilment tests: two products, a
//! central warehouse with opening stock, one franchisee, a clerk and a
//! finance user, on each backend in turn.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::future::Future;
use std::sync::Arc;

use kaidan_app::orders::{FinanceDecision, OrderView};
use kaidan_app::users::NewUserInput;
use kaidan_app::{App, Created, Ctx, MasterEntity};
use kaidan_domain::master::*;
use kaidan_domain::orders::{Channel, OrderInput, OrderLineInput};
use kaidan_domain::{CustomerId, Money, ProductId, Role, TaxRate, WarehouseId};
use kaidan_store::testing::{self, Backend, on_each_app};
use rust_decimal::Decimal;

pub struct World {
    pub app: App,
    pub backend: &'static str,
    pub customer: CustomerId,
    pub products: Vec<ProductId>,
    pub warehouse: WarehouseId,
    pub clerk: Ctx,
    pub finance: Ctx,
}

pub async fn user(app: &App, name: &str, roles: &[Role], customer: Option<CustomerId>) -> Ctx {
    let u = app
        .create_user(
            &Ctx::system(),
            NewUserInput {
                username: name.into(),
                display_name: String::new(),
                password: "correct horse".into(),
                roles: roles.to_vec(),
                customer_id: customer,
            },
        )
        .await
        .unwrap();
    Ctx::new(app.actor_by_id(u.id).await.unwrap())
}

pub fn created<T>(c: Created<T>) -> T {
    match c {
        Created::New(v) => v,
        Created::Replayed { .. } => panic!("expected a new record"),
    }
}

/// Creates a master record as the system; its id.
pub async fn create<T: MasterEntity>(app: &App, data: T) -> i64 {
    created(app.create(&Ctx::system(), data, None).await.unwrap()).id
}

/// A product as the tests sell it: in pieces, 13% tax, no season.
pub fn product(sku: &str, name: &str, launch_priority: i32, list_price: Money) -> ProductData {
    ProductData {
        sku: sku.into(),
        name: name.into(),
        spec: String::new(),
        barcode: String::new(),
        category: String::new(),
        unit: "件".into(),
        season: Season::None,
        launch_priority,
        list_price,
        cost_price: None,
        tax_rate: TaxRate::new(Decimal::new(13, 2)).unwrap(),
        active: true,
    }
}

/// A customer in Shenzhen paying by bank transfer.
pub fn customer(
    code: &str,
    name: &str,
    kind: CustomerKind,
    payment_terms: PaymentTerms,
    credit_limit: Money,
) -> CustomerData {
    CustomerData {
        code: code.into(),
        name: name.into(),
        kind,
        contact_name: None,
        contact_phone: None,
        contact_email: None,
        address: Some("深圳市南山区".into()),
        region_id: None,
        tier: None,
        priority: 1,
        importance: None,
        payment_terms,
        // Net days: 30 (净30天), the common term; others have no number.
        net_days: (payment_terms == PaymentTerms::NetDays).then_some(30),
        payment_method: PaymentMethod::BankTransfer,
        tax_number: None,
        bank_account: None,
        credit_limit,
        price_list_id: None,
        sales_rep_id: None,
        active: true,
    }
}

/// A region as a store-level master record: the smallest row there is,
/// for tests of transactions rather than of regions.
pub fn region_record(code: &str) -> kaidan_app::ports::MasterData {
    kaidan_app::ports::MasterData::Region(RegionData {
        code: code.into(),
        name: code.into(),
        name_zh: String::new(),
    })
}

pub fn warehouse(code: &str, name: &str, is_central: bool) -> WarehouseData {
    WarehouseData {
        code: code.into(),
        name: name.into(),
        address: None,
        is_central,
        active: true,
    }
}

/// P-1 at 100 yuan and P-2 at 50, launch priorities 1 and 2.
pub async fn two_products(app: &App) -> Vec<ProductId> {
    let mut products = Vec::new();
    for (i, yuan) in [(1, 100), (2, 50)] {
        let p = product(&format!("P-{i}"), &format!("产品{i}"), i, Money::yuan(yuan));
        products.push(ProductId(create(app, p).await));
    }
    products
}

pub async fn world(
    app: App,
    backend: &'static str,
    credit_limit: i64,
    terms: PaymentTerms,
    stock: i64,
) -> World {
    let sys = Ctx::system();
    let products = two_products(&app).await;
    let warehouse = WarehouseId(create(&app, warehouse("WH", "总仓", true)).await);
    for p in products.iter().filter(|_| stock > 0) {
        app.receive_stock(&sys, *p, warehouse, stock, "opening")
            .await
            .unwrap();
    }
    let c = customer(
        "FR-1",
        "加盟商一",
        CustomerKind::Franchisee,
        terms,
        Money::yuan(credit_limit),
    );
    let customer = CustomerId(create(&app, c).await);
    let clerk = user(&app, "clerk", &[Role::OrderClerk], None).await;
    let finance = user(&app, "fin", &[Role::Finance], None).await;
    World {
        app,
        backend,
        customer,
        products,
        warehouse,
        clerk,
        finance,
    }
}

pub fn input(w: &World, lines: &[(usize, i64)], reference: &str) -> OrderInput {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let lines = lines
        .iter()
        .map(|(p, q)| OrderLineInput::new(w.products[*p], *q))
        .collect();
    OrderInput {
        contact_name: Some("王经理".into()),
        customer_reference: Some(reference.into()),
        ..OrderInput::new(w.customer, Channel::Phone, today, lines)
    }
}

/// Runs `test` once per backend on a fresh database seeded with a
/// [`world`] of this credit limit, these payment terms and this opening stock.
pub async fn on_each_backend<F, Fut>(credit_limit: i64, terms: PaymentTerms, stock: i64, test: F)
where
    F: Fn(World) -> Fut,
    Fut: Future<Output = ()>,
{
    let test = &test;
    on_each_app(|app, backend| async move {
        test(world(app, backend, credit_limit, terms, stock).await).await;
    })
    .await;
}

/// [`on_each_backend`] with the app on a clock that the test moves; the
/// test also gets its backend, whose URL opens a second node.
pub async fn on_each_backend_clocked<F, Fut>(
    credit_limit: i64,
    terms: PaymentTerms,
    stock: i64,
    test: F,
) where
    F: Fn(World, Arc<MovableClock>, Backend) -> Fut,
    Fut: Future<Output = ()>,
{
    let test = &test;
    testing::on_each_backend(|b| async move {
        let clock = Arc::new(MovableClock::default());
        let app = b.app(clock.clone()).await;
        let w = world(app, b.name, credit_limit, terms, stock).await;
        test(w, clock, b).await;
    })
    .await;
}

pub async fn place(w: &World, lines: &[(usize, i64)], reference: &str) -> OrderView {
    created(
        w.app
            .place_order(&w.clerk, input(w, lines, reference), false, None)
            .await
            .unwrap(),
    )
}

pub async fn approved(w: &World, lines: &[(usize, i64)], reference: &str) -> OrderView {
    let o = place(w, lines, reference).await;
    w.app.review_order(&w.clerk, o.id).await.unwrap();
    w.app
        .finance_review(&w.finance, o.id, FinanceDecision::Pass)
        .await
        .unwrap()
}

pub use kaidan_store::testing::MovableClock;

/// INV-1: every balance equals the sums of its ledger, picked included;
/// the balances.
pub async fn ledger_holds(w: &World) -> Vec<kaidan_app::ports::StockBalance> {
    let b = balances(w).await;
    let (sums, picked) = w.app.stock_ledger_check(&Ctx::system()).await.unwrap();
    let got: Vec<_> = b
        .iter()
        .map(|b| (b.product_id, b.warehouse_id, b.on_hand, b.reserved))
        .collect();
    assert_eq!(got, sums, "INV-1 ({})", w.backend);
    for (p, wh, ledger, balance) in picked {
        assert_eq!(ledger, balance, "picked of {p} in {wh} equals its ledger");
    }
    b
}

/// Every stock balance, as the stock list shows them.
pub async fn balances(w: &World) -> Vec<kaidan_app::ports::StockBalance> {
    w.app
        .stock_list(&Ctx::system(), &kaidan_app::ListRequest::default())
        .await
        .unwrap()
        .items
}

/// Units reserved over every balance.
pub async fn reserved_total(w: &World) -> i64 {
    balances(w).await.iter().map(|b| b.reserved).sum()
}

/// Goods arriving: `quantity` of the world's product `product` received
/// into `warehouse`.
pub async fn receive(
    w: &World,
    product: usize,
    warehouse: WarehouseId,
    quantity: i64,
    reference: &str,
) {
    w.app
        .receive_stock(
            &Ctx::system(),
            w.products[product],
            warehouse,
            quantity,
            reference,
        )
        .await
        .unwrap();
}

/// Checks the property `test` on `cases` cases drawn from `strategy`, on
/// each backend in turn, leaving no proptest-regressions file behind.
pub fn check_on_each_backend<S, F, Fut>(cases: u32, strategy: S, test: F)
where
    S: proptest::strategy::Strategy,
    S::Value: std::fmt::Debug,
    F: Fn(&'static str, S::Value) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    let rt = tokio::runtime::Runtime::new().unwrap();
    for backend in testing::backends() {
        TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        })
        .run(&strategy, |v| {
            rt.block_on(test(backend, v)).map_err(TestCaseError::fail)
        })
        .unwrap();
    }
}

/// Imports a file the way the API and the command line do: `kaidan_io`
/// reads it into a table and the use case takes the table.
pub async fn import_file(
    app: &App,
    ctx: &Ctx,
    dataset: kaidan_app::import_export::Dataset,
    name: &str,
    bytes: &[u8],
) -> kaidan_app::AppResult<kaidan_app::import_export::ImportReport> {
    let table = kaidan_io::read_table(name, bytes).map_err(kaidan_app::AppError::from);
    app.import(ctx, dataset, table).await
}

/// Exports a dataset as a file the way the API and the command line do.
pub async fn export_file(
    app: &App,
    ctx: &Ctx,
    dataset: kaidan_app::import_export::Dataset,
    format: kaidan_io::Format,
) -> kaidan_app::AppResult<Vec<u8>> {
    let table = app.export(ctx, dataset).await?;
    Ok(kaidan_io::write_table(&table, format)?)
}

/// Every department of a change request approves it (CHG-2), each through
/// a user of the role that decides for it; the change as the last one left it.
pub async fn approve_change(
    w: &World,
    c: &kaidan_app::ports::ChangeRow,
) -> kaidan_app::ports::ChangeRow {
    let mut last = c.clone();
    for (i, d) in c.departments.iter().enumerate() {
        let who = user(&w.app, &format!("dept{i}"), &[d.role()], None).await;
        last = w
            .app
            .decide_change(&who, c.id, *d, true, "同意")
            .await
            .unwrap();
    }
    last
}

//! Ports: what the use cases need from the outside world. The store crate
//! implements them on SQLite and PostgreSQL; tests may implement them too.
//!
//! A use case opens a transaction (`Store::write`), reads and writes through
//! it, appends its audit rows and outbox events to the *same* transaction and
//! commits. Dropping a transaction without `commit` rolls it back, so an
//! error anywhere changes nothing.

mod allocation;
mod fulfilment;
mod purchasing;
mod transfers;

pub use allocation::*;
pub use fulfilment::*;
pub use purchasing::*;
pub use transfers::*;

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::audit::FieldChange;
use kaidan_domain::calendar::CalendarDay;
use kaidan_domain::master::{
    CustomerData, PriceListData, ProductData, RegionData, SafetyStock, Season, StoreData,
    WarehouseData,
};
use kaidan_domain::orders::{
    AccountEntry, ChangeOutcome, ChangeRequest, Department, ImpactAssessment, OrderStatus,
    PricedOrder,
};
use kaidan_domain::stock_counts::{CountLine, CountStatus};
use kaidan_domain::{
    CustomerId, Money, OrderId, Permission, ProductId, Quantity, RegionId, Role, StoreId, UserId,
    WarehouseId,
};
use serde::Serialize;

/// A failure of the storage adapter. Constraint violations are told apart so
/// the use case can say which field is wrong.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{field} '{value}' already exists")]
    Duplicate { field: String, value: String },
    #[error("a referenced record does not exist ({detail})")]
    MissingReference { detail: String },
    #[error("the record is still referenced by other records ({detail})")]
    StillReferenced { detail: String },
    #[error("the change would break a rule of the stock ledger: {detail}")]
    CheckViolation { detail: String },
    #[error("concurrent update; try again")]
    Conflict,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

/// The kinds of master-data record (also the `entity` of audit rows).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Product,
    Customer,
    Warehouse,
    Region,
    Store,
    PriceList,
}

impl EntityKind {
    pub const ALL: [EntityKind; 6] = [
        EntityKind::Product,
        EntityKind::Customer,
        EntityKind::Warehouse,
        EntityKind::Region,
        EntityKind::Store,
        EntityKind::PriceList,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Product => "product",
            EntityKind::Customer => "customer",
            EntityKind::Warehouse => "warehouse",
            EntityKind::Region => "region",
            EntityKind::Store => "store",
            EntityKind::PriceList => "price_list",
        }
    }
}

/// One master-data record's content, whichever kind it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum MasterData {
    Product(ProductData),
    Customer(CustomerData),
    Warehouse(WarehouseData),
    Region(RegionData),
    Store(StoreData),
    PriceList(PriceListData),
}

impl MasterData {
    pub fn kind(&self) -> EntityKind {
        match self {
            MasterData::Product(_) => EntityKind::Product,
            MasterData::Customer(_) => EntityKind::Customer,
            MasterData::Warehouse(_) => EntityKind::Warehouse,
            MasterData::Region(_) => EntityKind::Region,
            MasterData::Store(_) => EntityKind::Store,
            MasterData::PriceList(_) => EntityKind::PriceList,
        }
    }
}

/// A stored record: id, optimistic-concurrency version, content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record<T> {
    pub id: i64,
    pub version: i64,
    #[serde(with = "crate::time_format")]
    pub updated_at: Timestamp,
    #[serde(flatten)]
    pub data: T,
}

/// A page request: records after `after` (an id; the cursor), at most
/// `limit`, optionally filtered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Matched against code/sku and name (case-insensitive substring).
    pub search: Option<String>,
    pub after: Option<i64>,
    pub limit: u32,
    /// Exact-match filters on columns named in `filterable`.
    pub filters: Vec<(&'static str, FilterValue)>,
    /// For lists keyed by two ids (stock: product, warehouse): the second
    /// part of the cursor; `after` holds the first.
    pub after_second: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    Int(i64),
    Text(String),
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterType {
    Int,
    Text,
    Bool,
}

/// Columns a list may be filtered on, per kind, with their types.
pub fn filterable(kind: EntityKind) -> &'static [(&'static str, FilterType)] {
    use FilterType::*;
    match kind {
        EntityKind::Product => &[("season", Text), ("active", Bool)],
        EntityKind::Customer => &[
            ("id", Int),
            ("kind", Text),
            ("region_id", Int),
            ("tier", Text),
            ("sales_rep_id", Int),
            ("active", Bool),
        ],
        EntityKind::Warehouse => &[("active", Bool), ("is_central", Bool)],
        EntityKind::Region => &[],
        EntityKind::Store => &[
            ("region_id", Int),
            ("tier", Text),
            ("ownership", Text),
            ("active", Bool),
        ],
        EntityKind::PriceList => &[("id", Int)],
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub roles: Vec<Role>,
    pub customer_id: Option<kaidan_domain::CustomerId>,
    pub active: bool,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
    pub customer_id: Option<kaidan_domain::CustomerId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user_id: UserId,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    #[serde(with = "crate::time_format")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// One audit row (SEC-2): who, when, what, before → after per field.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    #[serde(with = "crate::time_format")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub actor_id: UserId,
    pub actor_name: String,
    pub entity: String,
    pub entity_id: i64,
    /// `create`, `update`, `delete`, or a named action (`set_password`, ...).
    pub action: String,
    pub changes: Vec<FieldChange>,
    pub request_id: Option<String>,
}

/// An event for other systems (INT-5), written in the change's transaction
/// and relayed later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEvent {
    pub topic: String,
    pub entity: String,
    pub entity_id: i64,
    pub payload: serde_json::Value,
    #[serde(with = "crate::time_format")]
    pub at: Timestamp,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockBalance {
    pub product_id: ProductId,
    pub sku: String,
    pub product_name: String,
    pub warehouse_id: WarehouseId,
    pub warehouse_code: String,
    pub on_hand: i64,
    pub reserved: i64,
    /// Reserved and already taken off the shelf for shipping.
    pub picked: i64,
    pub available: i64,
}

/// A stock count with its lines (INV-3).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockCountRow {
    pub id: i64,
    pub warehouse_id: WarehouseId,
    pub status: CountStatus,
    pub note: String,
    #[serde(with = "crate::time_format")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub counted_at: Timestamp,
    pub counted_by: UserId,
    #[serde(with = "crate::time_format::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub posted_at: Option<Timestamp>,
    pub posted_by: Option<UserId>,
    pub lines: Vec<CountLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockReceipt {
    pub product_id: ProductId,
    pub warehouse_id: WarehouseId,
    pub quantity: Quantity,
    pub source: String,
    pub at: Timestamp,
}

/// A stored response for a create that carried an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentResponse {
    /// Hash of method, path and body of the first request.
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A read-write transaction.
    async fn write(&self) -> Result<Box<dyn Tx>, StoreError>;
    /// A read-write transaction for bulk work (an allocation run): on
    /// SQLite a transaction of its own instead of a share of a group
    /// commit, so its many rows are not journalled twice.
    async fn write_bulk(&self) -> Result<Box<dyn Tx>, StoreError> {
        self.write().await
    }
    /// A read-only transaction (may use a replica or a reader pool).
    async fn read(&self) -> Result<Box<dyn Tx>, StoreError>;
    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
}

/// An order as stored: header, current priced content, row version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderRow {
    pub id: OrderId,
    pub number: Option<String>,
    pub customer_id: CustomerId,
    pub status: OrderStatus,
    #[serde(with = "crate::time_format")]
    pub received_at: Timestamp,
    #[serde(with = "crate::time_format")]
    pub review_due_at: Timestamp,
    #[serde(with = "crate::time_format")]
    pub ship_due_at: Timestamp,
    #[serde(with = "crate::time_format::option")]
    pub reviewed_at: Option<Timestamp>,
    pub review_met: Option<bool>,
    pub document: PricedOrder,
    pub order_version: i64,
    pub version: i64,
    pub created_by: UserId,
    #[serde(with = "crate::time_format")]
    pub updated_at: Timestamp,
}

/// Fulfilment progress of one order line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineProgressRow {
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: i64,
    pub reserved: i64,
    pub backordered: i64,
    pub shipped: i64,
    pub invoiced: i64,
}

/// One step of an order's timeline (ORD-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderEventRow {
    #[serde(with = "crate::time_format")]
    pub at: Timestamp,
    pub actor_id: UserId,
    pub actor_name: String,
    pub kind: String,
    pub from_status: Option<OrderStatus>,
    pub to_status: Option<OrderStatus>,
    pub note: String,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    pub customer_id: Option<CustomerId>,
    pub after: Option<i64>,
    pub limit: u32,
}

/// A recorded joint-review (or change-review) decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct JointDecisionRow {
    pub department: Department,
    pub approved: bool,
    pub actor_id: UserId,
    pub actor_name: String,
    pub at: Timestamp,
    pub note: String,
}

/// A shortage raised at approval (INV-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplenishmentRow {
    pub id: i64,
    pub order_id: OrderId,
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: i64,
    pub choice: String,
    pub status: String,
    #[serde(with = "crate::time_format")]
    pub created_at: Timestamp,
}

/// A change request and where it stands (CHG-1..3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRow {
    pub id: i64,
    pub order_id: OrderId,
    /// pending, approved, rejected.
    pub status: String,
    pub request: ChangeRequest,
    pub impact: ImpactAssessment,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub outcome: ChangeOutcome,
    pub departments: Vec<Department>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub decisions: Vec<JointDecisionRow>,
    pub requested_by: UserId,
    #[serde(with = "crate::time_format")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub requested_at: Timestamp,
    #[serde(with = "crate::time_format::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub decided_at: Option<Timestamp>,
}

/// Orders, their timeline, counters, accounts and shortages.
#[async_trait]
pub trait OrdersTx: Send {
    /// Inserts the order, its lines and version 1.
    async fn order_insert(&mut self, row: &OrderRow, reason: &str) -> Result<OrderId, StoreError>;
    async fn order_get(&mut self, id: OrderId) -> Result<Option<OrderRow>, StoreError>;
    async fn order_by_number(&mut self, number: &str) -> Result<Option<OrderId>, StoreError>;
    /// Writes the header and document if the row is still at
    /// `expected_version`, and the lines too when `lines_changed`; false
    /// (nothing written) otherwise.
    async fn order_save(
        &mut self,
        row: &OrderRow,
        expected_version: i64,
        lines_changed: bool,
    ) -> Result<bool, StoreError>;
    async fn order_list(&mut self, q: &OrderQuery) -> Result<Vec<OrderRow>, StoreError>;
    async fn order_lines(&mut self, id: OrderId) -> Result<Vec<LineProgressRow>, StoreError>;
    /// Sets `(line_no, reserved, backordered)` of several lines at once.
    async fn order_line_progress(
        &mut self,
        id: OrderId,
        lines: &[(u32, i64, i64)],
    ) -> Result<(), StoreError>;
    /// Sets `(line_no, reserved, shipped)` of several lines at once.
    async fn order_line_shipped(
        &mut self,
        id: OrderId,
        lines: &[(u32, i64, i64)],
    ) -> Result<(), StoreError>;
    async fn order_event_append(
        &mut self,
        id: OrderId,
        e: &OrderEventRow,
    ) -> Result<(), StoreError>;
    async fn order_events(&mut self, id: OrderId) -> Result<Vec<OrderEventRow>, StoreError>;
    /// The customer's orders received since `since`, for duplicate checks.
    async fn recent_orders(
        &mut self,
        customer: CustomerId,
        since: Timestamp,
    ) -> Result<Vec<(OrderId, PricedOrder)>, StoreError>;
    /// Sum of the customer's other orders that hold credit.
    async fn open_orders_amount(
        &mut self,
        customer: CustomerId,
        except: Option<OrderId>,
        statuses: &[OrderStatus],
    ) -> Result<Money, StoreError>;
    /// The next value of a named counter (1, 2, ...), atomically.
    async fn counter_next(&mut self, key: &str) -> Result<i64, StoreError>;
    async fn joint_decision_put(
        &mut self,
        id: OrderId,
        d: &JointDecisionRow,
    ) -> Result<(), StoreError>;
    async fn joint_decisions(&mut self, id: OrderId) -> Result<Vec<JointDecisionRow>, StoreError>;
    async fn account_append(
        &mut self,
        customer: CustomerId,
        entry: &AccountEntry,
        at: Timestamp,
        actor: UserId,
    ) -> Result<(), StoreError>;
    /// The customer's ledger in posting order, each entry with its time.
    async fn account_entries(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<(Timestamp, AccountEntry)>, StoreError>;
    async fn replenishment_insert(&mut self, r: &ReplenishmentRow) -> Result<i64, StoreError>;
    async fn replenishments(
        &mut self,
        order: Option<OrderId>,
    ) -> Result<Vec<ReplenishmentRow>, StoreError>;
    /// Records the customer's choice for a shortage (INV-2).
    async fn replenishment_choose(&mut self, id: i64, choice: &str) -> Result<bool, StoreError>;
    async fn change_insert(&mut self, c: &ChangeRow) -> Result<i64, StoreError>;
    async fn change_get(&mut self, id: i64) -> Result<Option<ChangeRow>, StoreError>;
    /// Writes status, decisions and decision time.
    async fn change_save(&mut self, c: &ChangeRow) -> Result<(), StoreError>;
    async fn changes_of(&mut self, order: OrderId) -> Result<Vec<ChangeRow>, StoreError>;
    /// Keeps a version's content (CHG-2).
    async fn order_version_insert(
        &mut self,
        order: OrderId,
        version: i64,
        document: &PricedOrder,
        reason: &str,
        at: Timestamp,
        actor: UserId,
    ) -> Result<(), StoreError>;
}

/// One transaction: everything the use cases read and write, by room.
#[async_trait]
pub trait Tx:
    UsersTx
    + MasterTx
    + StockTx
    + RecordsTx
    + OrdersTx
    + PurchaseTx
    + FulfilmentTx
    + AllocationTx
    + TransferTx
    + Send
{
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// Users, roles, permissions, tokens, sessions, login throttling.
#[async_trait]
pub trait UsersTx: Send {
    async fn user_insert(&mut self, user: &NewUser, at: Timestamp) -> Result<UserId, StoreError>;
    async fn user_get(&mut self, id: UserId) -> Result<Option<UserRecord>, StoreError>;
    async fn user_by_name(&mut self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    async fn user_list(&mut self) -> Result<Vec<UserRecord>, StoreError>;
    async fn user_set_password(&mut self, id: UserId, hash: &str) -> Result<(), StoreError>;
    async fn permissions_of(&mut self, roles: &[Role]) -> Result<Vec<Permission>, StoreError>;
    async fn role_permissions(&mut self) -> Result<Vec<(Role, Permission)>, StoreError>;
    /// Permissions whose defaults were already granted.
    async fn known_permissions(&mut self) -> Result<Vec<String>, StoreError>;
    /// Grants a new permission to its default roles and records it as known.
    async fn permission_introduce(
        &mut self,
        permission: Permission,
        roles: &[Role],
    ) -> Result<(), StoreError>;
    async fn role_permissions_set(
        &mut self,
        role: Role,
        permissions: &[Permission],
    ) -> Result<(), StoreError>;
    async fn token_insert(
        &mut self,
        user: UserId,
        name: &str,
        hash: &str,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    async fn token_user(&mut self, hash: &str) -> Result<Option<UserId>, StoreError>;
    async fn token_list(&mut self, user: UserId) -> Result<Vec<TokenRow>, StoreError>;
    async fn session_insert(
        &mut self,
        hash: &str,
        row: &SessionRow,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    async fn session_get(&mut self, hash: &str) -> Result<Option<SessionRow>, StoreError>;
    async fn session_delete(&mut self, hash: &str) -> Result<(), StoreError>;
    async fn login_failures_since(
        &mut self,
        username: &str,
        since: Timestamp,
    ) -> Result<i64, StoreError>;
    async fn login_failure_add(&mut self, username: &str, at: Timestamp) -> Result<(), StoreError>;
    async fn login_failures_clear(&mut self, username: &str) -> Result<(), StoreError>;
}

/// Master data and its lists.
#[async_trait]
pub trait MasterTx: Send {
    async fn master_get(
        &mut self,
        kind: EntityKind,
        id: i64,
    ) -> Result<Option<Record<MasterData>>, StoreError>;
    /// The records of `ids` that exist, in id order (one query).
    async fn master_get_many(
        &mut self,
        kind: EntityKind,
        ids: &[i64],
    ) -> Result<Vec<Record<MasterData>>, StoreError>;
    async fn master_id_by_code(
        &mut self,
        kind: EntityKind,
        code: &str,
    ) -> Result<Option<i64>, StoreError>;
    async fn master_insert(&mut self, data: &MasterData, at: Timestamp) -> Result<i64, StoreError>;
    /// Writes `data` when the stored version is `expected_version`; returns
    /// false (and writes nothing) otherwise.
    async fn master_update(
        &mut self,
        id: i64,
        expected_version: i64,
        data: &MasterData,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    async fn master_list(
        &mut self,
        kind: EntityKind,
        query: &ListQuery,
    ) -> Result<Vec<Record<MasterData>>, StoreError>;
    async fn region_priorities(&mut self, season: Season) -> Result<Vec<RegionId>, StoreError>;
    async fn region_priorities_set(
        &mut self,
        season: Season,
        regions: &[RegionId],
    ) -> Result<(), StoreError>;
    async fn safety_stock(&mut self, store: StoreId) -> Result<Vec<SafetyStock>, StoreError>;
    async fn safety_stock_set(
        &mut self,
        store: StoreId,
        levels: &[SafetyStock],
    ) -> Result<(), StoreError>;
    async fn calendar_days(&mut self) -> Result<Vec<CalendarDay>, StoreError>;
    async fn calendar_day_get(
        &mut self,
        date: jiff::civil::Date,
    ) -> Result<Option<CalendarDay>, StoreError>;
    async fn calendar_day_put(&mut self, day: &CalendarDay) -> Result<(), StoreError>;
    async fn calendar_day_delete(&mut self, date: jiff::civil::Date) -> Result<bool, StoreError>;
}

/// Stock balances and their ledger.
#[async_trait]
pub trait StockTx: Send {
    async fn stock_receive(&mut self, receipt: &StockReceipt) -> Result<(), StoreError>;
    async fn stock_list(&mut self, query: &ListQuery) -> Result<Vec<StockBalance>, StoreError>;
    /// Reserves, for each `(product, quantity)` in turn, up to `quantity` of
    /// what is available in `warehouse`, never more: the database guards
    /// `on_hand - reserved >= 0` under concurrency. Returns the quantity
    /// reserved for each item, in order (0 when nothing is available). One
    /// call for a whole order, so the rows are read and written in a few
    /// statements.
    async fn stock_reserve(
        &mut self,
        warehouse: WarehouseId,
        wants: &[(ProductId, i64)],
        source: &str,
        at: Timestamp,
    ) -> Result<Vec<i64>, StoreError>;
    /// The sums of the ledger per product and warehouse:
    /// `(product, warehouse, Σ on-hand deltas, Σ reserved deltas)`, which
    /// must equal the balances (INV-1).
    async fn stock_ledger_sums(
        &mut self,
    ) -> Result<Vec<(ProductId, WarehouseId, i64, i64)>, StoreError>;
    /// `(product, on hand, reserved)` of `products` in `warehouse`; a
    /// product with no balance is left out.
    async fn stock_balances_of(
        &mut self,
        warehouse: WarehouseId,
        products: &[ProductId],
    ) -> Result<Vec<(ProductId, i64, i64)>, StoreError>;
    /// Changes on hand by `delta` with a ledger entry of `kind` (a count
    /// adjustment); refused if on hand would fall below zero or below what
    /// is reserved.
    async fn stock_adjust(
        &mut self,
        product: ProductId,
        warehouse: WarehouseId,
        delta: i64,
        kind: &str,
        source: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    async fn count_insert(&mut self, count: &StockCountRow) -> Result<i64, StoreError>;
    async fn count_get(&mut self, id: i64) -> Result<Option<StockCountRow>, StoreError>;
    /// Marks an open count posted with the lines as reconciled; false when
    /// it was not open (nothing written).
    async fn count_post(&mut self, count: &StockCountRow) -> Result<bool, StoreError>;
    /// Lines of counts posted in `[from, to)`, for the accuracy figure.
    async fn count_lines_posted(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<CountLine>, StoreError>;
    /// Moves `quantity` of reserved goods to picked (a `pick` entry);
    /// refused when less than that is reserved and not yet picked.
    async fn stock_pick(
        &mut self,
        product: ProductId,
        warehouse: WarehouseId,
        quantity: i64,
        source: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Puts picked goods back on the shelf, still reserved (`unpick`).
    async fn stock_unpick(
        &mut self,
        product: ProductId,
        warehouse: WarehouseId,
        quantity: i64,
        source: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Picked goods leave the warehouse (a `shipment` entry): on hand,
    /// reserved and picked all fall by `quantity`.
    async fn stock_ship(
        &mut self,
        product: ProductId,
        warehouse: WarehouseId,
        quantity: i64,
        source: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// `(product, warehouse, Σ picked deltas of the ledger, picked of the
    /// balance)` for every balance or ledger pair (INV-1).
    async fn stock_picked_sums(
        &mut self,
    ) -> Result<Vec<(ProductId, WarehouseId, i64, i64)>, StoreError>;
    /// Gives back a reservation.
    async fn stock_release(
        &mut self,
        product: ProductId,
        warehouse: WarehouseId,
        quantity: i64,
        source: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
}

/// Audit trail, outbox and idempotency records.
#[async_trait]
pub trait RecordsTx: Send {
    async fn audit_append(&mut self, entry: &AuditEntry) -> Result<(), StoreError>;
    async fn audit_of(&mut self, entity: &str, id: i64) -> Result<Vec<AuditEntry>, StoreError>;
    async fn outbox_append(&mut self, event: &OutboxEvent) -> Result<(), StoreError>;
    async fn outbox_pending(&mut self, limit: u32) -> Result<Vec<OutboxEvent>, StoreError>;
    async fn idempotency_get(
        &mut self,
        user: UserId,
        key: &str,
    ) -> Result<Option<IdempotentResponse>, StoreError>;
    async fn idempotency_put(
        &mut self,
        user: UserId,
        key: &str,
        response: &IdempotentResponse,
        at: Timestamp,
    ) -> Result<(), StoreError>;
}

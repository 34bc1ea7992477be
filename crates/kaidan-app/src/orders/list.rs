//! The order list that works for a living (issue 21, ORD-7): filters by
//! customer, rep, region, channel, status or stage, received dates, amount
//! and deadline state; sort by column over cursors; the count of matches.
//! The API and the page read the same parameters through [`OrderFilter`].

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, ToSpan};
use kaidan_domain::master::CustomerData;
use kaidan_domain::orders::{Channel, DeadlineState, OrderStage, OrderStatus, company_time_zone};
use kaidan_domain::{CustomerId, Money, Permission, RegionId, Role, UserId, ValidationErrors};

use crate::MasterEntity;
use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::list_params::{FilteredPage, day, day_span, export_bound, filter_values, id, named};
use crate::ports::{
    DeadlineCut, OrderCursor, OrderFilterChoices, OrderQuery, OrderRow, OrderSort, OrderSortKey,
};

/// The parameters a filter reads; the rest (cursor, limit, …) belong to
/// the caller.
pub const FILTER_PARAMS: &[&str] = &[
    "status",
    "stage",
    "customer",
    "customer_id",
    "rep_id",
    "region_id",
    "channel",
    "from",
    "to",
    "amount_min",
    "amount_max",
    "deadline",
    "sort",
];

/// The longest parameter value a filter reads (a customer code is the
/// longest of them).
pub const MAX_FILTER_VALUE_CHARS: usize = 64;

/// Which orders a list shows and in what order, as a user asks for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub stage: Option<OrderStage>,
    pub customer_id: Option<CustomerId>,
    /// A customer by its code, resolved when the list is read.
    pub customer_code: Option<String>,
    pub rep_id: Option<UserId>,
    pub region_id: Option<RegionId>,
    pub channel: Option<Channel>,
    /// Received on or after this day (company time).
    pub from: Option<Date>,
    /// Received on or before this day.
    pub to: Option<Date>,
    pub amount_min: Option<Money>,
    pub amount_max: Option<Money>,
    pub deadline: Option<DeadlineState>,
    pub sort: OrderSort,
}

/// One page of the order list.
pub type OrderListPage = FilteredPage<OrderRow>;

impl OrderFilter {
    /// Reads the filter from a list's parameters; empty values do not
    /// filter. Every bad value is named by its parameter; parameters the
    /// filter does not read are left to the caller.
    pub fn parse(params: &BTreeMap<String, String>) -> Result<OrderFilter, ValidationErrors> {
        let mut f = OrderFilter::default();
        let mut e = ValidationErrors::new();
        for (k, v) in filter_values(params, FILTER_PARAMS, &mut e) {
            match k {
                // The page offers stages in the status chooser: their words
                // differ from every status's.
                "status" => match (v.parse::<OrderStatus>(), v.parse::<OrderStage>()) {
                    (Ok(s), _) => f.status = Some(s),
                    (_, Ok(s)) => f.stage = Some(s),
                    _ => e.add(k, "unknown", format!("no status or stage '{v}'")),
                },
                "stage" => f.stage = named(&mut e, k, v),
                "customer" => f.customer_code = Some(v.to_string()),
                "customer_id" => f.customer_id = id(&mut e, k, v).map(CustomerId),
                "rep_id" => f.rep_id = id(&mut e, k, v).map(UserId),
                "region_id" => f.region_id = id(&mut e, k, v).map(RegionId),
                "channel" => f.channel = named(&mut e, k, v),
                "from" => f.from = day(&mut e, k, v),
                "to" => f.to = day(&mut e, k, v),
                "amount_min" => f.amount_min = amount(&mut e, k, v),
                "amount_max" => f.amount_max = amount(&mut e, k, v),
                "deadline" => f.deadline = named(&mut e, k, v),
                "sort" => match sort_named(v) {
                    Some(s) => f.sort = s,
                    None => e.add(
                        k,
                        "unknown",
                        format!("'{v}' is not one of {}", SORT_NAMES.join(", ")),
                    ),
                },
                _ => {}
            }
        }
        if let (Some(a), Some(b)) = (f.from, f.to)
            && a > b
        {
            e.add("to", "out_of_range", format!("{b} is before {a}"));
        }
        if let (Some(a), Some(b)) = (f.amount_min, f.amount_max)
            && a > b
        {
            e.add("amount_max", "out_of_range", format!("{b} is below {a}"));
        }
        e.into_result(f)
    }

    /// The filter as list parameters, in a stable order: for links (sort,
    /// next page, export) and for saving.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        let mut put = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                p.push((k, v));
            }
        };
        put("status", self.status.map(|s| s.as_str().to_string()));
        put("stage", self.stage.map(|s| s.as_str().to_string()));
        put("customer", self.customer_code.clone());
        put("customer_id", self.customer_id.map(|c| c.to_string()));
        put("rep_id", self.rep_id.map(|u| u.to_string()));
        put("region_id", self.region_id.map(|r| r.to_string()));
        put("channel", self.channel.map(|c| c.as_str().to_string()));
        put("from", self.from.map(|d| d.to_string()));
        put("to", self.to.map(|d| d.to_string()));
        put("amount_min", self.amount_min.map(|m| m.to_string()));
        put("amount_max", self.amount_max.map(|m| m.to_string()));
        put("deadline", self.deadline.map(|d| d.as_str().to_string()));
        if self.sort != OrderSort::default() {
            put("sort", Some(sort_name(self.sort).to_string()));
        }
        p
    }
}

/// The sort names the list takes: a column ascending, `-column`
/// descending; `newest` (the default) and `oldest` by entry.
pub const SORT_NAMES: &[&str] = &[
    "newest",
    "oldest",
    "received",
    "-received",
    "amount",
    "-amount",
    "ship_due",
    "-ship_due",
];

fn sort_named(v: &str) -> Option<OrderSort> {
    let (descending, column) = match v.strip_prefix('-') {
        Some(c) => (true, c),
        None => (false, v),
    };
    let key = match column {
        "newest" if !descending => return Some(OrderSort::default()),
        "oldest" if !descending => {
            return Some(OrderSort {
                key: OrderSortKey::Newest,
                descending: false,
            });
        }
        "received" => OrderSortKey::Received,
        "amount" => OrderSortKey::Amount,
        "ship_due" => OrderSortKey::ShipDue,
        _ => return None,
    };
    Some(OrderSort { key, descending })
}

/// The name [`sort_named`] reads back.
pub fn sort_name(s: OrderSort) -> &'static str {
    match (s.key, s.descending) {
        (OrderSortKey::Newest, true) => "newest",
        (OrderSortKey::Newest, false) => "oldest",
        (OrderSortKey::Received, false) => "received",
        (OrderSortKey::Received, true) => "-received",
        (OrderSortKey::Amount, false) => "amount",
        (OrderSortKey::Amount, true) => "-amount",
        (OrderSortKey::ShipDue, false) => "ship_due",
        (OrderSortKey::ShipDue, true) => "-ship_due",
    }
}

fn amount(e: &mut ValidationErrors, k: &str, v: &str) -> Option<Money> {
    match v.parse::<rust_decimal::Decimal>().map(Money::non_negative) {
        Ok(Ok(m)) => Some(m),
        Ok(Err(err)) => {
            e.add(k, "out_of_range", err.to_string());
            None
        }
        Err(_) => {
            e.add(
                k,
                "invalid",
                format!("'{v}' is not an amount like 1000 or 99.50"),
            );
            None
        }
    }
}

/// The cursor of the row a page ends on, as the next page's `cursor`.
fn cursor_of(sort: OrderSort, row: &OrderRow) -> String {
    let key = match sort.key {
        OrderSortKey::Newest => return row.id.to_string(),
        OrderSortKey::Received => row.received_at.as_microsecond(),
        OrderSortKey::Amount => row.document.totals.amount.units(),
        OrderSortKey::ShipDue => row.ship_due_at.as_microsecond(),
    };
    format!("{key}_{}", row.id)
}

fn parse_cursor(sort: OrderSort, text: &str) -> Result<OrderCursor, ValidationErrors> {
    crate::list_params::parse_cursor(sort.key != OrderSortKey::Newest, text)
}

impl App {
    /// A page of the order list. Portal users see their own customer's
    /// orders only, whatever the filter says.
    pub async fn order_list(
        &self,
        ctx: &Ctx,
        filter: &OrderFilter,
        cursor: Option<&str>,
        limit: u32,
        count: bool,
    ) -> AppResult<OrderListPage> {
        ctx.require(Permission::OrderRead)?;
        let limit = limit.clamp(1, self.config.max_page);
        let mut q = self.order_query(ctx, filter).await?;
        let mut tx = self.store.read().await?;
        let total = if count {
            Some(tx.order_count(&q).await?)
        } else {
            None
        };
        q.after = cursor
            .map(|c| parse_cursor(filter.sort, c))
            .transpose()
            .map_err(AppError::Invalid)?;
        q.limit = limit + 1;
        let rows = tx.order_list(&q).await?;
        Ok(FilteredPage::cut(rows, limit, total, |r| {
            cursor_of(filter.sort, r)
        }))
    }

    /// Every order the filter matches, up to `max` (an export): `Invalid`
    /// naming the count when there are more.
    pub async fn order_list_all(
        &self,
        ctx: &Ctx,
        filter: &OrderFilter,
        max: u32,
    ) -> AppResult<Vec<OrderRow>> {
        ctx.require(Permission::OrderRead)?;
        let mut q = self.order_query(ctx, filter).await?;
        let mut tx = self.store.read().await?;
        export_bound(tx.order_count(&q).await?, max, "orders")?;
        q.limit = max.max(1);
        Ok(tx.order_list(&q).await?)
    }

    /// The reps and regions the list's choosers offer.
    pub async fn order_filter_choices(&self, ctx: &Ctx) -> AppResult<OrderFilterChoices> {
        ctx.require(Permission::OrderRead)?;
        if ctx.actor.has_role(Role::Customer) {
            return Ok(OrderFilterChoices::default());
        }
        let mut tx = self.store.read().await?;
        Ok(tx.order_filter_choices().await?)
    }

    /// The store's query of a filter: the customer code resolved, days as
    /// instants of the company's time zone, the deadline cut at now.
    async fn order_query(&self, ctx: &Ctx, f: &OrderFilter) -> AppResult<OrderQuery> {
        let (received_from, received_before) = day_span(f.from, f.to);
        let customer_id = self
            .list_customer(ctx, f.customer_code.as_deref(), f.customer_id)
            .await?;
        let deadline = match f.deadline {
            Some(state) => Some(self.deadline_cut(state).await?),
            None => None,
        };
        Ok(OrderQuery {
            status: f.status,
            stage: f.stage,
            customer_id,
            rep_id: f.rep_id,
            region_id: f.region_id,
            channel: f.channel,
            received_from,
            received_before,
            amount_min: f.amount_min,
            amount_max: f.amount_max,
            deadline,
            sort: f.sort,
            after: None,
            limit: 0,
        })
    }

    /// The customer a list is filtered by: by code (named when unknown)
    /// and by id, both or either; a portal user's own customer always.
    /// `CustomerId(-1)` matches nothing.
    pub(crate) async fn list_customer(
        &self,
        ctx: &Ctx,
        code: Option<&str>,
        id: Option<CustomerId>,
    ) -> AppResult<Option<CustomerId>> {
        let mut customer_id = id;
        if let Some(code) = code {
            // The caller may read the list (checked before); a code is
            // resolved to filter it, not to read the customer, so a
            // warehouse user without the customer permission filters his
            // shipments by the code printed on them.
            let mut tx = self.store.read().await?;
            let Some(id) = tx
                .master_id_by_code(<CustomerData as MasterEntity>::KIND, code)
                .await?
            else {
                return Err(AppError::Invalid(ValidationErrors::single(
                    "customer",
                    "unknown",
                    format!("no customer with the code '{code}'"),
                )));
            };
            if customer_id.is_some_and(|c| c.get() != id) {
                // Two different customers: nothing matches.
                customer_id = Some(CustomerId(-1));
            } else {
                customer_id = Some(CustomerId(id));
            }
        }
        if ctx.actor.has_role(Role::Customer) {
            // His own customer's orders only: asked for another, none.
            let own = ctx.actor.customer_id.unwrap_or(CustomerId(-1));
            customer_id = match customer_id {
                Some(c) if c != own => Some(CustomerId(-1)),
                _ => Some(own),
            };
        }
        Ok(customer_id)
    }

    /// The instants a deadline state is judged at now, as the watch judges
    /// each order (ORD-6): a review is due soon within its warning minutes,
    /// a shipment from the start of its warning working days.
    async fn deadline_cut(&self, state: DeadlineState) -> AppResult<DeadlineCut> {
        let now = self.now();
        let policy = self.config.deadlines;
        let review_soon_until = now
            .saturating_add(SignedDuration::from_mins(i64::from(
                policy.review_warn_minutes,
            )))
            .unwrap_or(Timestamp::MAX);
        let ship_soon_until = if policy.ship_warn_working_days == 0 {
            now
        } else {
            let tz = company_time_zone();
            let calendar = self.business_calendar().await?;
            let today = now.to_zoned(tz.clone()).date();
            let last = calendar.add_working_days(today, policy.ship_warn_working_days - 1);
            last.checked_add(1.day())
                .ok()
                .and_then(|d| d.to_zoned(tz).ok())
                .map(|z| z.timestamp())
                .and_then(|t| t.checked_sub(SignedDuration::from_micros(1)).ok())
                .unwrap_or(Timestamp::MAX)
        };
        Ok(DeadlineCut {
            state,
            now,
            review_soon_until,
            ship_soon_until,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_filter_reads_back_as_the_same_parameters() {
        let p = params(&[
            ("status", "approved"),
            ("customer", "C001"),
            ("rep_id", "7"),
            ("region_id", "2"),
            ("channel", "phone"),
            ("from", "2026-11-01"),
            ("to", "2026-11-30"),
            ("amount_min", "100"),
            ("amount_max", "99999.5"),
            ("deadline", "overdue"),
            ("sort", "-amount"),
            ("cursor", "ignored here"),
        ]);
        let f = OrderFilter::parse(&p).unwrap();
        let back: BTreeMap<String, String> = f
            .to_params()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(OrderFilter::parse(&back).unwrap(), f);
        assert!(f.to_params().iter().any(|(k, _)| *k != "sort"));
        assert_eq!(f.sort.key, OrderSortKey::Amount);
        assert!(f.sort.descending);
    }

    #[test]
    fn a_stage_is_taken_from_the_status_chooser() {
        let f = OrderFilter::parse(&params(&[("status", "picking")])).unwrap();
        assert_eq!(f.stage, Some(OrderStage::Picking));
        assert_eq!(f.status, None);
    }

    #[test]
    fn every_bad_value_is_named() {
        let e = OrderFilter::parse(&params(&[
            ("status", "nope"),
            ("rep_id", "-3"),
            ("from", "2026-13-01"),
            ("to", "20255-01-01"),
            ("amount_min", "abc"),
            ("amount_max", "-5"),
            ("deadline", "late"),
            ("sort", "colour"),
            ("customer", &"x".repeat(65)),
        ]))
        .unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "status",
            "rep_id",
            "from",
            "to",
            "amount_min",
            "amount_max",
            "deadline",
            "sort",
            "customer",
        ] {
            assert!(fields.contains(&f), "{f} not named in {fields:?}");
        }
    }

    #[test]
    fn ranges_the_wrong_way_round_are_refused() {
        let e = OrderFilter::parse(&params(&[
            ("from", "2026-12-02"),
            ("to", "2026-12-01"),
            ("amount_min", "10"),
            ("amount_max", "9"),
        ]))
        .unwrap_err();
        assert_eq!(e.errors.len(), 2, "{e:?}");
    }

    #[test]
    fn cursors_belong_to_their_sort() {
        let newest = OrderSort::default();
        let amount = sort_named("amount").unwrap();
        assert_eq!(parse_cursor(newest, "42").unwrap().id, 42);
        assert!(parse_cursor(newest, "5_42").is_err());
        assert!(parse_cursor(amount, "42").is_err());
        let c = parse_cursor(amount, "1500000_42").unwrap();
        assert_eq!((c.key, c.id), (1_500_000, 42));
        for name in SORT_NAMES {
            assert_eq!(sort_name(sort_named(name).unwrap()), *name);
        }
    }
}

//! Master data use cases, generic over the record type: list with cursor
//! pagination, read, create (idempotent), update (optimistic concurrency).
//! Every write carries its audit rows and outbox event in its transaction.

pub mod entity;
pub(crate) mod exists;
pub mod holds;

use kaidan_domain::audit::diff;
use std::collections::HashMap;

use kaidan_domain::{Actor, CustomerId, Permission, ProductId, Role, ValidationErrors};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::entity::{MasterEntity, Target};
use crate::master::exists::get_record;
use crate::ports::{
    EntityKind, FilterValue, IdempotentResponse, ListQuery, MasterData, Record, StoreError, Tx,
    filterable,
};

/// One page of a list and the cursor of the next page, if any.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// What a list request asks for, as the caller gave it (untrusted text).
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub search: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
    pub filters: Vec<(String, String)>,
}

/// Cuts `items`, read with one row beyond `limit`, to `limit` rows; the
/// last row kept when more follow (the next page's cursor is made of it).
pub(crate) fn cut_page<T>(items: &mut Vec<T>, limit: u32) -> Option<&T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if items.len() > limit {
        items.truncate(limit);
        items.last()
    } else {
        None
    }
}

/// An `Idempotency-Key` and a fingerprint of the request it came with.
#[derive(Debug, Clone)]
pub struct Idempotency {
    pub key: String,
    pub fingerprint: String,
}

/// The answer to a create: a new record, or the stored answer to an earlier
/// request with the same `Idempotency-Key` (nothing created again).
#[derive(Debug, Clone)]
pub enum Created<T> {
    New(T),
    Replayed { status: u16, body: String },
}

/// A stored record as the type its kind says it is.
pub(crate) fn typed_record<T: MasterEntity>(
    rec: Record<crate::ports::MasterData>,
) -> AppResult<Record<T>> {
    let Record {
        id,
        version,
        updated_at,
        data,
    } = rec;
    let data = T::unwrap(data).ok_or_else(|| {
        AppError::Store(StoreError::Corrupt(format!(
            "record {id} is not a {}",
            T::WHAT
        )))
    })?;
    Ok(Record {
        id,
        version,
        updated_at,
        data,
    })
}

/// Customer-portal users see only their own customer (SEC-1, SEC-4).
fn own_customer_only(actor: &Actor) -> Option<i64> {
    if actor.has_role(Role::Customer) {
        Some(actor.customer_id.map(|c| c.get()).unwrap_or(-1))
    } else {
        None
    }
}

impl ListRequest {
    pub(crate) fn to_query(&self, kind: EntityKind, max_page: u32) -> AppResult<ListQuery> {
        let mut e = ValidationErrors::new();
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => match c.parse::<i64>() {
                Ok(v) if v >= 0 => Some(v),
                _ => {
                    e.add("cursor", "invalid", "is not a cursor returned by this list");
                    None
                }
            },
        };
        let limit = self.limit.unwrap_or(50);
        if limit == 0 || limit > max_page {
            e.add(
                "limit",
                "out_of_range",
                format!("must be between 1 and {max_page}"),
            );
        }
        let mut filters = Vec::new();
        for (name, value) in &self.filters {
            match filterable(kind).iter().find(|(n, _)| n == name) {
                None => e.add(
                    name.clone(),
                    "unknown_filter",
                    format!(
                        "cannot filter on '{name}'; allowed: {}",
                        filterable(kind)
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                Some((n, t)) => match t {
                    crate::ports::FilterType::Int => match value.trim().parse() {
                        Ok(v) => filters.push((*n, FilterValue::Int(v))),
                        Err(_) => e.add(name.clone(), "invalid", "must be a whole number"),
                    },
                    crate::ports::FilterType::Bool => match value.trim() {
                        "true" | "1" => filters.push((*n, FilterValue::Bool(true))),
                        "false" | "0" => filters.push((*n, FilterValue::Bool(false))),
                        _ => e.add(name.clone(), "invalid", "must be true or false"),
                    },
                    crate::ports::FilterType::Text => {
                        filters.push((*n, FilterValue::Text(value.trim().to_string())))
                    }
                },
            }
        }
        Ok(e.into_result(ListQuery {
            search: self.search.clone().filter(|s| !s.trim().is_empty()),
            after,
            limit,
            filters,
            after_second: None,
        })?)
    }
}

impl App {
    pub async fn list<T: MasterEntity>(
        &self,
        ctx: &Ctx,
        req: &ListRequest,
    ) -> AppResult<Page<Record<T>>> {
        ctx.require(T::READ)?;
        let mut query = req.to_query(T::KIND, self.config.max_page)?;
        if T::KIND == EntityKind::Customer
            && let Some(own) = own_customer_only(&ctx.actor)
        {
            query.filters.push(("id", FilterValue::Int(own)));
        }
        let limit = query.limit;
        query.limit = limit + 1;
        let mut tx = self.store.read().await?;
        let rows = tx.master_list(T::KIND, &query).await?;
        let mut items = rows
            .into_iter()
            .map(typed_record::<T>)
            .collect::<AppResult<Vec<_>>>()?;
        let next_cursor = cut_page(&mut items, limit).map(|r| r.id.to_string());
        Ok(Page { items, next_cursor })
    }

    pub async fn get<T: MasterEntity>(&self, ctx: &Ctx, id: i64) -> AppResult<Record<T>> {
        ctx.require(T::READ)?;
        if T::KIND == EntityKind::Customer
            && let Some(own) = own_customer_only(&ctx.actor)
            && own != id
        {
            // Not "forbidden": another customer's existence is itself confidential.
            return Err(AppError::NotFound {
                what: T::WHAT,
                id: id.to_string(),
            });
        }
        let mut tx = self.store.read().await?;
        get_record(&mut tx, id).await
    }

    /// The id of the record with this SKU or code.
    pub async fn id_by_code<T: MasterEntity>(&self, ctx: &Ctx, code: &str) -> AppResult<i64> {
        ctx.require(T::READ)?;
        let mut tx = self.store.read().await?;
        tx.master_id_by_code(T::KIND, code)
            .await?
            .ok_or(AppError::NotFound {
                what: T::WHAT,
                id: code.to_string(),
            })
    }

    /// SKU and name of each of these products, in one read, for pages that
    /// list lines by product id (a product gone since shows `#id`).
    pub async fn product_labels(
        &self,
        ctx: &Ctx,
        ids: &[ProductId],
    ) -> AppResult<HashMap<ProductId, (String, String)>> {
        ctx.require(Permission::ProductRead)?;
        let raw: Vec<i64> = ids.iter().map(|p| p.get()).collect();
        let mut tx = self.store.read().await?;
        let found = tx.master_get_many(EntityKind::Product, &raw).await?;
        let mut out: HashMap<_, _> = found
            .into_iter()
            .filter_map(|r| match r.data {
                MasterData::Product(p) => Some((ProductId(r.id), (p.sku, p.name))),
                _ => None,
            })
            .collect();
        for id in ids {
            out.entry(*id)
                .or_insert_with(|| (format!("#{id}"), String::new()));
        }
        Ok(out)
    }

    /// "code name" of each customer, read by id (a list shows only its
    /// page's customers); `#id` for one not found.
    pub async fn customer_labels(
        &self,
        ctx: &Ctx,
        ids: &[CustomerId],
    ) -> AppResult<HashMap<CustomerId, String>> {
        ctx.require(Permission::CustomerRead)?;
        let mut raw: Vec<i64> = ids.iter().map(|c| c.get()).collect();
        raw.sort_unstable();
        raw.dedup();
        let mut tx = self.store.read().await?;
        let found = tx.master_get_many(EntityKind::Customer, &raw).await?;
        let mut out: HashMap<_, _> = found
            .into_iter()
            .filter_map(|r| match r.data {
                MasterData::Customer(c) => {
                    Some((CustomerId(r.id), format!("{} {}", c.code, c.name)))
                }
                _ => None,
            })
            .collect();
        for id in ids {
            out.entry(*id).or_insert_with(|| format!("#{id}"));
        }
        Ok(out)
    }

    pub(crate) async fn check_references<T: MasterEntity>(
        &self,
        tx: &mut Box<dyn Tx>,
        data: &T,
    ) -> AppResult<()> {
        let mut e = ValidationErrors::new();
        for r in data.references() {
            let exists = match r.target {
                Target::Master(kind) => tx.master_get(kind, r.id).await?.is_some(),
                Target::User => tx.user_get(kaidan_domain::UserId(r.id)).await?.is_some(),
            };
            if !exists {
                e.add(
                    r.field,
                    "unknown_reference",
                    format!("no record with id {}", r.id),
                );
            }
        }
        e.into_result(())?;
        Ok(())
    }

    pub async fn create<T: MasterEntity>(
        &self,
        ctx: &Ctx,
        data: T,
        idempotency: Option<&Idempotency>,
    ) -> AppResult<Created<Record<T>>> {
        ctx.require(T::WRITE)?;
        let data = data.clean()?;
        if let Some(replay) = self.replay(ctx, idempotency).await? {
            return Ok(replay);
        }
        let mut tx = match self.write_keyed(ctx, idempotency).await? {
            Ok(tx) => tx,
            Err(replay) => return Ok(replay),
        };
        let rec = self.insert_in(&mut tx, ctx, data).await?;
        self.commit_created(tx, ctx, idempotency, rec).await
    }

    /// Commits a create, remembering its answer under the request's
    /// `Idempotency-Key` in the same transaction. If a concurrent request
    /// with the same key got there first, this one is rolled back and
    /// answers as that one did.
    pub(crate) async fn commit_created<T: serde::Serialize>(
        &self,
        mut tx: Box<dyn Tx>,
        ctx: &Ctx,
        idempotency: Option<&Idempotency>,
        value: T,
    ) -> AppResult<Created<T>> {
        if let Some(idem) = idempotency {
            let body = serde_json::to_string(&value).map_err(AppError::Json)?;
            let stored = IdempotentResponse {
                fingerprint: idem.fingerprint.clone(),
                status: 201,
                body,
            };
            match tx
                .idempotency_put(ctx.actor.user_id, &idem.key, &stored, self.now())
                .await
            {
                Ok(()) => {}
                Err(StoreError::Duplicate { .. }) => {
                    drop(tx);
                    return self.replay_raced(ctx, idem).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        tx.commit().await?;
        Ok(Created::New(value))
    }

    /// The answer of a concurrent request with the same key that won the
    /// race. Read through a write transaction: with group commit its row may
    /// still be in the batch being built, and committing this read-only unit
    /// waits until that batch is on disk, so a retry is never answered
    /// before the original is durable.
    pub(crate) async fn replay_raced<T>(
        &self,
        ctx: &Ctx,
        idem: &Idempotency,
    ) -> AppResult<Created<T>> {
        let mut tx = self.store.write().await?;
        let stored = tx.idempotency_get(ctx.actor.user_id, &idem.key).await?;
        tx.commit().await?;
        match stored {
            None => Err(AppError::Store(StoreError::Conflict)),
            Some(s) if s.fingerprint == idem.fingerprint => Ok(Created::Replayed {
                status: s.status,
                body: s.body,
            }),
            Some(_) => Err(AppError::IdempotencyMismatch(idem.key.clone())),
        }
    }

    /// A write transaction for a create with an `Idempotency-Key`, or the
    /// answer a request with the same key already got: the key is held for
    /// the transaction, so a concurrent retry waits for the first request
    /// and answers as it did instead of looking like a duplicate order.
    pub(crate) async fn write_keyed<T>(
        &self,
        ctx: &Ctx,
        idempotency: Option<&Idempotency>,
    ) -> AppResult<Result<Box<dyn Tx>, Created<T>>> {
        let mut tx = self.store.write().await?;
        let Some(idem) = idempotency else {
            return Ok(Ok(tx));
        };
        tx.idempotency_lock(ctx.actor.user_id, &idem.key).await?;
        match tx.idempotency_get(ctx.actor.user_id, &idem.key).await? {
            None => Ok(Ok(tx)),
            Some(s) if s.fingerprint == idem.fingerprint => {
                // Committed, not dropped: with group commit this waits until
                // the first answer is durable.
                tx.commit().await?;
                Ok(Err(Created::Replayed {
                    status: s.status,
                    body: s.body,
                }))
            }
            Some(_) => Err(AppError::IdempotencyMismatch(idem.key.clone())),
        }
    }

    /// The stored answer when the request's key was used before (a retry);
    /// none for a request without a key or with a new one.
    pub(crate) async fn replay<T>(
        &self,
        ctx: &Ctx,
        idempotency: Option<&Idempotency>,
    ) -> AppResult<Option<Created<T>>> {
        let Some(idem) = idempotency else {
            return Ok(None);
        };
        let mut tx = self.store.read().await?;
        match tx.idempotency_get(ctx.actor.user_id, &idem.key).await? {
            None => Ok(None),
            Some(stored) if stored.fingerprint == idem.fingerprint => Ok(Some(Created::Replayed {
                status: stored.status,
                body: stored.body,
            })),
            Some(_) => Err(AppError::IdempotencyMismatch(idem.key.clone())),
        }
    }

    /// Inserts a cleaned record with its audit row and event, in `tx`.
    pub(crate) async fn insert_in<T: MasterEntity>(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        data: T,
    ) -> AppResult<Record<T>> {
        self.check_references(tx, &data).await?;
        let id = tx.master_insert(&data.clone().wrap(), self.now()).await?;
        let kind = T::KIND.as_str();
        self.audit(tx, ctx, kind, id, "create", diff(None, Some(&data)))
            .await?;
        self.publish(
            tx,
            &format!("{kind}.created"),
            kind,
            id,
            serde_json::json!({ "id": id, "code": data.code() }),
        )
        .await?;
        get_record(tx, id).await
    }

    /// Replaces a record's content if it is still at `expected_version`
    /// (the `If-Match` of the request; `None` means "whatever is there").
    pub async fn update<T: MasterEntity>(
        &self,
        ctx: &Ctx,
        id: i64,
        expected_version: Option<i64>,
        data: T,
    ) -> AppResult<Record<T>> {
        ctx.require(T::WRITE)?;
        let data = data.clean()?;
        let mut tx = self.store.write().await?;
        let rec = self
            .update_in(&mut tx, ctx, id, expected_version, data)
            .await?;
        tx.commit().await?;
        Ok(rec)
    }

    pub(crate) async fn update_in<T: MasterEntity>(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        id: i64,
        expected_version: Option<i64>,
        data: T,
    ) -> AppResult<Record<T>> {
        let current: Record<T> = get_record(tx, id).await?;
        let version = expected_version.unwrap_or(current.version);
        if version != current.version {
            return Err(AppError::VersionConflict {
                what: T::WHAT,
                id,
                current: current.version,
            });
        }
        let changes = diff(Some(&current.data), Some(&data));
        if changes.is_empty() {
            return Ok(current);
        }
        self.check_references(tx, &data).await?;
        if !tx
            .master_update(id, version, &data.clone().wrap(), self.now())
            .await?
        {
            return Err(AppError::VersionConflict {
                what: T::WHAT,
                id,
                current: version + 1,
            });
        }
        let kind = T::KIND.as_str();
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        let payload = serde_json::json!({ "id": id, "code": data.code(), "fields": fields });
        self.audit(tx, ctx, kind, id, "update", changes).await?;
        self.publish(tx, &format!("{kind}.updated"), kind, id, payload)
            .await?;
        get_record(tx, id).await
    }
}

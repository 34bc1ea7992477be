use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_app::ports::{
    EntityKind, FilterValue, ListQuery, MasterData, MasterTx, Record, StoreError,
};
use kaidan_domain::calendar::CalendarDay;
use kaidan_domain::master::{PriceListItem, SafetyStock, Season};
use kaidan_domain::{Money, ProductId, Quantity, RegionId, StoreId};

use crate::error::{corrupt, map};
use crate::master_tables::{from_row, table, values};
use crate::row::{RowExt, Val, bind_vals, micros, placeholders, search_clause};
use crate::tx::{DbTx, on};

impl DbTx {
    async fn price_list_items(&mut self, id: i64) -> Result<Vec<PriceListItem>, StoreError> {
        let rows: Vec<(i64, i64)> = on!(self, c => {
            sqlx::query_as(
                "SELECT product_id, price FROM price_list_items WHERE price_list_id = $1 ORDER BY product_id",
            )
            .bind(id)
            .fetch_all(&mut *c)
            .await
            .map_err(map)?
        });
        Ok(rows
            .into_iter()
            .map(|(p, price)| PriceListItem {
                product_id: ProductId(p),
                price: Money::from_units(price),
            })
            .collect())
    }

    async fn write_price_list_items(
        &mut self,
        id: i64,
        data: &MasterData,
    ) -> Result<(), StoreError> {
        let MasterData::PriceList(pl) = data else {
            return Ok(());
        };
        on!(self, c => {
            sqlx::query("DELETE FROM price_list_items WHERE price_list_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await
                .map_err(map)?;
        });
        for item in &pl.items {
            on!(self, c => {
                sqlx::query("INSERT INTO price_list_items (price_list_id, product_id, price) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(item.product_id.get())
                    .bind(item.price.units())
                    .execute(&mut *c)
                    .await
                    .map_err(map)?;
            });
        }
        Ok(())
    }

    async fn with_items(
        &mut self,
        mut rec: Record<MasterData>,
    ) -> Result<Record<MasterData>, StoreError> {
        if let MasterData::PriceList(pl) = &mut rec.data {
            pl.items = self.price_list_items(rec.id).await?;
        }
        Ok(rec)
    }
}

fn record(kind: EntityKind, r: &impl RowExt) -> Result<Record<MasterData>, StoreError> {
    Ok(Record {
        id: r.i64("id")?,
        version: r.i64("version")?,
        updated_at: r.ts("updated_at")?,
        data: from_row(kind, r)?,
    })
}

#[async_trait]
impl MasterTx for DbTx {
    async fn master_get(
        &mut self,
        kind: EntityKind,
        id: i64,
    ) -> Result<Option<Record<MasterData>>, StoreError> {
        let t = table(kind);
        let sql = format!(
            "SELECT id, version, updated_at, {} FROM {} WHERE id = $1",
            t.columns.join(", "),
            t.name
        );
        let rec = on!(self, c => {
            match sqlx::query(&sql).bind(id).fetch_optional(&mut *c).await.map_err(map)? {
                Some(r) => Some(record(kind, &r)?),
                None => None,
            }
        });
        match rec {
            Some(r) => Ok(Some(self.with_items(r).await?)),
            None => Ok(None),
        }
    }

    async fn master_get_many(
        &mut self,
        kind: EntityKind,
        ids: &[i64],
    ) -> Result<Vec<Record<MasterData>>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let t = table(kind);
        let list = placeholders(1, ids.len());
        let sql = format!(
            "SELECT id, version, updated_at, {} FROM {} WHERE id IN ({list}) ORDER BY id",
            t.columns.join(", "),
            t.name
        );
        let recs = on!(self, c => {
            let mut q = sqlx::query(&sql);
            for id in ids {
                q = q.bind(*id);
            }
            let rows = q.fetch_all(&mut *c).await.map_err(map)?;
            rows.iter().map(|r| record(kind, r)).collect::<Result<Vec<_>, _>>()?
        });
        let mut out = Vec::with_capacity(recs.len());
        for r in recs {
            out.push(self.with_items(r).await?);
        }
        Ok(out)
    }

    async fn master_id_by_code(
        &mut self,
        kind: EntityKind,
        code: &str,
    ) -> Result<Option<i64>, StoreError> {
        let t = table(kind);
        let sql = format!("SELECT id FROM {} WHERE {} = $1", t.name, t.code);
        Ok(on!(self, c => {
            sqlx::query_scalar(&sql).bind(code).fetch_optional(&mut *c).await.map_err(map)?
        }))
    }

    async fn master_insert(&mut self, data: &MasterData, at: Timestamp) -> Result<i64, StoreError> {
        let t = table(data.kind());
        let mut vals = values(data);
        vals.push(Val::I(micros(at)));
        let placeholders: Vec<String> = (1..=vals.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}, updated_at) VALUES ({}) RETURNING id",
            t.name,
            t.columns.join(", "),
            placeholders.join(", ")
        );
        let id: i64 = on!(self, c => {
            bind_vals!(sqlx::query_scalar(&sql), &vals)
                .fetch_one(&mut *c)
                .await
                .map_err(map)?
        });
        self.write_price_list_items(id, data).await?;
        Ok(id)
    }

    async fn master_update(
        &mut self,
        id: i64,
        expected_version: i64,
        data: &MasterData,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let t = table(data.kind());
        let mut vals = values(data);
        let sets: Vec<String> = t
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let n = vals.len();
        vals.extend([Val::I(micros(at)), Val::I(id), Val::I(expected_version)]);
        let sql = format!(
            "UPDATE {} SET {}, version = version + 1, updated_at = ${} WHERE id = ${} AND version = ${}",
            t.name,
            sets.join(", "),
            n + 1,
            n + 2,
            n + 3
        );
        let affected = on!(self, c => {
            bind_vals!(sqlx::query(&sql), &vals)
                .execute(&mut *c)
                .await
                .map_err(map)?
                .rows_affected()
        });
        if affected == 1 {
            self.write_price_list_items(id, data).await?;
        }
        Ok(affected == 1)
    }

    async fn master_list(
        &mut self,
        kind: EntityKind,
        query: &ListQuery,
    ) -> Result<Vec<Record<MasterData>>, StoreError> {
        let t = table(kind);
        let mut clauses = Vec::new();
        let mut vals = Vec::new();
        if let Some(after) = query.after {
            vals.push(Val::I(after));
            clauses.push(format!("id > ${}", vals.len()));
        }
        if let Some(c) = search_clause(t.code, "name", query.search.as_deref(), &mut vals) {
            clauses.push(c);
        }
        for (col, v) in &query.filters {
            // Only names from `ports::filterable` reach here (checked by the
            // app), so the column name is never user text.
            vals.push(match v {
                FilterValue::Int(i) => Val::I(*i),
                FilterValue::Text(s) => Val::T(s.clone()),
                FilterValue::Bool(b) => Val::B(*b),
            });
            clauses.push(format!("{col} = ${}", vals.len()));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        vals.push(Val::I(i64::from(query.limit.max(1))));
        let sql = format!(
            "SELECT id, version, updated_at, {} FROM {} {filter} ORDER BY id LIMIT ${}",
            t.columns.join(", "),
            t.name,
            vals.len()
        );
        let recs: Vec<Record<MasterData>> = on!(self, c => {
            let rows = bind_vals!(sqlx::query(&sql), &vals)
                .fetch_all(&mut *c)
                .await
                .map_err(map)?;
            rows.iter().map(|r| record(kind, r)).collect::<Result<_, _>>()?
        });
        let mut out = Vec::with_capacity(recs.len());
        for r in recs {
            out.push(self.with_items(r).await?);
        }
        Ok(out)
    }

    async fn region_priorities(&mut self, season: Season) -> Result<Vec<RegionId>, StoreError> {
        let ids: Vec<i64> = on!(self, c => {
            sqlx::query_scalar("SELECT region_id FROM region_priorities WHERE season = $1 ORDER BY rank")
                .bind(season.as_str())
                .fetch_all(&mut *c)
                .await
                .map_err(map)?
        });
        Ok(ids.into_iter().map(RegionId).collect())
    }

    async fn region_priorities_set(
        &mut self,
        season: Season,
        regions: &[RegionId],
    ) -> Result<(), StoreError> {
        on!(self, c => {
            sqlx::query("DELETE FROM region_priorities WHERE season = $1")
                .bind(season.as_str())
                .execute(&mut *c)
                .await
                .map_err(map)?;
        });
        for (i, r) in regions.iter().enumerate() {
            let rank = i64::try_from(i + 1).map_err(corrupt)?;
            on!(self, c => {
                sqlx::query("INSERT INTO region_priorities (season, rank, region_id) VALUES ($1, $2, $3)")
                    .bind(season.as_str())
                    .bind(rank)
                    .bind(r.get())
                    .execute(&mut *c)
                    .await
                    .map_err(map)?;
            });
        }
        Ok(())
    }

    async fn safety_stock(&mut self, store: StoreId) -> Result<Vec<SafetyStock>, StoreError> {
        let rows: Vec<(i64, i64)> = on!(self, c => {
            sqlx::query_as(
                "SELECT product_id, quantity FROM store_safety_stock WHERE store_id = $1 ORDER BY product_id",
            )
            .bind(store.get())
            .fetch_all(&mut *c)
            .await
            .map_err(map)?
        });
        rows.into_iter()
            .map(|(p, q)| {
                Ok(SafetyStock {
                    product_id: ProductId(p),
                    quantity: Quantity::new(q).map_err(corrupt)?,
                })
            })
            .collect()
    }

    async fn safety_stock_set(
        &mut self,
        store: StoreId,
        levels: &[SafetyStock],
    ) -> Result<(), StoreError> {
        on!(self, c => {
            sqlx::query("DELETE FROM store_safety_stock WHERE store_id = $1")
                .bind(store.get())
                .execute(&mut *c)
                .await
                .map_err(map)?;
        });
        for l in levels {
            on!(self, c => {
                sqlx::query("INSERT INTO store_safety_stock (store_id, product_id, quantity) VALUES ($1, $2, $3)")
                    .bind(store.get())
                    .bind(l.product_id.get())
                    .bind(l.quantity.get())
                    .execute(&mut *c)
                    .await
                    .map_err(map)?;
            });
        }
        Ok(())
    }

    async fn calendar_days(&mut self) -> Result<Vec<CalendarDay>, StoreError> {
        on!(self, c => {
            let rows = sqlx::query("SELECT day, kind, name FROM calendar_days ORDER BY day")
                .fetch_all(&mut *c)
                .await
                .map_err(map)?;
            rows.iter()
                .map(|r| {
                    Ok(CalendarDay {
                        date: r.parsed("day")?,
                        kind: r.parsed("kind")?,
                        name: r.text("name")?,
                    })
                })
                .collect()
        })
    }

    async fn calendar_day_get(&mut self, date: Date) -> Result<Option<CalendarDay>, StoreError> {
        on!(self, c => {
            let row = sqlx::query("SELECT day, kind, name FROM calendar_days WHERE day = $1")
                .bind(date.to_string())
                .fetch_optional(&mut *c)
                .await
                .map_err(map)?;
            match row {
                Some(r) => Ok(Some(CalendarDay {
                    date: r.parsed("day")?,
                    kind: r.parsed("kind")?,
                    name: r.text("name")?,
                })),
                None => Ok(None),
            }
        })
    }

    async fn calendar_day_put(&mut self, day: &CalendarDay) -> Result<(), StoreError> {
        on!(self, c => {
            sqlx::query(
                "INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3) \
                 ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
            )
            .bind(day.date.to_string())
            .bind(day.kind.as_str())
            .bind(&day.name)
            .execute(&mut *c)
            .await
            .map_err(map)?;
        });
        Ok(())
    }

    async fn calendar_day_delete(&mut self, date: Date) -> Result<bool, StoreError> {
        Ok(on!(self, c => {
            sqlx::query("DELETE FROM calendar_days WHERE day = $1")
                .bind(date.to_string())
                .execute(&mut *c)
                .await
                .map_err(map)?
                .rows_affected()
        }) == 1)
    }
}

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_app::ports::{
    EntityKind, FilterValue, ListQuery, MasterData, MasterTx, Record, StoreError,
};
use kaidan_domain::calendar::CalendarDay;
use kaidan_domain::master::{PriceListItem, SafetyStock, Season};
use kaidan_domain::{Money, ProductId, Quantity, RegionId, StoreId};

use crate::error::corrupt;
use crate::master_tables::{from_row, table, values};
use crate::row::{RowExt, Val, micros, placeholders, search_clause, where_all};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

impl DbTx {
    async fn price_list_items(&mut self, id: i64) -> Result<Vec<PriceListItem>, StoreError> {
        let rows: Vec<(i64, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT product_id, price FROM price_list_items WHERE price_list_id = $1 ORDER BY product_id",
            [id]
        );
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
        self.replace_per_product(
            ("price_list_items", "price_list_id", "price"),
            id,
            pl.items.iter().map(|i| (i.product_id, i.price.units())),
        )
        .await
    }

    /// Fills in the items of the price lists among `recs`.
    async fn with_items(
        &mut self,
        mut recs: Vec<Record<MasterData>>,
    ) -> Result<Vec<Record<MasterData>>, StoreError> {
        for rec in &mut recs {
            if let MasterData::PriceList(pl) = &mut rec.data {
                pl.items = self.price_list_items(rec.id).await?;
            }
        }
        Ok(recs)
    }
}

/// `SELECT` of a kind's records, every column, up to the `FROM` table.
fn select_records(kind: EntityKind) -> String {
    let t = table(kind);
    format!(
        "SELECT id, version, updated_at, {} FROM {}",
        t.columns.join(", "),
        t.name
    )
}

fn calendar_day(r: &impl RowExt) -> Result<CalendarDay, StoreError> {
    Ok(CalendarDay {
        date: r.parsed("day")?,
        kind: r.parsed("kind")?,
        name: r.text("name")?,
    })
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
        let sql = format!("{} WHERE id = $1", select_records(kind));
        let Some(rec) = fetch_opt!(self, &sql, [id], |r| record(kind, r)) else {
            return Ok(None);
        };
        Ok(self.with_items(vec![rec]).await?.pop())
    }

    async fn master_get_many(
        &mut self,
        kind: EntityKind,
        ids: &[i64],
    ) -> Result<Vec<Record<MasterData>>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{} WHERE id IN ({}) ORDER BY id",
            select_records(kind),
            placeholders(1, ids.len())
        );
        let vals: Vec<Val> = ids.iter().map(|id| Val::I(*id)).collect();
        let recs = fetch_all!(self, &sql, vals, |r| record(kind, r));
        self.with_items(recs).await
    }

    async fn master_id_by_code(
        &mut self,
        kind: EntityKind,
        code: &str,
    ) -> Result<Option<i64>, StoreError> {
        let t = table(kind);
        let sql = format!("SELECT id FROM {} WHERE {} = $1", t.name, t.code);
        Ok(fetch_as!(self, query_scalar.fetch_optional, &sql, [code]))
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
        let id: i64 = fetch_as!(self, query_scalar.fetch_one, &sql, vals);
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
        let affected = exec!(self, &sql, vals);
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
        vals.push(Val::I(i64::from(query.limit.max(1))));
        let sql = format!(
            "{} {} ORDER BY id LIMIT ${}",
            select_records(kind),
            where_all(&clauses),
            vals.len()
        );
        let recs = fetch_all!(self, &sql, vals, |r| record(kind, r));
        self.with_items(recs).await
    }

    async fn region_priorities(&mut self, season: Season) -> Result<Vec<RegionId>, StoreError> {
        let ids: Vec<i64> = fetch_as!(
            self,
            query_scalar.fetch_all,
            "SELECT region_id FROM region_priorities WHERE season = $1 ORDER BY rank",
            [season.as_str()]
        );
        Ok(ids.into_iter().map(RegionId).collect())
    }

    async fn region_priorities_set(
        &mut self,
        season: Season,
        regions: &[RegionId],
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "DELETE FROM region_priorities WHERE season = $1",
            [season.as_str()]
        );
        for (i, r) in regions.iter().enumerate() {
            let rank = i64::try_from(i + 1).map_err(corrupt)?;
            exec!(
                self,
                "INSERT INTO region_priorities (season, rank, region_id) VALUES ($1, $2, $3)",
                [season.as_str(), rank, r.get()]
            );
        }
        Ok(())
    }

    async fn safety_stock(&mut self, store: StoreId) -> Result<Vec<SafetyStock>, StoreError> {
        let rows: Vec<(i64, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT product_id, quantity FROM store_safety_stock WHERE store_id = $1 ORDER BY product_id",
            [store.get()]
        );
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
        self.replace_per_product(
            ("store_safety_stock", "store_id", "quantity"),
            store.get(),
            levels.iter().map(|l| (l.product_id, l.quantity.get())),
        )
        .await
    }

    async fn calendar_days(&mut self) -> Result<Vec<CalendarDay>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT day, kind, name FROM calendar_days ORDER BY day",
            [],
            calendar_day
        ))
    }

    async fn calendar_day_get(&mut self, date: Date) -> Result<Option<CalendarDay>, StoreError> {
        Ok(fetch_opt!(
            self,
            "SELECT day, kind, name FROM calendar_days WHERE day = $1",
            [date.to_string()],
            calendar_day
        ))
    }

    async fn calendar_day_put(&mut self, day: &CalendarDay) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3) \
             ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
            [day.date.to_string(), day.kind.as_str(), &day.name]
        );
        Ok(())
    }

    async fn calendar_day_delete(&mut self, date: Date) -> Result<bool, StoreError> {
        Ok(exec!(
            self,
            "DELETE FROM calendar_days WHERE day = $1",
            [date.to_string()]
        ) == 1)
    }
}

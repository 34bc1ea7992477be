//! The business calendar (holidays and make-up working days) that working-day
//! deadlines are counted on (ORD-6).

use jiff::civil::Date;
use kaidan_domain::Permission;
use kaidan_domain::audit::diff;
use kaidan_domain::calendar::{BusinessCalendar, CalendarDay};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};

impl App {
    /// Everyone who is logged in may read the calendar.
    pub async fn calendar_days(&self, _ctx: &Ctx) -> AppResult<Vec<CalendarDay>> {
        let mut tx = self.store.read().await?;
        Ok(tx.calendar_days().await?)
    }

    pub async fn business_calendar(&self) -> AppResult<BusinessCalendar> {
        let mut tx = self.store.read().await?;
        Ok(BusinessCalendar::new(tx.calendar_days().await?))
    }

    pub async fn put_calendar_day(&self, ctx: &Ctx, day: CalendarDay) -> AppResult<CalendarDay> {
        ctx.require(Permission::CalendarWrite)?;
        let day = day.validate()?;
        let mut tx = self.store.write().await?;
        let before = tx.calendar_day_get(day.date).await?;
        let changes = diff(before.as_ref(), Some(&day));
        if !changes.is_empty() {
            tx.calendar_day_put(&day).await?;
            self.audit(
                &mut tx,
                ctx,
                "calendar_day",
                date_key(day.date),
                "put",
                changes,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(day)
    }

    pub async fn delete_calendar_day(&self, ctx: &Ctx, date: Date) -> AppResult<()> {
        ctx.require(Permission::CalendarWrite)?;
        let mut tx = self.store.write().await?;
        let Some(before) = tx.calendar_day_get(date).await? else {
            return Err(AppError::NotFound {
                what: "calendar day",
                id: date.to_string(),
            });
        };
        tx.calendar_day_delete(date).await?;
        self.audit(
            &mut tx,
            ctx,
            "calendar_day",
            date_key(date),
            "delete",
            diff(Some(&before), None),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Audit rows are keyed by a number; a day's is YYYYMMDD.
pub fn date_key(d: Date) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}
